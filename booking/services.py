"""The booking service: the one place the public site, the kiosk and the staff
side make, change and cancel bookings of sessions.

Plain functions with explicit arguments. Each takes the session's lock before it
reads places and writes, leaves committing to the caller, and raises
``ServiceError`` with a code: ``not_found``, ``cancelled_session``,
``drop_in_only``, ``not_open``, ``closed``, ``too_late``, ``full``, ``duplicate``,
``party_too_large``, ``checked_in``...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select, update

from booking.availability import Availability, Tally, availability, count_taken, tally, units
from booking.contact import Contact, Party
from booking.messages import queue_booking_message
from booking.places import lock_session
from booking.references import new_reference, read_reference
from booking.tokens import retire_links
from frontdoor import timetable
from frontdoor.areas import NO_AREA, Area, area_for_postcode
from frontdoor.closures import sessions_on
from frontdoor.errors import ServiceError
from frontdoor.extensions import db, rows_changed
from frontdoor.family import arrival_family_key
from frontdoor.models import (
    LIVE_STATUSES,
    Booking,
    BookingSource,
    BookingStatus,
    Hub,
    HubClosure,
    Session,
)
from frontdoor.throttle import take_a_try


@dataclass(frozen=True)
class BookingResult:
    booking: Booking
    # False when an earlier submit of the same form already made this booking.
    created: bool = True

    @property
    def waiting(self) -> bool:
        return self.booking.status == BookingStatus.WAITING


def _open_to_book(
    session: Session | None, source: str, now: datetime
) -> tuple[Session, Availability]:
    """The session and its availability, counted now; raises the code for why
    it cannot be booked (``not_found``, ``cancelled_session``, ``drop_in_only``,
    ``too_late``, ``not_open``, ``closed``). A full session passes: the caller
    decides between "full" and the waiting list."""
    if session is None:
        raise ServiceError("not_found")
    available = availability(session, now, count_taken(session), source=source)
    if refusal := available.booking_refusal():
        raise refusal
    return session, available


def _lock_existing(session_id: int | None) -> Session:
    """The lock on a session that must be there (``lock_session``); ``not_found``
    if it is not, or if a booking's session is asked for and it has none (an
    appointment's booking)."""
    session = lock_session(session_id) if session_id is not None else None
    if session is None:
        raise ServiceError("not_found")
    return session


def _same_family(contact: Contact) -> ColumnElement[bool] | None:
    """A live booking made with this contact's email or mobile: the family's own
    (None when they gave neither)."""
    matches = []
    if contact.email:
        matches.append(func.lower(Booking.email) == contact.email.lower())
    if contact.mobile:
        matches.append(Booking.mobile == contact.mobile)
    return Booking.status.in_(LIVE_STATUSES) & or_(*matches) if matches else None


def _existing_for_contact(
    session_id: int, contact: Contact, counted: Tally | None = None
) -> Booking | None:
    """The family's live booking at the session: found by ``counted`` when it asked."""
    if counted is not None and counted.family_asked:
        return db.session.get_one(Booking, counted.family_id) if counted.family_id else None
    same = _same_family(contact)
    if same is None:
        return None
    return db.session.scalar(select(Booking).where(Booking.session_id == session_id, same))


def booking_for_key(key: str | None) -> Booking | None:
    if not key:
        return None
    return db.session.scalar(select(Booking).where(Booking.idempotency_key == key))


