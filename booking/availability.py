"""Can this session be booked, or dropped in to, right now, and how many places are left?

One answer, ``availability(session, now, taken)``, that every face renders (the
booking site, the kiosk, the register) and the services raise their codes from
(``book_session`` under the session's lock, ``check_in_drop_in`` likewise).

Places are counted in the session's unit, families or people:

- a confirmed booking takes its places; one on the waiting list or cancelled takes none;
- a drop-in (or a walk-in reception records for the session) takes its places,
  unless staff marked it not here (a no-show);
- a session open to both keeps ``drop_in_places`` for walk-ins. Families book
  from the rest; walk-ins may use the held places and any place not booked. So
  walk-ins never fill a place a family booked, a booking never takes a held
  place, and together they never pass the capacity::

      to book    = capacity - booked - max(held, dropped in)
      to drop in = capacity - booked - dropped in

An online-only session (``Delivery.ONLINE``) has no one at the hub to walk in or
check in: it takes no drop-ins and a booking for it is never checked in at the
kiosk or the desk (``in_person``); staff record who joined on the register.

Lists count many sessions at once with ``count_taken_by_session`` (two queries
for any number of sessions) and pass each session's ``Taken`` in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, func, literal, select, union_all
from sqlalchemy.orm import aliased

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    FOR_A_BOOKING,
    Booking,
    BookingMode,
    BookingSource,
    BookingStatus,
    CapacityUnit,
    Delivery,
    Session,
    Visit,
    VisitStatus,
)

# Families may check in for a drop-in from this long before it starts.
DROP_IN_AHEAD = timedelta(minutes=30)


class State(StrEnum):
    OPEN = "open"
    FULL = "full"
    NOT_OPEN = "not_open"  # booking has not opened yet; for a drop-in, too early
    CLOSED = "closed"  # online booking has closed (the hub may still book until the start)
    STARTED = "started"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    DROP_IN = "drop_in"  # takes no bookings: just come along


# The codes the booking service and the drop-in check-in raise for each "no"
# (with ``opens``, so "not yet" can say when).
BOOKING_REFUSALS = {
    State.CANCELLED: "cancelled_session",
    State.FINISHED: "too_late",
    State.DROP_IN: "drop_in_only",
    State.STARTED: "too_late",
    State.NOT_OPEN: "not_open",
    State.CLOSED: "closed",
}
DROP_IN_REFUSALS = {
    State.CANCELLED: "session_cancelled",
    State.FINISHED: "session_over",
    State.NOT_OPEN: "too_early",
}


@dataclass(frozen=True)
class Taken:
    """Places in use at one session, in its unit (families or people)."""

    booked: int = 0
    dropped_in: int = 0


@dataclass(frozen=True)
class Availability:
    """What can be done about a session now, and how many places are left.

    ``state`` answers "can I book?" for the one booking (the public online, or
    the hub: the kiosk and staff, who may book until the start); ``drop_in``
    answers "can I walk in?" and is None for a session that takes no drop-ins.
    A full session is still bookable: the family is offered the waiting list.
    """

    state: State
    drop_in: State | None
    places_to_book: int
    places_to_drop_in: int
    capacity: int
    held_for_drop_in: int
    taken: Taken
    opens: datetime | None = None  # when booking opens online; None: it takes no bookings
    closes: datetime | None = None
    drop_in_opens: datetime | None = None

    @property
    def takes_bookings(self) -> bool:
        return self.opens is not None

    @property
    def bookable(self) -> bool:
        return self.state in (State.OPEN, State.FULL)

    @property
    def drop_in_now(self) -> bool:
        """Families may walk in now (or could, but it is full: the screen says so)."""
        return self.drop_in in (State.OPEN, State.FULL)

    @property
    def drop_in_too(self) -> bool:
        """Bookable, with places kept for families who drop in."""
        return self.drop_in is not None and self.state != State.DROP_IN

    @property
    def most_to_book(self) -> int:
        """The most places one booking could ever take: all but those held for drop-in."""
        return max(self.capacity - self.held_for_drop_in, 0)

    @property
    def spoken_for(self) -> int:
        """Places booked, or held for or taken by drop-ins: the least the capacity may be."""
        return self.taken.booked + max(self.held_for_drop_in, self.taken.dropped_in)

    def fits_booking(self, need: int) -> bool:
        return need <= self.places_to_book

    def fits_drop_in(self, need: int) -> bool:
        return need <= self.places_to_drop_in

    def booking_refusal(self) -> ServiceError | None:
        """Why this session cannot be booked now, as the service's error; None if it can."""
        code = BOOKING_REFUSALS.get(self.state)
        return ServiceError(code, opens=self.opens) if code else None

    def drop_in_refusal(self) -> ServiceError | None:
        """Why families cannot drop in now (full aside), as the check-in's error."""
        if self.drop_in is None:
            return ServiceError("not_drop_in")
        code = DROP_IN_REFUSALS.get(self.drop_in)
        return ServiceError(code, opens=self.drop_in_opens) if code else None


