"""What staff do to a whole session, and what each family booked or waiting is told:
a new capacity (a raise moves the waiting list), a cancellation (one session, or
every session on a day the hub is closed), a move to another time or room.

Each takes the session's lock, leaves committing to the caller, is audited, and
raises ``ServiceError`` with a code (``not_found``, ``capacity_range``,
``capacity_below_bookings``, and the timetable's codes for a move).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from booking.availability import availability
from booking.messages import queue_booking_message
from booking.places import lock_existing_session, lock_session
from booking.services import promote_waiting_list
from booking.tokens import retire_links
from frontdoor import timetable
from frontdoor.closures import sessions_on
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import LIVE_STATUSES, Booking, BookingStatus, Hub, HubClosure, Session


def set_capacity(
    session: Session, capacity: int, *, now: datetime, staff_id: int | None = None
) -> list[Booking]:
    """A lead changes one session's capacity (audited); a raise moves the waiting list.

    Only the places spoken for (booked, and held for or taken by drop-ins) must
    still fit: families on the waiting list hold no place, so they never stop a raise.
    """
    session = lock_existing_session(session.id)
    if not 1 <= capacity <= timetable.MAX_CAPACITY:
        raise ServiceError("capacity_range", field="capacity", low=1, high=timetable.MAX_CAPACITY)
    needed = availability(session, now).spoken_for
    if capacity < needed:
        raise ServiceError("capacity_below_bookings", field="capacity", booked=needed)
    before = session.capacity
    session.capacity = capacity
    session.capacity_overridden = True
    if session.needs_attention == "capacity_below_bookings":
        session.needs_attention = ""
    db.session.flush()
    promoted = promote_waiting_list(session, now=now)
    timetable.audit_session(
        "session.capacity",
        session,
        staff_id,
        f"Capacity {before} to {capacity}; {len(promoted)} promoted from the waiting list",
    )
    return promoted


def _booked_or_waiting(session: Session) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.session_id == session.id,
                Booking.status.in_(LIVE_STATUSES),
            )
            .order_by(Booking.id)
        )
    )


def cancel_session(
    session: Session, reason: str, *, now: datetime, staff_id: int | None = None
) -> int:
    """Cancel a session and tell every family booked or waiting (audited); returns how many."""
    session = lock_existing_session(session.id)
    timetable.cancel_session(session, reason)
    affected = _booked_or_waiting(session)
    for booking in affected:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancel_reason = reason.strip()
        retire_links(booking)
        queue_booking_message(booking, "session_cancelled", now=now, reason=reason.strip())
    timetable.audit_session(
        "session.cancel", session, staff_id, f"Cancelled; {len(affected)} families told"
    )
    return len(affected)


def cancel_sessions_on_closed_day(
    closure: HubClosure, *, now: datetime, staff_id: int | None = None
) -> list[Session]:
    """Cancel the sessions still to come on a day the hub is closed, with the
    closure's reason, telling every family booked or waiting (``cancel_session``).
    One cancelled meanwhile is left as it is, so a second press cancels nothing."""
    hub = db.session.get_one(Hub, closure.hub_id)
    cancelled = []
    for session in sessions_on(hub.id, closure.day, ZoneInfo(hub.timezone), now=now):
        locked = lock_session(session.id)
        if locked is None or locked.is_cancelled:
            continue
        cancel_session(locked, closure.reason, now=now, staff_id=staff_id)
        cancelled.append(locked)
    return cancelled


def move_session(
    session: Session,
    *,
    day: date,
    start: time,
    end: time,
    room_id: int | None,
    now: datetime,
    staff_id: int | None = None,
) -> int:
    """A lead moves one session (``timetable.move_session``, audited) and every family booked
    or waiting is told the new time; returns how many. A move that leaves the time
    as it was (a room change, the same form sent twice) tells nobody."""
    locked = lock_existing_session(session.id)
    before = (locked.starts_at, locked.ends_at)
    timetable.move_session(locked, day=day, start=start, end=end, room_id=room_id)
    moved_to = f"Moved to {locked.starts_at:%Y-%m-%d %H:%M} UTC, room {room_id or 'none'}"
    if (locked.starts_at, locked.ends_at) == before:
        timetable.audit_session("session.move", locked, staff_id, moved_to + "; nobody told")
        return 0
    db.session.flush()
    db.session.refresh(locked, ["room"])
    # One message per move: moving again, even back to an earlier time, is news again.
    event = f"{locked.starts_at:%Y%m%dT%H%M}-{now:%Y%m%dT%H%M%S}"
    affected = _booked_or_waiting(locked)
    for booking in affected:
        queue_booking_message(booking, "session_moved", now=now, event=event)
    timetable.audit_session(
        "session.move", locked, staff_id, f"{moved_to}; {len(affected)} families told"
    )
    return len(affected)
