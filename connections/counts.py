"""Counts of connections for reports, with no names: how many were made, accepted,
and completed (the practitioner recorded that contact happened), by hub, month
(at the hub, Europe/London), topic and partner.

Derived from the connection rows, not kept in a table of their own: the retention
purge keeps every connection's row and erases only what the family shared and the
partner's reason (as it does for visits), so the rows stay the one record of what
happened. A separate counts table would be a second record to keep in step with
every answer and every correction of "did contact happen?".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Connection, ConnectionStatus, PartnerService

Key = tuple[int, date, str, int | None]  # hub, month, topic, partner


@dataclass(frozen=True)
class ConnectionCount:
    hub_id: int
    month: date  # its first day
    topic: str
    partner_id: int | None
    made: int
    accepted: int
    completed: int


def connection_counts(
    hub_ids: Iterable[int], start: datetime, end: datetime
) -> list[ConnectionCount]:
    """Connections made at these hubs from ``start`` to before ``end``, counted."""
    rows = db.session.execute(
        select(
            Connection.hub_id,
            Connection.created_at,
            Connection.topic,
            PartnerService.partner_id,
            Connection.status,
            Connection.contact_happened,
        )
        .outerjoin(PartnerService, PartnerService.id == Connection.service_id)
        .where(
            Connection.hub_id.in_(list(hub_ids)),
            Connection.created_at >= start,
            Connection.created_at < end,
        )
    )
    made: Counter[Key] = Counter()
    accepted: Counter[Key] = Counter()
    completed: Counter[Key] = Counter()
    for hub_id, created_at, topic, partner_id, status, happened in rows:
        key = (hub_id, clock.local(created_at).date().replace(day=1), topic, partner_id)
        made[key] += 1
        accepted[key] += status == ConnectionStatus.ACCEPTED
        completed[key] += happened is True
    return [
        ConnectionCount(hub, month, topic, partner, made[key], accepted[key], completed[key])
        for key in sorted(made, key=lambda k: (k[0], k[1], k[2], k[3] or 0))
        for hub, month, topic, partner in [key]
    ]
