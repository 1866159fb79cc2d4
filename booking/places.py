"""The locks that make "check, then book" safe.

Every rule that reads how many places are left (``booking.availability``) and
then writes a booking or a drop-in visit runs after ``lock_session`` in the same
transaction, so two families tapping "Book" in the same second are served one
after the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Base, Booking, Session

T = TypeVar("T", bound=Base)

_SESSION_WITH = (
    joinedload(Session.series, innerjoin=True),
    joinedload(Session.hub, innerjoin=True),
    joinedload(Session.room),
)

# Switched off only by the test that proves the race is real without it.
LOCKING = True


def lock_row(
    model: type[T], row_id: int, *, key_share: bool = False, options: Sequence[ORMOption] = ()
) -> T | None:
    """Take one row's write lock for the rest of the transaction, and the row.

    PostgreSQL: a row lock (``SELECT ... FOR UPDATE``; ``key_share`` makes it
    ``FOR NO KEY UPDATE``, which does not hold up inserts that merely reference
    the row). SQLite locks the whole database for writing, which an ``UPDATE`` as
    the transaction's first write takes at once; later writers wait for our commit.

    The row is read again (its columns may have changed before the lock), which
    drops what was loaded with it: ``options`` load again what the rules read next
    in the same query (only ``model``'s own row is locked).
    """
    if LOCKING:
        key = model.__table__.c.id  # every row we lock is keyed by ``id``
        if db.session.get_bind().dialect.name == "postgresql":
            return (
                db.session.scalars(
                    select(model)
                    .where(key == row_id)
                    .options(*options)
                    .with_for_update(key_share=key_share, of=model)
                    .execution_options(populate_existing=True)
                )
                .unique()
                .one_or_none()
            )  # unique(): ``options`` may join a collection
        db.session.execute(
            update(model)
            .where(key == row_id)
            .values(id=key)
            .execution_options(synchronize_session=False)
        )
    return db.session.get(model, row_id, populate_existing=True, options=options)


def lock_session(session_id: int) -> Session | None:
    """The session's lock: every rule that counts places and then books runs after it.
    Its series, room and hub come with it: every rule under the lock reads them."""
    return lock_row(Session, session_id, options=_SESSION_WITH)


def lock_existing_session(session_id: int | None) -> Session:
    """The lock on a session that must be there (``lock_session``); ``not_found``
    if it is not, or if a booking's session is asked for and it has none (an
    appointment's booking)."""
    session = lock_session(session_id) if session_id is not None else None
    if session is None:
        raise ServiceError("not_found")
    return session


def lock_booking(booking_id: int, *, options: Sequence[ORMOption] = ()) -> Booking | None:
    """The booking's write lock, so two kiosks checking it in make one visit;
    ``options`` load what the caller reads next with it (``lock_row``)."""
    return lock_row(Booking, booking_id, options=options)
