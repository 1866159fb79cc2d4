"""Counting places, and the lock that makes "check, then book" safe.

Every rule that reads how many places are left and then writes a booking runs
after ``lock_session`` in the same transaction, so two families tapping "Book"
in the same second are served one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select, update

from frontdoor.extensions import db
from frontdoor.models import Booking, BookingMode, BookingStatus, CapacityUnit, Session

T = TypeVar("T")

# Switched off only by the test that proves the race is real without it.
LOCKING = True


def lock_row(model: type[T], row_id: int, *, key_share: bool = False) -> T | None:
    """Take one row's write lock for the rest of the transaction, and the row.

    PostgreSQL: a row lock (``SELECT ... FOR UPDATE``; ``key_share`` makes it
    ``FOR NO KEY UPDATE``, which does not hold up inserts that merely reference
    the row). SQLite locks the whole database for writing, which an ``UPDATE`` as
    the transaction's first write takes at once; later writers wait for our commit.
    """
    if LOCKING:
        if db.session.get_bind().dialect.name == "postgresql":
            return db.session.scalar(
                select(model)
                .where(model.id == row_id)
                .with_for_update(key_share=key_share)
                .execution_options(populate_existing=True)
            )
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(id=model.id)
            .execution_options(synchronize_session=False)
        )
    return db.session.get(model, row_id, populate_existing=True)


def lock_session(session_id: int) -> Session | None:
    """The session's lock: every rule that counts places and then books runs after it."""
    return lock_row(Session, session_id)


def held_for_drop_in(session: Session) -> int:
    series = session.series
    return series.drop_in_places if series.booking_mode == BookingMode.BOTH else 0


def bookable_places(session: Session) -> int:
    return max(session.capacity - held_for_drop_in(session), 0)


def counts_in_people(session: Session) -> bool:
    return session.series.capacity_unit == CapacityUnit.PEOPLE


def units(session: Session, people: int) -> int:
    """Places a party of ``people`` takes: 1 family, or its head count."""
    return people if counts_in_people(session) else 1


def places_taken(session: Session) -> int:
    amount = (
        func.coalesce(func.sum(Booking.people), 0) if counts_in_people(session) else (func.count())
    )
    return db.session.scalar(
        select(amount).where(
            Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED
        )
    )


def places_left(session: Session) -> int:
    return max(bookable_places(session) - places_taken(session), 0)


@dataclass(frozen=True)
class Tally:
    """A session's bookings counted in one query: places left, families waiting,
    and the booking an earlier press of the same form made (by its nonce)."""

    places_left: int
    waiting: int
    earlier_id: int | None


def tally(session: Session, idempotency_key: str | None = None) -> Tally:
    confirmed = Booking.status == BookingStatus.CONFIRMED
    used = (
        func.coalesce(func.sum(Booking.people).filter(confirmed), 0)
        if counts_in_people(session)
        else func.count().filter(confirmed)
    )
    taken, waiting, earlier_id = db.session.execute(
        select(
            used,
            func.count().filter(Booking.status == BookingStatus.WAITING),
            func.max(Booking.id).filter(Booking.idempotency_key == (idempotency_key or "")),
        ).where(Booking.session_id == session.id)
    ).one()
    return Tally(max(bookable_places(session) - taken, 0), waiting, earlier_id)


def places_left_by_session(sessions: list[Session]) -> dict[int, int]:
    """Places left for many sessions in one query (for lists of what's on)."""
    ids = [s.id for s in sessions]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Booking.session_id, func.count(), func.coalesce(func.sum(Booking.people), 0))
        .where(Booking.session_id.in_(ids), Booking.status == BookingStatus.CONFIRMED)
        .group_by(Booking.session_id)
    ).all()
    taken = {sid: (families, people) for sid, families, people in rows}
    left = {}
    for session in sessions:
        families, people = taken.get(session.id, (0, 0))
        used = people if counts_in_people(session) else families
        left[session.id] = max(bookable_places(session) - used, 0)
    return left


def booking_window(session: Session) -> tuple[datetime, datetime]:
    """When the public may book: from N days before until M minutes before."""
    series = session.series
    return (
        session.starts_at - timedelta(days=series.booking_opens_days),
        session.starts_at - timedelta(minutes=series.booking_closes_minutes),
    )


def lock_booking(booking_id: int) -> Booking | None:
    """The booking's write lock, so two kiosks checking it in make one visit."""
    return lock_row(Booking, booking_id)
