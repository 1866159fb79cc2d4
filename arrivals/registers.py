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
from frontdoor import counting
from frontdoor.extensions import db
from frontdoor.models import (
    FOR_A_BOOKING,
    Booking,
    BookingSource,
    BookingStatus,
    Session,
    Visit,
    VisitKind,
    VisitStatus,
)

# A child a visit counted before the kiosk and the desk asked ages.
# Children counted without a band (visits from before ages were asked): the
# counting rules' own "not known", so the register and the reports agree.
AGE_NOT_TOLD = counting.UNKNOWN_BAND


def children_by_band(visits: Iterable[Visit]) -> Counter[str]:
    """Children who came, by age band, as every count has them
    (``counting.children_by_band``); the total is always every child."""
    counts: Counter[str] = Counter()
    for visit in visits:
        counts.update(counting.children_by_band(visit.children, visit.child_bands or []))
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
        """Drop-ins who came: arrivals, as every count has them (not those staff
        marked not here)."""
        return [v for v in self.dropped_in if counting.is_arrival(v)]

    @property
    def arrived(self) -> list[Visit]:
        """Everyone who came, booked or dropped in (not those marked not here)."""
        visits = [*self.visit_of.values(), *self.dropped_in]
        return [v for v in visits if counting.is_arrival(v)]

    @property
    def joined_online(self) -> list[Visit]:
        """Booked families staff recorded as joining online (``arrivals.joined_online``)."""
        return [v for v in self.visit_of.values() if v.kind == VisitKind.ONLINE]

    @property
    def children_who_came(self) -> Counter[str]:
        return children_by_band(self.arrived)

    @property
    def in_the_room(self) -> list[Visit]:
        """Everyone arrived for the session and not yet gone, booked or not."""
        visits = [*self.visit_of.values(), *self.dropped_in]
        return [v for v in visits if counting.is_arrival(v) and v.status != VisitStatus.LEFT]


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
        dropped_in=[v for v in visits if v.kind not in FOR_A_BOOKING],
        visit_of={v.booking_id: v for v in visits if v.booking_id is not None},
    )
