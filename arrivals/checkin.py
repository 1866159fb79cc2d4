"""Checking in: a family with a booking, or at a drop-in, has arrived.

Used by the kiosk and by reception ("check someone in by hand"). Every check-in
makes one visit, whatever double taps or second kiosks do, and says who will
greet the family. Codes: ``not_found``, ``other_hub``, ``cancelled``,
``waiting_list``, ``not_today``, ``too_early``, ``session_over``,
``session_cancelled``, ``already_checked_in``, ``not_drop_in``, ``full``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.availability import availability, units
from booking.places import lock_booking, lock_session
from booking.whats_on import whats_on
from frontdoor.errors import ServiceError
from frontdoor.events import publish
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    BookingStatus,
    Hub,
    Session,
    SessionSeries,
    SessionStatus,
    Visit,
    VisitKind,
)

MAX_PARTY = 20  # adults and children together, at one check-in


def check_party(adults: int, children: int) -> None:
    """Who is here: at least one person, at most ``MAX_PARTY``; else ``party_size``."""
    if adults < 0 or children < 0 or not 1 <= adults + children <= MAX_PARTY:
        raise ServiceError("party_size", field="adults")


def record_visit(hub_id: int, *, now: datetime, **details: object) -> Visit:
    """A new visit in the caller's transaction, announced to the arrivals board
    (which hears of it when the caller commits). Every check-in ends here."""
    visit = Visit(hub_id=hub_id, arrived_at=now, **details)
    db.session.add(visit)
    db.session.flush()
    publish(hub_id, "visit.arrived", now=now, subject="visit", id=visit.id)
    return visit


@dataclass(frozen=True)
class CheckIn:
    visit: Visit
    # Who will come to say hello, and where to wait; None means "a member of staff".
    greeter: str | None
    wait_in: str | None
    created: bool = True
    # Kept apart from ``visit``, whose attributes a commit expires (reading them
    # again would cost a query).
    visit_id: int = 0


def _by_nonce(nonce: str | None) -> Visit | None:
    if not nonce:
        return None
    return db.session.scalar(select(Visit).where(Visit.nonce == nonce))


def _result(visit: Visit, created: bool = True) -> CheckIn:
    session = visit.session
    greeter = None
    if session is not None and session.series.leads:
        greeter = session.series.leads[0].name.split()[0]
    room = session.room.name if session is not None and session.room else None
    return CheckIn(visit, greeter, room, created, visit.id)


def _with_greeting(session_id: int) -> Session:
    """The session with what the thank-you screen needs (series, leads, room, hub),
    loaded in one go rather than one lazy query each."""
    return db.session.scalar(
        select(Session)
        .where(Session.id == session_id)
        .options(
            joinedload(Session.series).joinedload(SessionSeries.leads),
            joinedload(Session.room),
            joinedload(Session.hub),
        )
    )


def _check_time(session: Session, hub: Hub, now: datetime) -> None:
    tz = ZoneInfo(hub.timezone)
    if session.status == SessionStatus.CANCELLED:
        raise ServiceError("session_cancelled")
    if session.starts_at.astimezone(tz).date() != now.astimezone(tz).date():
        raise ServiceError("not_today", starts_at=session.starts_at)
    if now >= session.ends_at:
        raise ServiceError("session_over")
    opens = session.starts_at - timedelta(minutes=hub.settings.checkin_early_minutes)
    if now < opens:
        raise ServiceError("too_early", opens=opens)


def _check_booking(booking: Booking, hub_id: int, now: datetime) -> None:
    session = booking.session
    if session.hub_id != hub_id:
        raise ServiceError("other_hub", hub=session.hub.name)
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("cancelled")
    if booking.status == BookingStatus.WAITING:
        raise ServiceError("waiting_list")
    if booking.checked_in_at is not None:
        visit = db.session.scalar(select(Visit).where(Visit.booking_id == booking.id))
        raise ServiceError("already_checked_in", visit=visit)
    _check_time(session, session.hub, now)


def booking_for_check_in(
    *, hub_id: int, now: datetime, reference: str | None = None, booking_id: int | None = None
) -> Booking:
    """The booking a family showed (QR: id and reference) or typed (reference), or
    chose from "find me" (id), if they may check in for it now.

    Reads only; ``check_in_booking`` checks again under the lock. Raises the same
    codes, so the kiosk can say "too early" before asking who is here.
    """
    booking = None
    if reference:
        booking = booking_by_reference(reference)
        if booking is not None and booking_id is not None and booking.id != booking_id:
            booking = None
    elif booking_id is not None:
        booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id is None:
        raise ServiceError("not_found")
    _check_booking(booking, hub_id, now)
    return booking


def check_in_booking(
    booking_id: int,
    *,
    hub_id: int,
    adults: int,
    children: int,
    now: datetime,
    nonce: str | None = None,
    kiosk_id: int | None = None,
) -> CheckIn:
    """Record that a booked family has arrived (adults and children present)."""
    if earlier := _by_nonce(nonce):
        return _result(earlier, created=False)
    booking = lock_booking(booking_id)
    if booking is None or booking.session_id is None:
        raise ServiceError("not_found")
    session = _with_greeting(booking.session_id)  # first, so the checks find it loaded
    _check_booking(booking, hub_id, now)
    check_party(adults, children)
    booking.checked_in_at = now
    visit = record_visit(
        hub_id,
        now=now,
        session_id=session.id,
        booking_id=booking.id,
        kind=VisitKind.BOOKING,
        first_name=booking.first_name,
        last_name=booking.last_name,
        adults=adults,
        children=children,
        language=booking.language,
        kiosk_id=kiosk_id,
        nonce=nonce,
    )
    return _result(visit)


def drop_ins_now(hub_id: int, now: datetime) -> list[Session]:
    """Sessions at the hub families may drop in to now, full ones too (to say so)."""
    return whats_on(hub_id, now=now, days=1).drop_ins_now()


def next_times(session: Session, count: int = 3) -> list[Session]:
    return list(
        db.session.scalars(
            select(Session)
            .where(
                Session.series_id == session.series_id,
                Session.starts_at > session.starts_at,
                Session.status == SessionStatus.SCHEDULED,
            )
            .order_by(Session.starts_at)
            .limit(count)
        )
    )


def check_in_drop_in(
    session_id: int,
    *,
    hub_id: int,
    first_name: str,
    adults: int,
    children: int,
    now: datetime,
    first_time: bool | None = None,
    language: str = "en",
    nonce: str | None = None,
    kiosk_id: int | None = None,
    kind: str = VisitKind.DROP_IN,
) -> CheckIn:
    """A family arriving for a drop-in (or a walk-in recorded by reception)."""
    if earlier := _by_nonce(nonce):
        return _result(earlier, created=False)
    first_name = first_name.strip()
    if not first_name:
        raise ServiceError("first_name_required", field="first_name")
    if len(first_name) > 100:
        raise ServiceError("name_too_long", field="first_name")
    check_party(adults, children)
    session = lock_session(session_id)
    if session is None or session.hub_id != hub_id:
        raise ServiceError("not_found")
    available = availability(session, now)  # counted under the lock
    if refusal := available.drop_in_refusal():
        raise refusal
    if not available.fits_drop_in(units(session, adults + children)):
        raise ServiceError("full", next_times=next_times(session))
    visit = record_visit(
        hub_id,
        now=now,
        session_id=session.id,
        kind=kind,
        first_name=first_name,
        adults=adults,
        children=children,
        first_time=first_time,
        language=language,
        kiosk_id=kiosk_id,
        nonce=nonce,
    )
    return _result(visit)


@dataclass(frozen=True)
class TodaysBooking:
    booking_id: int
    name: str  # first name and last initial: all the kiosk may show
    title: str
    starts_at: datetime


def find_todays_bookings(hub_id: int, first_name: str, *, now: datetime) -> list[TodaysBooking]:
    """Bookings at this hub, in the check-in window now, for people of that first name."""
    wanted = first_name.strip().casefold()
    if not wanted:
        return []
    hub = db.session.get(Hub, hub_id)
    early = timedelta(minutes=hub.settings.checkin_early_minutes)
    candidates = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(
            Session.hub_id == hub_id,
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at <= now + early,
            Session.ends_at > now,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.checked_in_at.is_(None),
        )
        .options(joinedload(Booking.session).joinedload(Session.series))
        .order_by(Session.starts_at)
    )
    return [
        TodaysBooking(b.id, b.display_name, b.session.series.title, b.session.starts_at)
        for b in candidates
        if b.first_name.casefold() == wanted
    ]


def booking_by_reference(reference: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.reference == reference))
