"""The three requests a family can make of the council, each audited without their details.

- Subject access: what is held about them (``look_up``), as a page and a file.
- Erasure: names, contact details and free text go, as the retention purge erases
  them (the same functions), keeping each row and its family key so reports and
  counts stay true. Refused while the family still has a booking or a waiting-list
  place to come (cancelling it from the register tells them; erase afterwards), or a
  message to them is still being sent: erasing then would leave a family turning up
  to a place nobody can tell them about.
- Correction: a name or contact detail put right on their bookings (and names on
  their visits), with a reason.
"""

from __future__ import annotations

from datetime import datetime

from booking.contact import Contact
from dataprotection.records import Asked, FamilyRecord, find_family, read_request
from frontdoor import audit
from frontdoor.errors import ServiceError
from frontdoor.models import (
    LIVE_STATUSES,
    Booking,
    Connection,
    HelpRequest,
    MessageStatus,
    OutboxMessage,
    RecordedMessage,
    Visit,
)
from frontdoor.retention import (
    delete_recorded_messages,
    erase_bookings,
    erase_connections,
    erase_help_requests,
    erase_messages,
    erase_visits,
)


def _audit(action: str, record: FamilyRecord, staff_id: int, detail: str) -> None:
    subject_type, subject_id = record.audit_subject()
    hubs = sorted(record.hub_ids)
    audit.record(
        action,
        staff_id=staff_id,
        subject_type=subject_type,
        subject_id=subject_id,
        hub_id=hubs[0] if hubs else None,
        detail=detail,
    )


def look_up(
    typed: str,
    *,
    organisation_id: int,
    hub_ids: set[int] | None,
    staff_id: int,
    action: str = "subject_access.view",
) -> FamilyRecord:
    """The family that ``typed`` (an email, a mobile or a reference) finds, audited as
    ``action`` (a view, or a download). Raises ``subject_unreadable``; an empty record
    (falsy) when nothing matches, audited too, so a fishing trip leaves a trace."""
    asked: Asked = read_request(typed)
    record = find_family(asked, organisation_id=organisation_id, hub_ids=hub_ids)
    how = "a booking reference" if asked.reference else ("an email" if asked.emails else "a mobile")
    _audit(
        action, record, staff_id, f"Searched by {how}: {record.counts() if record else 'no match'}"
    )
    return record


def _upcoming(record: FamilyRecord, now: datetime) -> list[Booking]:
    return [b for b in record.bookings if b.status in LIVE_STATUSES and b.occasion.ends_at > now]


def erase(record: FamilyRecord, *, reason: str, staff_id: int, now: datetime) -> dict[str, int]:
    """Erase the family's personal data; returns how many rows of each kind changed.
    Raises ``reason_required``, ``erase_booking_to_come``, ``erase_message_sending``."""
    if not reason.strip():
        raise ServiceError("reason_required", field="reason")
    if not record:
        raise ServiceError("not_found")
    if to_come := _upcoming(record, now):
        raise ServiceError("erase_booking_to_come", count=len(to_come))
    if any(m.status in (MessageStatus.PENDING, MessageStatus.SENDING) for m in record.messages):
        raise ServiceError("erase_message_sending")
    erased = {
        "bookings": erase_bookings(Booking.id.in_([b.id for b in record.bookings])),
        "visits": erase_visits(Visit.id.in_([v.id for v in record.visits])),
        "help_requests": erase_help_requests(
            HelpRequest.id.in_([h.id for h in record.help_requests])
        ),
        "connections": erase_connections(Connection.id.in_([c.id for c in record.connections])),
        "messages": erase_messages(OutboxMessage.id.in_([m.id for m in record.messages]))
        + delete_recorded_messages(RecordedMessage.id.in_([m.id for m in record.recorded])),
    }
    # The reason is staff's words about the request; it must not quote the family.
    _audit(
        "subject_access.erase",
        record,
        staff_id,
        f"Erased ({record.counts()}). Reason: {reason.strip()}",
    )
    return erased


def correct(
    record: FamilyRecord,
    *,
    first_name: str,
    last_name: str,
    email: str,
    mobile: str,
    reason: str,
    staff_id: int,
) -> list[str]:
    """Put the family's name or contact details right on their bookings (and names on
    their visits); a blank field is left as it was. Returns the fields changed.
    Raises ``reason_required``, ``invalid_email``, ``invalid_mobile``, ``nothing_to_correct``."""
    if not reason.strip():
        raise ServiceError("reason_required", field="reason")
    if not record:
        raise ServiceError("not_found")
    wanted = Contact(first_name or "x", last_name, email, mobile).checked()
    changes = {
        "first_name": wanted.first_name if first_name.strip() else None,
        "last_name": wanted.last_name or None,
        "email": wanted.email or None,
        "mobile": wanted.mobile or None,
    }
    changed = sorted(name for name, value in changes.items() if value is not None)
    if not changed:
        raise ServiceError("nothing_to_correct", field="first_name")
    for booking in record.bookings:
        for name in changed:
            setattr(booking, name, changes[name])
        booking.contact_key = Contact(
            booking.first_name, email=booking.email, mobile=booking.mobile
        ).key
    for visit in record.visits:
        for name in ("first_name", "last_name"):
            if changes[name] is not None and (visit.first_name or visit.last_name):
                setattr(visit, name, changes[name])
    fields = ", ".join(name.replace("_", " ") for name in changed)
    _audit(
        "subject_access.correct", record, staff_id, f"Corrected {fields}. Reason: {reason.strip()}"
    )
    return changed
