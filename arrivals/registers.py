"""A session's register: everyone who booked (confirmed, waiting, cancelled) and
everyone who came, booked or dropped in, with the places counted as everywhere
else (``booking.availability``). Read by the staff side's register page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from booking.availability import Availability, availability
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Session,
    Visit,
    VisitKind,
    VisitStatus,
)

# A child a visit counted before the kiosk and the desk asked ages.
AGE_NOT_TOLD = ""


def children_by_band(visits: Iterable[Visit]) -> Counter[str]:
    """Children who came, by age band: each visit's own bands (a booked family's
    are those they checked in with); children of visits from before ages were
    asked count under ``AGE_NOT_TOLD``, so the total is always every child."""
    counts: Counter[str] = Counter()
    for visit in visits:
        bands = list(visit.child_bands or [])
        counts.update(bands)
        if visit.children > len(bands):
            counts[AGE_NOT_TOLD] += visit.children - len(bands)
    return counts


@dataclass
class Register:
    """Everyone on a session's register: booked, waiting, cancelled, and the
    families who dropped in (or whom reception checked in to it at the desk)."""

    session: Session
    available: Availability
    confirmed: list[Booking]
    waiting: list[tuple[int, Booking]]
    cancelled: list[Booking]
    dropped_in: list[Visit]  # in the order they arrived; no-shows too, marked
    visit_of: dict[int, Visit]  # a booking's visit, by booking id, once they arrived

    @property
    def people(self) -> int:
        return sum(b.people for b in self.confirmed)

    @property
    def came(self) -> list[Visit]:
        """Drop-ins who came: not those staff marked not here."""
        return [v for v in self.dropped_in if v.status != VisitStatus.NO_SHOW]

    @property
    def arrived(self) -> list[Visit]:
        """Everyone who came, booked or dropped in (not those marked not here)."""
        visits = [*self.visit_of.values(), *self.dropped_in]
        return [v for v in visits if v.status != VisitStatus.NO_SHOW]

    @property
    def children_who_came(self) -> Counter[str]:
        return children_by_band(self.arrived)

    @property
    def in_the_room(self) -> list[Visit]:
        """Everyone arrived for the session and not yet gone, booked or not."""
        visits = [*self.visit_of.values(), *self.dropped_in]
        return [v for v in visits if v.status not in (VisitStatus.LEFT, VisitStatus.NO_SHOW)]


def load_register(session: Session, now: datetime) -> Register:
    """Everything on a register: one query for the bookings, one for the visits,
    and the places counted as everywhere else."""
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id)
        .order_by(Booking.created_at, Booking.id)
    ).all()
    visits = db.session.scalars(
        select(Visit).where(Visit.session_id == session.id).order_by(Visit.arrived_at, Visit.id)
    ).all()
    waiting = [b for b in bookings if b.status == BookingStatus.WAITING]
    return Register(
        session=session,
        available=availability(session, now, source=BookingSource.STAFF),
        confirmed=[b for b in bookings if b.status == BookingStatus.CONFIRMED],
        # The same order as ``waiting_position``: first come, first served.
        waiting=list(enumerate(waiting, start=1)),
        cancelled=[b for b in bookings if b.status == BookingStatus.CANCELLED],
        dropped_in=[v for v in visits if v.kind != VisitKind.BOOKING],
        visit_of={v.booking_id: v for v in visits if v.booking_id is not None},
    )
