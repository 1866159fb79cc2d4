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
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select

from booking.availability import Availability, Tally, availability, count_taken, tally, units
from booking.contact import Contact, Party
from booking.messages import queue_booking_message
from booking.places import lock_existing_session, lock_session
from booking.references import new_reference
from booking.tokens import retire_links
from frontdoor.areas import NO_AREA, Area, area_for_postcode
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.family import arrival_family_key
from frontdoor.models import (
    LIVE_STATUSES,
    Booking,
    BookingSource,
    BookingStatus,
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
    session = lock_existing_session(booking.session_id)
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
    session = lock_existing_session(booking.session_id)
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
    locked = {first: lock_existing_session(first), second: lock_existing_session(second)}
    source, target = locked[booking.session_id], locked[to_session_id]
    target, available = _open_to_book(target, BookingSource.STAFF, now)
    if not available.fits_booking(units(target, booking.people)):
        raise ServiceError("full", field="session")
    family = Contact(booking.first_name, email=booking.email, mobile=booking.mobile)
    family.check_reachable_for(target)  # an online session's link is sent, never shown
    clash = _existing_for_contact(target.id, family)
    if clash is not None:
        raise ServiceError("duplicate", field="session", booking=clash)
    booking.session_id = target.id
    retire_links(booking)
    db.session.flush()
    queue_booking_message(booking, "moved", now=now, event=str(target.id))
    return promote_waiting_list(source, now=now)