def _decide(
    session: Session | None,
    party: Party,
    contact: Contact,
    source: str,
    now: datetime,
    idempotency_key: str | None,
    *,
    first_look: bool = False,
    counted: Tally | None = None,
) -> tuple[Booking | None, bool]:
    """Every check before a booking, in order: an earlier submit of the same form
    (returned), the session, the party, the family; then whether they fit. The
    earlier submit and the places taken are one query (``tally``).

    A ``first_look`` (without the lock) only looks for a "no": when the party fits,
    the family's own checks are left to the look under the lock, which runs them all.
    It may use the caller's ``counted``, taken without the lock in the same request."""
    if session is None:
        raise ServiceError("not_found")
    if counted is None or not first_look:
        counted = tally(session, idempotency_key, _same_family(contact))
    if counted.earlier_id is not None:
        return db.session.get_one(Booking, counted.earlier_id), True
    available = availability(session, now, counted.taken, source=source)
    if refusal := available.booking_refusal():
        raise refusal
    party.check(session.hub.settings.max_party_size)
    contact.check_reachable_for(session)
    need = units(session, party.people)
    fits = need <= available.most_to_book and available.fits_booking(need)
    if first_look and fits:
        return None, True
    if existing := _existing_for_contact(session.id, contact, counted):
        raise ServiceError("duplicate", booking=existing)
    if need > available.most_to_book:
        raise ServiceError("party_too_large", field="adults", limit=available.most_to_book)
    return None, fits


def book_session(
    session_id: int,
    party: Party,
    contact: Contact,
    *,
    now: datetime,
    source: str = BookingSource.PUBLIC,
    idempotency_key: str | None = None,
    join_waiting_list: bool = False,
    card_key: str | None = None,
    postcode: str = "",
    address_limit: AddressLimit | None = None,
    counted: Tally | None = None,
) -> BookingResult:
    """Book a place, or (with ``join_waiting_list``) a place on the waiting list.
    A hub card the family showed at the kiosk (``card_key``) names the booking's family.
    The public site passes its ``address_limit`` (``count_public_booking``), and the
    ``tally`` it has just counted for this form (the first look, without the lock,
    uses it rather than count again).

    A full session raises ``full`` unless the family asked for the waiting list.
    The same form submitted twice (same ``idempotency_key``) gives the first result.
    A ``postcode`` is kept only as its area (``frontdoor.areas``).
    """
    contact = contact.checked()
    area = area_for_postcode(postcode)
    checks = (party, contact, source, now, idempotency_key)
    if not join_waiting_list:
        # A first look without the lock, so that in a rush the families who cannot
        # get a place are told "full" without queueing for it. It only ever says no:
        # a place is given only under the lock below, where every check runs again.
        first = db.session.get(Session, session_id)
        earlier, fits = _decide(first, *checks, first_look=True, counted=counted)
        if earlier is None and not fits:
            raise ServiceError("full")
    session = lock_session(session_id)
    earlier, fits = _decide(session, *checks)
    if earlier is not None:
        return BookingResult(earlier, created=False)
    if not fits and not join_waiting_list:
        raise ServiceError("full")
    count_public_booking(address_limit, now=now)
    assert session is not None  # _decide refused a missing session
    booking = new_booking(
        party,
        contact,
        organisation_id=session.hub.organisation_id,
        card_key=card_key,
        session_id=session_id,
        status=BookingStatus.CONFIRMED if fits else BookingStatus.WAITING,
        source=source,
        idempotency_key=idempotency_key,
        now=now,
        area=area,
    )
    queue_booking_message(booking, "booked" if fits else "waiting", now=now, new_booking=True)
    return BookingResult(booking)


@dataclass(frozen=True)
class AddressLimit:
    """At most ``bookings`` new bookings from one client ``address`` in ``window``
    (``public_bookings_per_address`` and ``public_booking_window_minutes``)."""

    address: str
    bookings: int
    window: timedelta


def count_public_booking(limit: AddressLimit | None, *, now: datetime) -> None:
    """Count a new booking against its address (``frontdoor.throttle``, by a hash
    of the address), or raise ``too_many_bookings`` once the address has made its
    limit. The count joins the booking's transaction, so a booking that fails is
    not counted and a form sent twice counts once. No limit: staff, the kiosk."""
    if limit is None:
        return
    if not take_a_try(
        f"public_booking|{limit.address}", now=now, limit=limit.bookings, window=limit.window
    ):
        raise ServiceError("too_many_bookings")


