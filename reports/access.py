"""Who may see which report: managers (and council admins, who hold every role
everywhere) see everything at their hubs; a session lead sees only the series they
lead. "All hubs" is every hub the person may report on; if they only lead series at
some of them, all of it is narrowed to their own series (choose one hub to see the
whole of a hub one manages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import Hub, Role, SessionSeries, StaffUser, series_leads
from reports.figures import Reach, reach_report

REPORT_ROLES = (Role.MANAGER, Role.SESSION_LEAD)


@dataclass(frozen=True)
class Scope:
    hub_ids: list[int]
    series_ids: list[int] | None  # None: the whole of each hub


def report_scope(user: StaffUser, hubs: Iterable[Hub]) -> Scope:
    """What ``user`` may count at ``hubs`` (each one they hold a report role at)."""
    chosen = list(hubs)
    hub_ids = [hub.id for hub in chosen]
    if all(Role.MANAGER in user.roles_at(hub.id) for hub in chosen):
        return Scope(hub_ids, None)
    led = db.session.scalars(
        select(SessionSeries.id)
        .join(series_leads, series_leads.c.series_id == SessionSeries.id)
        .where(series_leads.c.staff_id == user.id, SessionSeries.hub_id.in_(hub_ids))
    ).all()
    return Scope(hub_ids, list(led))


def report_for(user: StaffUser, hubs: Iterable[Hub], first: date, last: date) -> Reach:
    """The report ``user`` may see for ``hubs`` over the period."""
    scope = report_scope(user, hubs)
    return reach_report(scope.hub_ids, first, last, scope.series_ids)
