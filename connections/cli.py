"""``frontdoor connections counts``: connections made, accepted and completed, by hub,
month, topic and partner, as CSV for a council's reports. No names: these counts
come from rows the retention purge keeps (``connections.counts``).

    frontdoor connections counts --from 2027-01 --to 2027-12 > connections.csv
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from connections.counts import connection_counts
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub, Partner

connections_cli = AppGroup("connections", help="Connections to partner services.")


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter("give a month as YYYY-MM, like 2027-03") from None


def _start(month: date) -> datetime:
    return datetime.combine(month, time(0), clock.LONDON)


@connections_cli.command("counts")
@click.option("--from", "first", required=True, help="The first month, YYYY-MM.")
@click.option("--to", "last", required=True, help="The last month, YYYY-MM.")
def counts_command(first: str, last: str) -> None:
    """Connections made, accepted and completed, by hub, month, topic and partner (CSV)."""
    start, final = _month(first), _month(last)
    end = date(final.year + final.month // 12, final.month % 12 + 1, 1)
    hubs = {hub.id: hub.slug for hub in db.session.scalars(select(Hub))}
    partners = {pid: name for pid, name in db.session.execute(select(Partner.id, Partner.name))}
    out = csv.writer(sys.stdout)
    out.writerow(["hub", "month", "topic", "partner", "made", "accepted", "completed"])
    for row in connection_counts(hubs, _start(start), _start(end)):
        partner = partners.get(row.partner_id, "") if row.partner_id else ""
        where = [hubs[row.hub_id], f"{row.month:%Y-%m}", row.topic, partner]
        out.writerow([*where, row.made, row.accepted, row.completed])
