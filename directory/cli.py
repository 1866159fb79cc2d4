"""``frontdoor directory import SOURCE``: bring a council's Open Referral UK 3.0 feed
into the directory (a file, or an http(s) address), matched on service ids.

    frontdoor directory import services.json
    frontdoor directory import https://directory.example.gov.uk/openreferral/services
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import click
from flask.cli import AppGroup
from sqlalchemy import select

from directory.imports import import_feed
from directory.oruk import DEFAULT_MAX_BYTES, parse_feed, read_feed
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Organisation
from frontdoor.outbound import RedirectRefused, open_url
from frontdoor.words.staff import for_staff

directory_cli = AppGroup("directory", help="The directory of partner services.")
FETCH_SECONDS = 60


def _open(source: str) -> IO[bytes]:
    if source.startswith(("http://", "https://")):
        return open_url(source, timeout=FETCH_SECONDS)
    return Path(source).open("rb")


def _council(slug: str | None) -> Organisation:
    query = select(Organisation).order_by(Organisation.id)
    if slug:
        query = query.where(Organisation.slug == slug)
    councils = db.session.scalars(query).all()
    if len(councils) != 1:
        raise click.UsageError("Name the council with --council (its short name).")
    return councils[0]


@directory_cli.command("import")
@click.argument("source")
@click.option("--council", "slug", help="The council's short name, if there is more than one.")
@click.option("--max-mb", default=DEFAULT_MAX_BYTES // 2**20, show_default=True)
def import_command(source: str, slug: str | None, max_mb: int) -> None:
    """Add or update the services of an Open Referral UK 3.0 feed."""
    council = _council(slug)
    try:
        with _open(source) as stream:
            feed = parse_feed(read_feed(stream, max_bytes=max_mb * 2**20), max_bytes=max_mb * 2**20)
    except RedirectRefused as error:
        raise click.ClickException(f"Could not read {source}: {error}") from None
    except OSError as error:
        raise click.ClickException(f"Could not read {source}: {type(error).__name__}") from None
    except ServiceError as error:
        raise click.ClickException(for_staff(error)) from None
    result = import_feed(feed, organisation_id=council.id, now=clock.now())
    db.session.commit()
    click.echo(
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
        f"{len(result.skipped)} skipped."
    )
    for problem in result.skipped:
        click.echo(f"  skipped: {for_staff(problem)}")
