"""Appointments: booking, cancelling and moving one family's time with one
practitioner. The one place the public site and the staff side do so; free times
come from ``booking.slots``, setting up types, availability and leave is
``booking.appointment_setup``. Plain functions with explicit arguments; the caller
commits. Errors are ``ServiceError`` codes: ``checked_in``, ``already_cancelled``,
``too_late``, ``reason_required``, ``same_slot``, ``not_confirmed``,
``not_appointment``, the slot codes of ``booking.slots.check_slot``, plus the party
and contact codes of ``Party.check`` and ``Contact.checked``.

Safety
    ``book_appointment``, ``move_appointment`` and ``cancel_appointment`` take the
    practitioner's lock before the re-check, so two families choosing the same
    (or overlapping) times are served one after the other. A unique index on
    (practitioner, start) for live appointments is the database's own last word.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, true
from sqlalchemy.orm import joinedload

from booking.contact import Contact, Party
from booking.messages import queue_booking_message
from booking.services import (
    AddressLimit,
    BookingResult,
    booking_for_key,
    count_public_booking,
    new_booking,
)
from booking.slots import BOOKED, CANCELLED, as_utc, check_slot, get_type, lock_practitioner
from booking.tokens import retire_links
from frontdoor.areas import area_for_postcode
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AppointmentType,
    Booking,
    BookingSource,
    BookingStatus,
)

# --- booking, cancelling, moving -------------------------------------------------------


def book_appointment(
    type_id: int,
    practitioner_id: int,
    starts_at: datetime,
    party: Party,
    contact: Contact,
    *,
    now: datetime,
    source: str = BookingSource.PUBLIC,
    idempotency_key: str | None = None,
    postcode: str = "",
    address_limit: AddressLimit | None = None,
) -> BookingResult:
    """Book one slot with one practitioner, under the practitioner's lock. The
    public site passes its ``address_limit`` (``count_public_booking``).

    The same form submitted twice (same ``idempotency_key``) gives the first
    booking back with ``created=False``. A ``postcode`` is kept only as its area.
    """
    contact = contact.checked()
    area = area_for_postcode(postcode)
    practitioner = lock_practitioner(practitioner_id)
    if earlier := booking_for_key(idempotency_key):
        return BookingResult(earlier, created=False)
    kind = get_type(type_id)
    party.check(kind.hub.settings.max_party_size)
    slot = check_slot(kind, practitioner, starts_at, now=now, public=source == BookingSource.PUBLIC)
    count_public_booking(address_limit, now=now)
    appointment = Appointment(
        hub_id=kind.hub_id,
        type_id=kind.id,
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        held_until=slot.ends_at + timedelta(minutes=kind.buffer_minutes),
        status=BOOKED,
        created_at=now,
    )
    db.session.add(appointment)
    db.session.flush()
    booking = new_booking(
        party,
        contact,
        appointment_id=appointment.id,
        organisation_id=kind.hub.organisation_id,
        status=BookingStatus.CONFIRMED,
        source=source,
        idempotency_key=idempotency_key,
        now=now,
        area=area,
    )
    queue_booking_message(booking, "booked", now=now, new_booking=True)
    return BookingResult(booking)


def _appointment_of(booking: Booking) -> Appointment:
    appointment = booking.appointment
    if appointment is None:
        raise ServiceError("not_appointment")
    return appointment


def cancel_appointment(
    booking: Booking, *, now: datetime, by_staff: bool = False, reason: str = ""
) -> None:
    """Cancel an appointment booking; the practitioner and room are free again.

    A family may not cancel once checked in (``checked_in``) or once the
    appointment has started (``too_late``); staff may, giving a reason.
    """
    appointment = _appointment_of(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    lock_practitioner(appointment.practitioner_id)
    db.session.refresh(booking)
    db.session.refresh(appointment)
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    if not by_staff:
        if booking.checked_in_at is not None:
            raise ServiceError("checked_in")
        if now >= appointment.starts_at:
            raise ServiceError("too_late")
    if by_staff and not reason.strip():
        raise ServiceError("reason_required", field="reason")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason.strip()
    appointment.status = CANCELLED
    retire_links(booking)
    queue_booking_message(booking, "cancelled", now=now, reason=reason.strip())


def move_appointment(
    booking: Booking,
    new_starts_at: datetime,
    *,
    now: datetime,
    practitioner_id: int | None = None,
    by_staff: bool = False,
) -> Appointment:
    """Move an appointment to another free slot of its type, perhaps with another
    practitioner. The family keeps the booking and its reference, and is told.

    The appointment's own time does not block the move (a family may move into
    its own buffer). Staff may move inside the minimum notice.
    """
    appointment = _appointment_of(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise ServiceError("not_confirmed")
    target_id = practitioner_id or appointment.practitioner_id
    # Lock both in id order, so two opposite moves cannot deadlock.
    locked = {
        staff_id: lock_practitioner(staff_id)
        for staff_id in sorted({appointment.practitioner_id, target_id})
    }
    db.session.refresh(booking)
    db.session.refresh(appointment)
    if booking.status != BookingStatus.CONFIRMED or appointment.status != BOOKED:
        raise ServiceError("not_confirmed")
    new_starts_at = as_utc(new_starts_at)
    if (target_id, new_starts_at) == (appointment.practitioner_id, appointment.starts_at):
        raise ServiceError("same_slot", field="starts_at")
    kind = db.session.get_one(AppointmentType, appointment.type_id)
    slot = check_slot(
        kind,
        locked[target_id],
        new_starts_at,
        now=now,
        public=not by_staff,
        exclude_appointment_id=appointment.id,
    )
    appointment.practitioner_id = slot.practitioner_id
    appointment.room_id = slot.room_id
    appointment.starts_at = slot.starts_at
    appointment.ends_at = slot.ends_at
    retire_links(booking)
    appointment.held_until = slot.ends_at + timedelta(minutes=kind.buffer_minutes)
    db.session.flush()
    db.session.refresh(appointment, ["practitioner", "room"])
    event = f"{slot.starts_at:%Y%m%dT%H%M}-{now:%Y%m%dT%H%M%S}"
    queue_booking_message(booking, "moved", now=now, event=event)
    return appointment


def upcoming(
    *, now: datetime, staff_id: int | None = None, hub_id: int | None = None, limit: int = 200
) -> list[Appointment]:
    """Live appointments from now on, soonest first: one practitioner's (anywhere),
    or one hub's."""
    mine = Appointment.practitioner_id == staff_id if staff_id is not None else true()
    here = Appointment.hub_id == hub_id if hub_id is not None else true()
    return list(
        db.session.scalars(
            select(Appointment)
            .where(mine, here, Appointment.status == BOOKED, Appointment.ends_at > now)
            .options(
                joinedload(Appointment.booking),
                joinedload(Appointment.type),
                joinedload(Appointment.hub),
                joinedload(Appointment.room),
            )
            .order_by(Appointment.starts_at)
            .limit(limit)
        )
    )
