"""Everything held about one family, found from an email, a mobile or a booking reference.

What was typed is never stored or logged: it chooses the rows and is gone. A family is
everything that matches its contact details (bookings, connections, messages), what a
matching booking reference leads to (that booking's own contact details), and every
visit carrying one of those bookings or the family key of those details
(``frontdoor.family``). A visit made with a hub card alone, or a help request that
never became a connection, holds no contact details and cannot be found this way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from booking.references import read_reference
from frontdoor.contact import normalise_email, normalise_mobile
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.family import family_key_for_contact
from frontdoor.models import (
    Booking,
    Connection,
    HelpRequest,
    OutboxMessage,
    RecordedMessage,
    Visit,
)


@dataclass(frozen=True)
class Asked:
    """What the member of staff typed, read as one kind of detail."""

    emails: frozenset[str] = frozenset()
    mobiles: frozenset[str] = frozenset()
    reference: str = ""


def read_request(typed: str) -> Asked:
    """An email, a mobile from any country (``normalise_mobile``, the rule bookings keep
    mobiles by) or a booking reference; raises ``subject_unreadable``."""
    typed = typed.strip()
    if "@" in typed:
        try:
            return Asked(emails=frozenset({normalise_email(typed).lower()}))
        except ServiceError as error:
            raise ServiceError("subject_unreadable", field="subject") from error
    try:
        return Asked(mobiles=frozenset({normalise_mobile(typed)}))
    except ServiceError:
        pass
    reference = read_reference(typed)
    if reference is None:
        raise ServiceError("subject_unreadable", field="subject")
    return Asked(reference=reference)


@dataclass
class FamilyRecord:
    bookings: list[Booking] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    help_requests: list[HelpRequest] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    recorded: list[RecordedMessage] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bookings or self.visits or self.connections or self.messages)

    @property
    def hub_ids(self) -> set[int]:
        hubs = {b.occasion.hub_id for b in self.bookings} | {v.hub_id for v in self.visits}
        return hubs | {c.hub_id for c in self.connections}

    def audit_subject(self) -> tuple[str, int | None]:
        """Whose record this was, for the audit log: the family's first booking, else
        first visit, else first connection (never a name or a contact detail)."""
        for kind, rows in (
            ("booking", self.bookings),
            ("visit", self.visits),
            ("connection", self.connections),
        ):
            if rows:
                return kind, min(row.id for row in rows)
        return "family", None

    def counts(self) -> str:
        parts = (
            (len(self.bookings), "bookings"),
            (len(self.visits), "visits"),
            (len(self.help_requests), "help requests"),
            (len(self.connections), "connections"),
            (len(self.messages) + len(self.recorded), "messages"),
        )
        return ", ".join(f"{count} {word}" for count, word in parts)


def _contacts_of(bookings: list[Booking], asked: Asked) -> Asked:
    """What was asked for, and every email and mobile on these bookings."""
    emails = set(asked.emails) | {b.email.lower() for b in bookings if b.email}
    mobiles = set(asked.mobiles) | {b.mobile for b in bookings if b.mobile}
    return Asked(frozenset(emails), frozenset(mobiles))


def _keys_of(contacts: Asked, organisation_id: int) -> set[str]:
    """The family keys these contact details make in this council (``frontdoor.family``)."""
    keys = {
        family_key_for_contact(mobile=m, organisation_id=organisation_id) for m in contacts.mobiles
    }
    keys |= {
        family_key_for_contact(email=e, organisation_id=organisation_id) for e in contacts.emails
    }
    return {key for key in keys if key}


def _matches(column: Any, contacts: Asked) -> ColumnElement[bool]:
    return or_(func.lower(column).in_(contacts.emails), column.in_(contacts.mobiles))


def _in_scope(hub_id: int | None, hub_ids: set[int] | None) -> bool:
    return hub_ids is None or hub_id in hub_ids


def find_family(asked: Asked, *, organisation_id: int, hub_ids: set[int] | None) -> FamilyRecord:
    """The family's records at ``hub_ids`` (None: every hub of the council)."""
    found = list(db.session.scalars(select(Booking).where(Booking.reference == asked.reference)))
    contacts = _contacts_of(found, asked)
    bookings = {b.id: b for b in found}
    if contacts.emails or contacts.mobiles:
        for booking in db.session.scalars(
            select(Booking).where(
                or_(
                    func.lower(Booking.email).in_(contacts.emails),
                    Booking.mobile.in_(contacts.mobiles),
                )
            )
        ):
            bookings[booking.id] = booking
    keys = {b.family_key for b in bookings.values() if b.family_key}
    keys |= _keys_of(contacts, organisation_id)
    # The family key finds their other bookings (one made with the other contact detail).
    for booking in db.session.scalars(select(Booking).where(Booking.family_key.in_(keys))):
        bookings[booking.id] = booking
    contacts = _contacts_of(list(bookings.values()), contacts)
    record = FamilyRecord()
    record.bookings = sorted(
        (b for b in bookings.values() if _in_scope(b.occasion.hub_id, hub_ids)),
        key=lambda b: b.created_at,
    )
    booking_ids = [b.id for b in record.bookings]
    record.visits = _scoped(
        select(Visit)
        .where(or_(Visit.family_key.in_(keys), Visit.booking_id.in_(booking_ids)))
        .order_by(Visit.arrived_at),
        Visit.hub_id,
        hub_ids,
    )
    visit_ids = [v.id for v in record.visits]
    record.connections = _scoped(
        select(Connection)
        .where(
            or_(
                Connection.visit_id.in_(visit_ids),
                _matches(Connection.shared_contact, contacts),
            )
        )
        .order_by(Connection.created_at),
        Connection.hub_id,
        hub_ids,
    )
    asked_for_help = [c.help_request_id for c in record.connections if c.help_request_id]
    record.help_requests = _scoped(
        select(HelpRequest).where(HelpRequest.id.in_(asked_for_help)).order_by(HelpRequest.id),
        HelpRequest.hub_id,
        hub_ids,
    )
    record.messages = _scoped(
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.booking_id.in_(booking_ids),
                _matches(OutboxMessage.recipient, contacts),
            )
        )
        .order_by(OutboxMessage.created_at),
        OutboxMessage.hub_id,
        hub_ids,
    )
    record.recorded = _scoped(
        select(RecordedMessage)
        .where(_matches(RecordedMessage.recipient, contacts))
        .order_by(RecordedMessage.sent_at),
        RecordedMessage.hub_id,
        hub_ids,
    )
    return record