def new_booking(
    party: Party,
    contact: Contact,
    *,
    status: str,
    source: str,
    now: datetime,
    organisation_id: int,
    card_key: str | None = None,
    idempotency_key: str | None = None,
    session_id: int | None = None,
    appointment_id: int | None = None,
    area: Area = NO_AREA,
) -> Booking:
    """The booking row for a checked party and contact, with a fresh reference and
    the family's key in the hub's council. The caller has already applied the
    rules (and holds the lock)."""
    booking = Booking(
        session_id=session_id,
        appointment_id=appointment_id,
        reference=_unused_reference(),
        status=status,
        source=source,
        adults=party.adults,
        children=list(party.children),
        people=party.people,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        mobile=contact.mobile,
        contact_key=contact.key,
        family_key=arrival_family_key(
            organisation_id=organisation_id,
            card_key=card_key,
            email=contact.email,
            mobile=contact.mobile,
        ),
        reminders=contact.reminders,
        access_needs=contact.access_needs,
        language=contact.language,
        idempotency_key=idempotency_key,
        **area.kept(),
        created_at=now,
        confirmed_at=now if status == BookingStatus.CONFIRMED else None,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def _unused_reference() -> str:
    # 40 bits: a clash is rare, but the unique constraint is the final word.
    for _ in range(10):
        reference = new_reference()
        if not db.session.scalar(select(Booking.id).where(Booking.reference == reference)):
            return reference
    raise ServiceError("no_reference")  # pragma: no cover - 10 clashes in a row


def waiting_position(booking: Booking) -> int | None:
    """1 for the first family waiting, and so on; None if not waiting."""
    if booking.status != BookingStatus.WAITING:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Booking.session_id == booking.session_id,
            Booking.status == BookingStatus.WAITING,
            or_(
                Booking.created_at < booking.created_at,
                (Booking.created_at == booking.created_at) & (Booking.id < booking.id),
            ),
        )
    )
    return (ahead or 0) + 1


def promote_waiting_list(session: Session, *, now: datetime) -> list[Booking]:
    """Give freed places to the families waiting, in order. The caller holds the lock.

    Stops at the hub's cut-off before the start. Where the hub allows it, a
    smaller party further down fills a gap the first family does not fit.
    """
    settings = session.hub.settings
    if session.is_cancelled or now >= session.starts_at - timedelta(
        minutes=settings.waiting_list_cutoff_minutes
    ):
        return []
    free = availability(session, now).places_to_book
    promoted: list[Booking] = []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITING)
        .order_by(Booking.created_at, Booking.id)
    )
    for booking in waiting:
        if free <= 0:
            break
        need = units(session, booking.people)
        if need <= free:
            booking.status = BookingStatus.CONFIRMED
            booking.confirmed_at = now
            free -= need
            promoted.append(booking)
            queue_booking_message(booking, "promoted", now=now)
        elif not settings.waiting_list_fill_gaps:
            break
    return promoted


