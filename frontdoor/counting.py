"""The counting rules (issue 12): one home for what every count in Front Door means,
used by the reports and their daily totals (``reports``), the daily summary email
(``frontdoor.summary``) and the registers (``arrivals.registers``).

It lives in the core, not in ``reports``, because the core and ``arrivals`` use it
and the core imports none of the packages built on it.

- An **arrival** (a visit) is a visit staff did not mark "did not come": no-shows
  are visits too (a booking nobody came for becomes one), but are counted apart.
- A **booking** is a place booked at a session, not cancelled, counted on the day of
  its session.
- A **family** is its family key. A visit with no key takes its booking's key; with
  neither, it is a family of its own ("v" and the visit's id, or "b" and the
  booking's id, so a booking and its check-in are still one family). A family is
  *reached* on a day when it arrives.
- A family is **new** in a period when it first arrived at any hub of the council
  in that period, and **returning** when it had arrived before.
- **Children by age band**: each child of an arrival, by the band given; children
  counted before bands were asked have the band "" (not known).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, String, cast, func, literal_column

from frontdoor import clock
from frontdoor.models import Booking, BookingStatus, Visit, VisitStatus

# Unknown: a child counted before age bands were asked.
UNKNOWN_BAND = ""


def arrived() -> ColumnElement[bool]:
    """SQL: the visit is an arrival."""
    return Visit.status != VisitStatus.NO_SHOW


def no_show() -> ColumnElement[bool]:
    """SQL: the visit is a booking nobody came for (or someone marked not here)."""
    return Visit.status == VisitStatus.NO_SHOW


def booked() -> ColumnElement[bool]:
    """SQL: the booking counts as a booking (it was not cancelled)."""
    return Booking.status != BookingStatus.CANCELLED


def is_arrival(visit: Visit) -> bool:
    return arrived_status(visit.status)


def arrived_status(status: str) -> bool:
    """A visit with this status is an arrival (the Python twin of ``arrived()``)."""
    return status != VisitStatus.NO_SHOW


def family_of(
    family_key: str | None,
    visit_id: int | None,
    booking_id: int | None = None,
    booking_key: str | None = None,
) -> str:
    """The family a visit (or booking) counts as: see the module's rules."""
    if family_key:
        return family_key
    if booking_key:
        return booking_key
    if booking_id is not None:
        return f"b{booking_id}"
    return f"v{visit_id}"


def family_sql() -> ColumnElement[str]:
    """SQL twin of ``family_of`` for a visit outer-joined to its booking. Literal
    prefixes, not bound parameters, so the expression can be grouped by."""
    return func.coalesce(
        func.nullif(Visit.family_key, ""),
        func.nullif(Booking.family_key, ""),
        literal_column("'b'") + cast(Booking.id, String),
        literal_column("'v'") + cast(Visit.id, String),
    )


def children_by_band(children: int, bands: Iterable[str]) -> Counter[str]:
    """An arrival's children by age band; any counted without a band are unknown."""
    counted: Counter[str] = Counter(bands)
    missing = children - sum(counted.values())
    if missing > 0:
        counted[UNKNOWN_BAND] += missing
    return counted


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A day at the hub (Europe/London), as UTC instants: start, and end (excluded)."""
    start = datetime.combine(day, time(0), clock.LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), clock.LONDON)
    return start.astimezone(clock.UTC), end.astimezone(clock.UTC)
