"""``frontdoor kiosk pair --hub riverside``: a one-time pairing link for a screen."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub
from kiosk.pairing import PAIRING_LIFETIME, add_kiosk

kiosk_cli = AppGroup("kiosk", help="Kiosk screens.")


@kiosk_cli.command("pair")
@click.option("--hub", "slug", required=True, help="The hub's short name, like riverside.")
@click.option("--name", default="Kiosk", show_default=True, help="What staff call the screen.")
def pair_command(slug: str, name: str) -> None:
    """Add a kiosk and print a one-time link that pairs the screen that opens it."""
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug))
    if hub is None:
        raise click.BadParameter(f"no hub with slug {slug!r}", param_hint="--hub")
    if not name.strip():
        raise click.BadParameter("give the screen a name", param_hint="--name")
    device, code = add_kiosk(hub.id, name, now=clock.now(), created_by_id=None)
    db.session.commit()
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    minutes = int(PAIRING_LIFETIME.total_seconds() // 60)
    click.echo(f"Kiosk {device.name!r} added to {hub.name}.")
    click.echo(f"Open this on the screen within {minutes} minutes and press Pair this screen:")
    click.echo(f"  {base}/kiosk/pair?code={code}")
