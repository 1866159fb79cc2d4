"""Front Door: the check-in kiosk and booking system for Family Hubs.

``create_app`` is the app factory. The core package knows nothing of the kiosk,
arrivals, booking or admin packages: ``create_app`` imports each one named in ``FACES``
and calls its ``init_app``, so the dependency points one way.
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from frontdoor import fields
from frontdoor.config import PROJECT_ROOT, Config, load_config
from frontdoor.models.base import render_item


class SlugConverter(BaseConverter):
    """``<slug:hub>``: a hub's short name in a web address."""

    regex = r"[a-z0-9-]+"


# The packages built on the core, imported by name so this package never imports
# them at module level: the booking domain and its public site, the arrivals
# domain, the directory of partner services (and the partner's check page), and
# the reach reports' totals and command, and the kiosk and staff faces. Each
# exposes ``init_app(app)``.
FACES = ("booking", "arrivals", "directory", "connections", "reports", "kiosk", "admin")


def create_app(config: dict[str, Any] | Config | None = None) -> Flask:
    settings = config if isinstance(config, Config) else load_config(config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(settings.flask_settings())
    app.url_map.converters["slug"] = SlugConverter
    # Before any route is added (their ids use it) and before any other check runs.
    fields.init_app(app)
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count
        )

    from frontdoor import (
        errors,
        events,
        health,
        logs,
        security,
        staff_auth,
        static_files,
        templating,
        translated,
    )
    from frontdoor.extensions import babel, csrf, db, htmx, migrate

    app.session_interface = security.Sha256SessionInterface()
    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        render_item=render_item,
    )
    events.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale)
    security.init_app(app)
    staff_auth.init_app(app)
    templating.init_app(app)
    translated.init_app(app)
    errors.init_app(app)
    static_files.init_app(app)
    health.init_app(app)

    from frontdoor import jobs, scheduler

    jobs.register()
    for face in FACES:
        importlib.import_module(face).init_app(app)
    scheduler.init_app(app)

    from frontdoor.cli import register_commands

    register_commands(app)
    return app
