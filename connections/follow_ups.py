"""A follow-up booked on the spot: from a visit or a help request, a practitioner
books the family an appointment or a place at a session there and then.

The booking rules stay in their one home (``booking.appointments.book_appointment``,
``booking.services.book_session``): a follow-up books through them as staff
(``BookingSource.STAFF``), so a time inside the public minimum notice and a session
whose online booking has closed can be booked, and capacity is counted under the
session's lock as for everyone. The booking is in the family's language (the
visit's or help request's), so the usual confirmation goes out in it when they
gave an email or a mobile number. The form's nonce is the idempotency key: a
second press gives back the first booking. Who booked it is audited.

Errors: ``not_found`` (the visit, help request, type or session is not this hub's),
and every code of the booking services. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from booking.appointments import book_appointment
from booking.availability import Availability
from booking.contact import Contact, Party
from booking.services import BookingResult, book_session
from booking.whats_on import whats_on
from connections.sources import Source, source_of
from frontdoor import audit
from frontdoor.contact import normalise_mobile
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AppointmentType,
    BookingSource,
    Connection,
    ContactMethod,
    Session,
    Visit,
)

# How far ahead a follow-up place is looked for: the next fortnight's sessions.
PLACE_DAYS = 14


@dataclass(frozen=True)
class Known:
    """What the hub already knows about the family, to fill the form with."""

    first_name: str
    last_name: str = ""
    email: str = ""
    mobile: str = ""
    adults: int = 1


def known_about(source: Source, *, staff_id: int) -> Known:
    """The family's name and contact where the hub has them: the booking they
    checked in for, else what they agreed to share in a connection from here.
    Showing a contact to staff is a read of the family's record, so it is audited."""
    known = _known(source)
    if known.email or known.mobile:
        audit.record(
            "follow_up.contact_shown", staff_id=staff_id, subject_type=_kind(source),
            subject_id=source.id, hub_id=source.hub_id,
            detail="Opened a follow-up booking with the family's contact filled in",
        )  # fmt: skip
    return known


def _known(source: Source) -> Known:
    if isinstance(source, Visit):
        booking = source.booking
        adults = max(source.adults, 1)
        if booking is not None and (booking.email or booking.mobile):
            return Known(source.first_name, source.last_name, booking.email, booking.mobile, adults)
        email, mobile = _shared_contact(Connection.visit_id == source.id)
        return Known(source.first_name, source.last_name, email, mobile, adults)
    email, mobile = _shared_contact(Connection.help_request_id == source.id)
    return Known(source.first_name, email=email, mobile=mobile)


def _kind(source: Source) -> str:
    return "visit" if isinstance(source, Visit) else "help_request"


def _shared_contact(made_here) -> tuple[str, str]:
    """(email, mobile) the family last agreed to share from this visit or help request."""
    shared = db.session.scalar(
        select(Connection)
        .where(made_here, Connection.shared_contact != "")
        .order_by(Connection.created_at.desc(), Connection.id.desc())
    )
    if shared is None:
        return "", ""
    if shared.shared_contact_method == ContactMethod.EMAIL:
        return shared.shared_contact, ""
    try:  # a phone number to call may be a landline, which cannot take a text
        return "", normalise_mobile(shared.shared_contact)
    except ServiceError:
        return "", ""


def appointment_types_at(hub_id: int) -> list[AppointmentType]:
    """The hub's appointment types someone offers, by name."""
    kinds = db.session.scalars(
        select(AppointmentType)
        .where(AppointmentType.hub_id == hub_id, AppointmentType.active.is_(True))
        .order_by(AppointmentType.name)
    )
    return [kind for kind in kinds if any(p.active for p in kind.practitioners)]


def sessions_to_book(hub_id: int, now: datetime) -> list[tuple[Session, Availability]]:
    """The hub's sessions in the next ``PLACE_DAYS`` days that staff may book now
    (full ones too, so the page can say so), soonest first."""
    found = whats_on(hub_id, now=now, days=PLACE_DAYS, source=BookingSource.STAFF)
    return [(s, found.available[s.id]) for s in found.sessions if found.available[s.id].bookable]


def book_follow_up_appointment(
    *,
    staff_id: int,
    type_id: int,
    practitioner_id: int,
    starts_at: datetime,
    party: Party,
    contact: Contact,
    now: datetime,
    nonce: str | None,
    postcode: str = "",
    visit_id: int | None = None,
    help_request_id: int | None = None,
) -> BookingResult:
    """Book the family an appointment of one of the hub's types, as staff."""
    source = source_of(visit_id, help_request_id)
    kind = db.session.get(AppointmentType, type_id)
    if kind is None or kind.hub_id != source.hub_id:
        raise ServiceError("not_found", field="slot")
    result = book_appointment(
        type_id, practitioner_id, starts_at, party, _in_their_language(contact, source),
        now=now, source=BookingSource.STAFF, idempotency_key=nonce, postcode=postcode,
    )  # fmt: skip
    _audit(result, staff_id, source, "an appointment")
    return result


def book_follow_up_place(
    *,
    staff_id: int,
    session_id: int,
    party: Party,
    contact: Contact,
    now: datetime,
    nonce: str | None,
    postcode: str = "",
    visit_id: int | None = None,
    help_request_id: int | None = None,
) -> BookingResult:
    """Book the family a place at one of the hub's sessions, as staff. A full
    session is refused (``full``): a follow-up is a place, not a wait."""
    source = source_of(visit_id, help_request_id)
    session = db.session.get(Session, session_id)
    if session is None or session.hub_id != source.hub_id:
        raise ServiceError("not_found", field="session")
    result = book_session(
        session_id, party, _in_their_language(contact, source),
        now=now, source=BookingSource.STAFF, idempotency_key=nonce, postcode=postcode,
    )  # fmt: skip
    _audit(result, staff_id, source, "a place at a session")
    return result


def _in_their_language(contact: Contact, source: Source) -> Contact:
    return replace(contact, language=source.language or "en")


def _audit(result: BookingResult, staff_id: int, source: Source, what: str) -> None:
    if not result.created:  # the same form sent again: nothing new was booked
        return
    where = f"{_kind(source).replace('_', ' ')} {source.id}"
    audit.record(
        "booking.follow_up", staff_id=staff_id, subject_type="booking",
        subject_id=result.booking.id, hub_id=source.hub_id,
        detail=f"Booked the family {what} as a follow-up, from {where}",
    )  # fmt: skip
