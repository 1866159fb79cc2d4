"""A booked family joined an online (or hybrid) session from home: staff say so
on the register, as the kiosk says so for a family who walks in.

Joining online is an arrival for every count (``frontdoor.counting``): the
register's "came", the reports' visits and reach. It is a visit of kind
``online``, already over (status ``left``), so it is never on the arrivals
board, the fire roll call or "in the room now". It is dated at the session's
start, as a no-show is, so a register marked the next morning counts on the day.

Codes: ``not_found``, ``not_online``, ``session_cancelled``, ``cancelled``,
``waiting_list``, ``too_early``, ``already_checked_in``; taking it back:
``not_joined_online``, ``visit_has_connection``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from booking.availability import runs_online
from booking.places import lock_booking
from booking.visits import take_area_from, visit_for_booking
from frontdoor import counting
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import BookingStatus, Connection, Visit, VisitKind, VisitStatus


def record_joined_online(booking_id: int, *, now: datetime) -> Visit:
    """Record that the family of ``booking_id`` joined its session online. A booking
    the nightly job marked "did not come" becomes one that joined: staff often fill
    the register in after the session."""
    booking = lock_booking(booking_id)  # the lock a check-in takes too
    session = booking.session if booking is not None else None
    if booking is None or session is None:
        raise ServiceError("not_found")
    if not runs_online(session):
        raise ServiceError("not_online")
    if session.is_cancelled:
        raise ServiceError("session_cancelled")
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("cancelled")
    if booking.status == BookingStatus.WAITING:
        raise ServiceError("waiting_list")
    if now < session.starts_at:
        raise ServiceError("too_early", opens=session.starts_at)
    visit = db.session.scalar(select(Visit).where(Visit.booking_id == booking.id))
    if visit is not None and counting.is_arrival(visit):
        raise ServiceError("already_checked_in")
    if visit is None:
        visit = visit_for_booking(
            booking,
            kind=VisitKind.ONLINE,
            status=VisitStatus.LEFT,
            arrived_at=session.starts_at,
        )
        db.session.add(visit)
    else:
        take_area_from(booking, visit)  # a no-show marked before no-shows kept it
    visit.kind = VisitKind.ONLINE
    visit.status = VisitStatus.LEFT
    visit.arrived_at = session.starts_at
    visit.left_at = min(now, session.ends_at)
    booking.checked_in_at = now
    db.session.flush()
    return visit


def take_back_joined_online(booking_id: int) -> None:
    """Take back a "joined online" pressed for the wrong family: the record goes, and
    the booking is as if nobody had said (once the session is over, the nightly job
    marks it "did not come", as any booking nobody arrived for). An online visit is
    never on the board, so only a connection made from it could point at it; then it
    stays, since the practitioner met the family."""
    booking = lock_booking(booking_id)  # the lock recording it takes
    if booking is None:
        raise ServiceError("not_found")
    visit = db.session.scalar(select(Visit).where(Visit.booking_id == booking.id))
    if visit is None or visit.kind != VisitKind.ONLINE:
        raise ServiceError("not_joined_online")
    if db.session.scalar(select(Connection.id).where(Connection.visit_id == visit.id).limit(1)):
        raise ServiceError("visit_has_connection")
    db.session.delete(visit)
    booking.checked_in_at = None
    db.session.flush()
