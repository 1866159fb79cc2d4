"""The audit log: every staff read of a family's record, and every change; and searching it.

The log is append-only: the database refuses to change or delete its rows (migration
f3a1c8d2e5b7), so nothing here, nor the retention purge, ever does.

``detail`` is plain words for a human reader and never holds a family's personal
data (the subject's id says whose record it was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import AuditEvent


def record(
    action: str,
    *,
    staff_id: int | None,
    subject_type: str,
    subject_id: int | None,
    hub_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an audit event to the caller's transaction (committed with it)."""
    event = AuditEvent(
        at=clock.now(),
        staff_id=staff_id,
        hub_id=hub_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail[:500],
    )
    db.session.add(event)
    return event


# --- reading the log (the managers' audit page) -----------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditQuery:
    """What to look for. ``hub_ids`` None: every hub and council-wide events (a council
    admin); otherwise only events at those hubs. ``subjects`` (kind, id) pairs: one
    family's records; an empty tuple finds nothing, None leaves it out."""

    hub_ids: frozenset[int] | None
    staff_id: int | None = None
    action: str = ""
    first: date | None = None
    last: date | None = None
    subjects: tuple[tuple[str, int], ...] | None = None


def _where(query: AuditQuery, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.hub_ids is not None:
        where.append(AuditEvent.hub_id.in_(query.hub_ids))
    if query.staff_id is not None:
        where.append(AuditEvent.staff_id == query.staff_id)
    if query.action:
        where.append(AuditEvent.action == query.action)
    if query.first is not None:
        where.append(AuditEvent.at >= datetime.combine(query.first, time(0), tz))
    if query.last is not None:
        where.append(AuditEvent.at < datetime.combine(query.last + timedelta(days=1), time(0), tz))
    if query.subjects is not None:
        where.append(
            or_(
                false(),
                *(
                    and_(AuditEvent.subject_type == kind, AuditEvent.subject_id == subject_id)
                    for kind, subject_id in query.subjects
                ),
            )
        )
    return where


def search(query: AuditQuery, *, page: int, tz: ZoneInfo) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    where = _where(query, tz)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*where)) or 0
    events = db.session.scalars(
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(events), total


def actions() -> list[str]:
    """Every action the log holds, for the search's choices."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
