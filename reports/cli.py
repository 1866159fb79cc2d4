"""``frontdoor reach``: the daily totals and the quarterly return from the command line.

frontdoor reach export --hub riverside --quarter 2026Q3 > riverside-2026Q3.csv
frontdoor reach build --from 2026-01-01 --to 2026-12-06   # a back-fill
"""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub
from frontdoor.words.staff import for_staff
from reports.export import quarterly_return, record_export
from reports.figures import reach_report
from reports.periods import quarter
from reports.totals import build_days

reach_cli = AppGroup("reach", help="Reach: daily totals and reports.")


@reach_cli.command("export")
@click.option("--hub", "slug", required=True, help="The hub's short name, or 'all'.")
@click.option("--quarter", "which", required=True, help="The quarter, like 2026Q3.")
def export_command(slug: str, which: str) -> None:
    """The quarterly return for a hub (or all hubs) as CSV on standard output."""
    try:
        period = quarter(which)
    except ServiceError as error:
        raise click.BadParameter(for_staff(error)) from None
    query = select(Hub).order_by(Hub.name)
    if slug != "all":
        query = query.where(Hub.slug == slug)
    hubs = db.session.scalars(query).all()
    if not hubs:
        raise click.BadParameter(f"no hub called {slug!r}")
    reach = reach_report([hub.id for hub in hubs], period.first, period.last)
    one = hubs[0].id if slug != "all" else None
    record_export(f"command line, {which}", staff_id=None, hub_id=one, subject_id=one)
    db.session.commit()
    sys.stdout.write(quarterly_return(reach, slug))


@reach_cli.command("build")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]))
def build_command(first, last) -> None:
    """Count these days again (both included), replacing their totals."""
    kept = build_days(date.fromordinal(first.toordinal()), date.fromordinal(last.toordinal()))
    db.session.commit()
    click.echo(f"Kept {kept} rows.")