def cancel_booking(
    booking: Booking, *, now: datetime, by_staff: bool = False, reason: str = ""
) -> list[Booking]:
    """Cancel, free the place, and move the waiting list; returns who was promoted."""
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    session = _lock_existing(booking.session_id)
    db.session.refresh(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    if not by_staff:
        if booking.checked_in_at is not None:
            raise ServiceError("checked_in")
        cutoff = timedelta(minutes=session.hub.settings.cancellation_cutoff_minutes)
        if now >= session.starts_at - cutoff and booking.status == BookingStatus.CONFIRMED:
            raise ServiceError("too_late")
    if by_staff and not reason.strip():
        raise ServiceError("reason_required", field="reason")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason.strip()
    retire_links(booking)
    queue_booking_message(booking, "cancelled", now=now, reason=reason.strip())
    return promote_waiting_list(session, now=now)


def change_party(booking: Booking, party: Party, *, now: datetime) -> list[Booking]:
    """A bigger or smaller party, within the places there are."""
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    session = _lock_existing(booking.session_id)
    if now >= session.starts_at:
        raise ServiceError("too_late")
    party.check(session.hub.settings.max_party_size)
    if booking.status == BookingStatus.CONFIRMED:
        more = units(session, party.people) - units(session, booking.people)
        if not availability(session, now).fits_booking(more):
            raise ServiceError("full", field="adults")
    booking.adults, booking.people = party.adults, party.people
    booking.children = list(party.children)
    retire_links(booking)
    return promote_waiting_list(session, now=now)


def move_booking(booking: Booking, to_session_id: int, *, now: datetime) -> list[Booking]:
    """Staff move a family to another occurrence; the old one's list moves up."""
    if booking.status != BookingStatus.CONFIRMED:
        raise ServiceError("not_confirmed")
    if booking.session_id is None:
        raise ServiceError("not_found")  # an appointment moves with move_appointment
    if to_session_id == booking.session_id:
        raise ServiceError("same_session", field="session")
    # Lock both in id order, so two opposite moves cannot deadlock.
    first, second = sorted([booking.session_id, to_session_id])
    locked = {first: _lock_existing(first), second: _lock_existing(second)}
    source, target = locked[booking.session_id], locked[to_session_id]
    target, available = _open_to_book(target, BookingSource.STAFF, now)
    if not available.fits_booking(units(target, booking.people)):
        raise ServiceError("full", field="session")
    family = Contact(booking.first_name, email=booking.email, mobile=booking.mobile)
    clash = _existing_for_contact(target.id, family)
    if clash is not None:
        raise ServiceError("duplicate", field="session", booking=clash)
    booking.session_id = target.id
    retire_links(booking)
    db.session.flush()
    queue_booking_message(booking, "moved", now=now, event=str(target.id))
    return promote_waiting_list(source, now=now)


def set_capacity(
    session: Session, capacity: int, *, now: datetime, staff_id: int | None = None
) -> list[Booking]:
    """A lead changes one session's capacity (audited); a raise moves the waiting list.

    Only the places spoken for (booked, and held for or taken by drop-ins) must
    still fit: families on the waiting list hold no place, so they never stop a raise.
    """
    session = _lock_existing(session.id)
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
    session = _lock_existing(session.id)
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
    locked = _lock_existing(session.id)
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


def find_booking(reference: str, contact: str) -> Booking | None:
    """A booking by its reference and the email or mobile it was made with.

    Whatever is wrong, the answer is the same None, so it tells a guesser nothing.
    """
    from frontdoor.contact import normalise_email, normalise_mobile

    booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
    if booking is None or not contact.strip():
        return None
    try:
        if "@" in contact:
            matches = booking.email.lower() == normalise_email(contact).lower()
        else:
            matches = booking.mobile == normalise_mobile(contact)
    except ServiceError:
        return None
    return booking if matches and booking.email + booking.mobile else None


# Finding a booking from the public site: at most this many tries per address.
FIND_ATTEMPTS = 10
FIND_WINDOW = timedelta(minutes=15)


def find_booking_from(
    address: str, reference: str, contact: str, *, now: datetime
) -> Booking | None:
    """``find_booking`` for a family typing their details, tried at most
    ``FIND_ATTEMPTS`` times in ``FIND_WINDOW`` from one address.

    Every try is counted (``frontdoor.throttle``, by a hash of the address) so the
    limit holds across processes; raises ``too_many_attempts`` once it is reached.
    The reference is read leniently.
    """
    if not take_a_try(f"find|{address}", now=now, limit=FIND_ATTEMPTS, window=FIND_WINDOW):
        raise ServiceError("too_many_attempts")
    typed = read_reference(reference)
    return find_booking(typed, contact) if typed else None


def stop_reminders(public_id: str) -> int:
    """Reminders off for the booking with this public id and every other live
    booking made with the same email or mobile; returns how many bookings changed
    (0 when already off). Reminders already queued are skipped when their turn comes."""
    booking = db.session.scalar(select(Booking).where(Booking.public_id == public_id))
    if booking is None:
        raise ServiceError("not_found")
    same_contact = [Booking.id == booking.id]
    if booking.contact_key:
        same_contact.append(
            (Booking.contact_key == booking.contact_key) & Booking.status.in_(LIVE_STATUSES)
        )
    return rows_changed(
        update(Booking)
        .where(or_(*same_contact), Booking.reminders.is_(True))
        .values(reminders=False)
        .execution_options(synchronize_session=False)
    )