def availability(
    session: Session,
    now: datetime,
    taken: Taken | None = None,
    *,
    source: str = BookingSource.PUBLIC,
) -> Availability:
    """The answer for ``session`` at ``now``, for a booking from ``source``.

    ``taken`` is the session's count from ``count_taken_by_session`` (lists fetch
    it for every session at once); without it the session is counted now, which
    under ``lock_session`` is the count the booking is made against.
    """
    if taken is None:
        taken = count_taken(session)
    mode = session.series.booking_mode
    held = session.series.drop_in_places if mode == BookingMode.BOTH else 0
    to_book = to_drop_in = 0
    opens = closes = drop_in_opens = None
    if mode != BookingMode.DROP_IN:
        to_book = max(session.capacity - taken.booked - max(held, taken.dropped_in), 0)
        opens, closes = booking_window(session)
    if takes_drop_ins(session):
        to_drop_in = max(session.capacity - taken.booked - taken.dropped_in, 0)
        drop_in_opens = session.starts_at - DROP_IN_AHEAD
    return Availability(
        state=_booking_state(session, now, to_book, source=source, window=(opens, closes)),
        drop_in=_drop_in_state(session, now, to_drop_in),
        places_to_book=to_book,
        places_to_drop_in=to_drop_in,
        capacity=session.capacity,
        held_for_drop_in=held,
        taken=taken,
        opens=opens,
        closes=closes,
        drop_in_opens=drop_in_opens,
    )


def _booking_state(
    session: Session,
    now: datetime,
    places: int,
    *,
    source: str,
    window: tuple[datetime | None, datetime | None],
) -> State:
    if session.is_cancelled:
        return State.CANCELLED
    if now >= session.ends_at:
        return State.FINISHED
    if session.series.booking_mode == BookingMode.DROP_IN:
        return State.DROP_IN
    if now >= session.starts_at:
        return State.STARTED
    opens, closes = window
    if source == BookingSource.PUBLIC and opens is not None and closes is not None:
        if now < opens:
            return State.NOT_OPEN
        if now >= closes:
            return State.CLOSED
    return State.OPEN if places > 0 else State.FULL


def _drop_in_state(session: Session, now: datetime, places: int) -> State | None:
    if not takes_drop_ins(session):
        return None
    if session.is_cancelled:
        return State.CANCELLED
    if now >= session.ends_at:
        return State.FINISHED
    if now < session.starts_at - DROP_IN_AHEAD:
        return State.NOT_OPEN
    return State.OPEN if places > 0 else State.FULL


def booking_window(session: Session) -> tuple[datetime, datetime]:
    """When the public may book: from N days before until M minutes before."""
    series = session.series
    return (
        session.starts_at - timedelta(days=series.booking_opens_days),
        session.starts_at - timedelta(minutes=series.booking_closes_minutes),
    )


def in_person(session: Session) -> bool:
    """Families can come to the hub for it: anything but an online-only session."""
    return session.series.delivery != Delivery.ONLINE


def runs_online(session: Session) -> bool:
    """Families can join it online (online only, or hybrid): it has a joining link."""
    return session.series.delivery != Delivery.IN_PERSON


def takes_drop_ins(session: Session) -> bool:
    return session.series.booking_mode != BookingMode.BOOKING and in_person(session)


def counts_in_people(session: Session) -> bool:
    return session.series.capacity_unit == CapacityUnit.PEOPLE


def units(session: Session, people: int) -> int:
    """Places a party of ``people`` takes: 1 family, or its head count."""
    return people if counts_in_people(session) else 1


# --- counting ------------------------------------------------------------------------


