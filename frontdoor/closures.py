"""Days a hub is closed: the rules for adding and removing them, and asking.

A closed day offers no appointments (the slot finder skips it and a booking for
it is refused). Sessions stay as the timetable has them until a manager cancels
the ones on the day in one press (``booking.session_changes.cancel_sessions_on_closed_day``,
which tells the families).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from frontdoor.bank_holidays import bank_holidays
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import HubClosure, Session, SessionStatus
from frontdoor.timetable import local_datetime

MAX_REASON = 100


def closed_days(hub_id: int, first: date, last: date) -> set[date]:
    """The hub's closed days from ``first`` to ``last``, inclusive."""
    return set(
        db.session.scalars(
            select(HubClosure.day).where(
                HubClosure.hub_id == hub_id, HubClosure.day >= first, HubClosure.day <= last
            )
        )
    )


def upcoming_closures(hub_id: int, today: date) -> list[HubClosure]:
    return list(
        db.session.scalars(
            select(HubClosure)
            .where(HubClosure.hub_id == hub_id, HubClosure.day >= today)
            .order_by(HubClosure.day)
        )
    )


def add_closure(hub_id: int, day: date, reason: str, *, today: date) -> HubClosure:
    """Close the hub on ``day``. Codes: ``day_past``, ``day_taken``,
    ``reason_required``, ``reason_too_long``."""
    reason = " ".join(reason.split())
    if day < today:
        raise ServiceError("day_past", field="day")
    if not reason:
        raise ServiceError("reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError("reason_too_long", field="reason", max=MAX_REASON)
    if day in closed_days(hub_id, day, day):
        raise ServiceError("day_taken", field="day")
    closure = HubClosure(hub_id=hub_id, day=day, reason=reason)
    db.session.add(closure)
    db.session.flush()
    return closure


def bank_holiday_years(today: date) -> list[int]:
    """The years a manager may close the hub on the bank holidays of: this one and
    the next two. GOV.UK announces them about that far ahead; later dates are only
    the usual rule (a one-off holiday comes with a newer ``holidays`` package)."""
    return [today.year + n for n in range(3)]


def add_bank_holidays(hub_id: int, year: int, *, today: date) -> list[HubClosure]:
    """Close the hub on the year's bank holidays still to come (those not closed
    already). Raises ``year_unknown`` for a year outside ``bank_holiday_years``."""
    if year not in bank_holiday_years(today):
        raise ServiceError("year_unknown", field="year")
    days = [(d, name) for d, name in bank_holidays(year) if d >= today]
    taken = closed_days(hub_id, date(year, 1, 1), date(year, 12, 31))
    added = [HubClosure(hub_id=hub_id, day=d, reason=name) for d, name in days if d not in taken]
    db.session.add_all(added)
    db.session.flush()
    return added


def remove_closure(closure: HubClosure) -> None:
    db.session.delete(closure)
    db.session.flush()


def sessions_on(hub_id: int, day: date, tz: ZoneInfo, *, now: datetime) -> list[Session]:
    """The sessions still to come at the hub on ``day`` that are not cancelled, by
    start: the ones a closure leaves for someone to cancel."""
    return list(
        db.session.scalars(
            select(Session)
            .where(
                Session.hub_id == hub_id,
                Session.status == SessionStatus.SCHEDULED,
                Session.starts_at >= max(local_datetime(day, time(0), tz), now),
                Session.starts_at < local_datetime(day + timedelta(days=1), time(0), tz),
            )
            .options(joinedload(Session.series), joinedload(Session.room))
            .order_by(Session.starts_at, Session.id)
        )
    )