def _scoped(query: Any, hub_column: Any, hub_ids: set[int] | None) -> list[Any]:
    if hub_ids is not None:
        query = query.where(hub_column.in_(hub_ids))
    return list(db.session.scalars(query))


# --- the record as a document: the page and the downloaded file show the same ---------


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _booking(b: Booking) -> dict[str, object]:
    occasion = b.occasion
    what = occasion.series.title if b.session is not None else occasion.type.name  # type: ignore[union-attr]
    return {
        "reference": b.reference,
        "kind": "session" if b.session_id else "appointment",
        "what": what,
        "hub": occasion.hub.name,
        "starts_at": occasion.starts_at,
        "status": "waiting list" if b.status == "waiting" else b.status,
        "first_name": b.first_name,
        "last_name": b.last_name,
        "email": b.email,
        "mobile": b.mobile,
        "adults": b.adults,
        "children (age bands)": b.children,
        "access_needs": b.access_needs,
        "language": b.language,
        "postcode_district": b.postcode_district,
        "reminders": b.reminders,
        "booked_at": b.created_at,
        "cancelled_at": b.cancelled_at,
        "cancel_reason": b.cancel_reason,
        "checked_in_at": b.checked_in_at,
    }


def _visit(v: Visit) -> dict[str, object]:
    return {
        "hub": v.hub.name,
        "arrived_at": v.arrived_at,
        "kind": v.kind.replace("_", " "),
        "first_name": v.first_name,
        "last_name": v.last_name,
        "adults": v.adults,
        "children": v.children,
        "children (age bands)": v.child_bands,
        "first_time": v.first_time,
        "language": v.language,
        "postcode_district": v.postcode_district,
        "status": v.status.replace("_", " "),
        "left_at": v.left_at,
    }


def _help_request(h: HelpRequest) -> dict[str, object]:
    return {
        "hub": h.hub.name,
        "asked_at": h.created_at,
        "topic": h.topic,
        "first_name": h.first_name,
        "language": h.language,
        "private_room": h.private_room,
        "urgent": h.urgent,
        "status": h.status.replace("_", " "),
    }


def _connection(c: Connection) -> dict[str, object]:
    to = c.service.name if c.service else (c.to_staff.name if c.to_staff else "")
    return {
        "made_at": c.created_at,
        "to": to,
        "consent_at": c.consent_at,
        "shared_first_name": c.shared_first_name,
        "shared_contact_method": c.shared_contact_method,
        "shared_contact": c.shared_contact,
        "shared_reason": c.shared_reason,
        "shared_best_time": c.shared_best_time,
        "shared_interpreter": c.shared_interpreter,
        "shared_language": c.shared_language,
        "status": c.status,
        "contact_by": c.contact_by,
        "decline_reason": c.decline_reason,
    }


def _message(m: OutboxMessage) -> dict[str, object]:
    return {
        "queued_at": m.created_at,
        "channel": m.channel,
        "to": m.recipient,
        "about": m.template.replace("_", " "),
        "status": m.status,
        "sent_at": m.sent_at,
    }


def _recorded(m: RecordedMessage) -> dict[str, object]:
    return {"sent_at": m.sent_at, "channel": m.channel, "to": m.recipient, "subject": m.subject}


SECTIONS = (
    ("bookings", "Bookings, appointments and waiting lists", _booking),
    ("visits", "Visits (check-ins)", _visit),
    ("help_requests", "Asking to talk to someone", _help_request),
    ("connections", "Connections to services and colleagues", _connection),
    ("messages", "Messages sent to the family", _message),
    ("recorded", "Messages recorded by the development channel", _recorded),
)


def as_document(record: FamilyRecord) -> dict[str, list[dict[str, object]]]:
    """Every section, every row, every field, as plain values (the JSON file's content)."""
    return {
        key: [
            {name: _plain(value) for name, value in describe(row).items()}
            for row in getattr(record, key)
        ]
        for key, _, describe in SECTIONS
    }