_CONFIRMED = Booking.status == BookingStatus.CONFIRMED
# Families and people with confirmed bookings: aggregates over a session's bookings.
_BOOKED = (
    func.count().filter(_CONFIRMED),
    func.coalesce(func.sum(Booking.people).filter(_CONFIRMED), 0),
)


def _in_units(session: Session, families: int, people: int) -> int:
    return people if counts_in_people(session) else families


def _dropped_in(ids: list[int]) -> Select[int | None, str, int, int]:
    """Families and people who dropped in, by session: visits other than for a
    booking (which its booking already counts), and not marked no-show."""
    return (
        select(
            Visit.session_id,
            literal("dropped_in"),
            func.count(),
            func.coalesce(func.sum(Visit.adults + Visit.children), 0),
        )
        .where(
            Visit.session_id.in_(ids),
            Visit.kind.not_in(FOR_A_BOOKING),
            Visit.status != VisitStatus.NO_SHOW,
        )
        .group_by(Visit.session_id)
    )


def count_taken_by_session(sessions: Iterable[Session]) -> dict[int, Taken]:
    """Places taken at many sessions, in one query however many (for lists, and
    for the drop-in check-in, a hot path). Only sessions that take drop-ins are
    asked about visits: no other can have any."""
    sessions = list(sessions)
    if not sessions:
        return {}
    booked_query = (
        select(Booking.session_id, literal("booked"), *_BOOKED)
        .where(Booking.session_id.in_([s.id for s in sessions]))
        .group_by(Booking.session_id)
    )
    drop_in_ids = [s.id for s in sessions if takes_drop_ins(s)]
    query = union_all(booked_query, _dropped_in(drop_in_ids)) if drop_in_ids else booked_query
    counted: dict[tuple[int | None, str], tuple[int, int]] = {
        (sid, what): (families, people) for sid, what, families, people in db.session.execute(query)
    }
    return {
        s.id: Taken(
            _in_units(s, *counted.get((s.id, "booked"), (0, 0))),
            _in_units(s, *counted.get((s.id, "dropped_in"), (0, 0))),
        )
        for s in sessions
    }


def count_taken(session: Session) -> Taken:
    return count_taken_by_session([session])[session.id]


@dataclass(frozen=True)
class Tally:
    """A session's places taken and families waiting, and the booking an earlier
    press of the same form made (by its nonce): what the booking page needs in
    a rush, in one query."""

    taken: Taken
    waiting: int
    earlier_id: int | None
    # The booking at this session that ``tally``'s ``family`` matched (the booking
    # service's "already booked"), when it was asked.
    family_id: int | None = None
    family_asked: bool = False


# The booking an earlier press of the form made, looked for inside the count (made
# once: a new alias each time would be compiled each time).
_EARLIER = aliased(Booking, name="earlier")


def tally(
    session: Session,
    idempotency_key: str | None = None,
    family: ColumnElement[bool] | None = None,
) -> Tally:
    """The session's ``Tally``; with ``family`` (which of its bookings are this
    family's), a booking of theirs at it too, in the same query."""
    dropped_families: ColumnElement[int] = literal(0)
    dropped_people: ColumnElement[int] = literal(0)
    if takes_drop_ins(session):
        visits = _dropped_in([session.id]).subquery()
        dropped_families = select(func.coalesce(func.sum(visits.c[2]), 0)).scalar_subquery()
        dropped_people = select(func.coalesce(func.sum(visits.c[3]), 0)).scalar_subquery()
    families_own: ColumnElement[int] = literal(None)
    if family is not None:
        families_own = func.min(Booking.id).filter(family)
    (
        families, people, waiting, earlier_id, dropped_in, dropped_in_people, family_id,
    ) = db.session.execute(
        select(
            *_BOOKED,
            func.count().filter(Booking.status == BookingStatus.WAITING),
            # Any session's: a form's key is unique across bookings.
            select(_EARLIER.id)
            .where(_EARLIER.idempotency_key == (idempotency_key or ""))
            .scalar_subquery(),
            dropped_families,
            dropped_people,
            families_own,
        ).where(Booking.session_id == session.id)
    ).one()  # fmt: skip
    taken = Taken(
        _in_units(session, families, people), _in_units(session, dropped_in, dropped_in_people)
    )
    return Tally(taken, waiting, earlier_id, family_id, family is not None)
