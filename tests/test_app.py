"""Configuration, security headers, error pages, logs and the CLI."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from frontdoor import create_app
from frontdoor.config import ConfigError, load_config
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Session, SessionSeries, StaffUser
from tests.conftest import TEST_DATABASE_URL, sign_in


def test_production_refuses_to_start_without_a_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("FRONTDOOR_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="FRONTDOOR_SECRET_KEY"):
        load_config({"env": "production", "instance_path": tmp_path})


def test_development_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("FRONTDOOR_SECRET_KEY", raising=False)
    first = load_config({"instance_path": tmp_path}).secret_key
    second = load_config({"instance_path": tmp_path}).secret_key
    assert len(first) > 40 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_configuration_comes_from_frontdoor_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    monkeypatch.setenv("FRONTDOOR_ENV", "test")
    monkeypatch.setenv("FRONTDOOR_SECRET_KEY", "from-the-environment")
    config = load_config({"instance_path": tmp_path})
    assert config.database_url.endswith("x.db")
    assert config.env == "test"
    assert config.secret_key == "from-the-environment"


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("FRONTDOOR_DATABASE_URL", raising=False)
    assert load_config({"instance_path": tmp_path}).database_url == (
        f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"
    )


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config({"env": "staging", "instance_path": tmp_path})


def test_security_headers_on_every_page(client):
    response = client.get("/book/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_every_script_tag_carries_the_pages_nonce(client):
    response = client.get("/book/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    assert html.count("<script") == html.count(f'nonce="{nonce}"') > 0
    assert '"allowEval": false' in html  # htmx never evaluates strings


def test_not_found_is_a_styled_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "govuk-template" in response.get_data(as_text=True)


def test_forbidden_is_a_styled_page(client, demo):
    sign_in(client, "reception@riverside.example")
    response = client.get("/admin/hubs/new")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def _app_with_a_broken_page(tmp_path, env):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'e.sqlite3'}"
    app = create_app(
        {
            "env": env,
            "database_url": url,
            "secret_key": "x",
            "family_key_secret": "y",
            "instance_path": tmp_path,
            "log_level": "INFO",
        }
    )

    @app.route("/broken")
    def broken():
        raise RuntimeError("details a family must never see")

    broken.public = True
    return app


def test_server_error_shows_no_stack_trace_and_logs_no_query(tmp_path, caplog):
    app = _app_with_a_broken_page(tmp_path, "production")
    logger = logging.getLogger("frontdoor")
    logger.addHandler(caplog.handler)
    try:
        response = app.test_client().get("/broken?email=parent@example.com")
    finally:
        logger.removeHandler(caplog.handler)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "Traceback" not in page and "details a family" not in page
    logged = " ".join(r.getMessage() + json.dumps(getattr(r, "fields", {})) for r in caplog.records)
    assert "parent@example.com" not in logged


def test_logs_are_json_lines_with_endpoint_not_url(client, capsys):
    from frontdoor.logs import JSONFormatter

    record = logging.LogRecord("frontdoor", logging.INFO, __file__, 1, "request", (), None)
    record.fields = {"endpoint": "booking.choose_hub", "status": 200}
    line = json.loads(JSONFormatter().format(record))
    assert line["endpoint"] == "booking.choose_hub"
    assert line["message"] == "request"


def test_demo_loads_two_hubs_staff_and_a_timetable_and_twice_changes_nothing(app, demo):
    from frontdoor import clock
    from frontdoor.demo import load_demo

    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Organisation, Hub, StaffUser, SessionSeries, Session)
        ]

    with app.app_context():
        slugs = set(db.session.scalars(select(Hub.slug)))
        titles = set(db.session.scalars(select(SessionSeries.title)))
        before = counts()
        assert load_demo(password="other-password", today=clock.today()) is False
        db.session.commit()
        assert counts() == before
    assert slugs == {"riverside", "northgate"}
    assert {
        "Stay and Play",
        "Baby Massage",
        "Breastfeeding Café",
        "Health Visitor drop-in",
        "Antenatal group",
        "Parenting course",
        "Dads' group",
        "SEND support group",
        "Youth club",
        "Money advice",
    } <= titles
    assert before[3] >= 10


def _cli(tmp_path, *args, input_text=None):
    env = {
        **os.environ,
        "FRONTDOOR_ENV": "development",
        "FRONTDOOR_INSTANCE_PATH": str(tmp_path),
        "FRONTDOOR_LOG_LEVEL": "WARNING",
    }
    env.pop("FRONTDOOR_DATABASE_URL", None)
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "frontdoor"), *args],
        env=env,
        capture_output=True,
        text=True,
        input=input_text,
        timeout=120,
    )


def test_console_script_upgrades_creates_staff_and_loads_demo(tmp_path):
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    made = _cli(
        tmp_path,
        "staff",
        "create",
        "--email",
        "First@Council.example",
        "--name",
        "First Admin",
        "--password",
        "a-long-password",
    )
    assert made.returncode == 0, made.stderr
    assert "Created first@council.example" in made.stdout
    again = _cli(
        tmp_path,
        "staff",
        "create",
        "--email",
        "first@council.example",
        "--name",
        "Again",
        "--password",
        "a-long-password",
    )
    assert again.returncode != 0
    assert "already exists" in again.stderr
    demo = _cli(tmp_path, "demo", "--password", "demo-password")
    assert "Demo council loaded" in demo.stdout
    assert "already there" in _cli(tmp_path, "demo").stdout
    assert "/kiosk/" in _cli(tmp_path, "urls").stdout


def test_behind_a_proxy_throttles_see_the_visitors_own_address(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'p.sqlite3'}"
    app = create_app(
        {
            "env": "test",
            "database_url": url,
            "secret_key": "x",
            "instance_path": tmp_path,
            "proxy_count": 1,
        }
    )

    @app.route("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr or ""

    whoami.public = True
    seen = app.test_client().get("/whoami", headers={"X-Forwarded-For": "198.51.100.7"})
    assert seen.get_data(as_text=True) == "198.51.100.7"


def test_built_assets_are_sent_compressed_to_browsers_that_accept_gzip(client):
    import gzip

    plain = client.get("/static/dist/frontdoor.css")
    packed = client.get("/static/dist/frontdoor.css", headers={"Accept-Encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Type"].startswith("text/css")
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert gzip.decompress(packed.data) == plain.data
