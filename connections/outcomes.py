"""What comes back to the practitioner who made a connection: an email when the
partner declines (with the reason), when nobody answers (``chasing``) or when the
partner's email could not be delivered; and, after the first contact date, their
record of whether contact happened (correctable, every answer audited).

Callers commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from frontdoor import audit, clock
from frontdoor.errors import ServiceError
from frontdoor.events import publish
from frontdoor.extensions import db
from frontdoor.models import (
    Connection,
    ConnectionStatus,
    MessageStatus,
    OutboxMessage,
    StaffUser,
)
from frontdoor.outbox import queue_message


def partner_key(connection_id: int) -> str:
    """The outbox key of the partner's email about a connection."""
    return f"connection:{connection_id}"


def tell_practitioner(connection: Connection, template: str, now: datetime, **payload) -> None:
    """Email the practitioner who made the connection about it, once per template:
    which service and when, never the family's name (an email is not a staff screen)."""
    practitioner = db.session.get(StaffUser, connection.made_by_id)
    if practitioner is None or not practitioner.active:
        return
    queue_message(
        key=f"{template}:{connection.id}",
        channel="email",
        recipient=practitioner.email,
        template=template,
        language="en",
        payload={**about(connection), **payload},
        now=now,
        hub_id=connection.hub_id,
    )


def about(connection: Connection) -> dict[str, str]:
    """What a staff email says to name a connection without naming the family."""
    service = connection.service
    if service is None:  # an introduction to a colleague in the hub
        colleague = connection.to_staff
        return {
            "service": colleague.short_name if colleague else "",
            "partner": "a colleague in the hub",
            "made_on": f"{clock.local(connection.created_at):%-d %B %Y}",
        }
    return {
        "service": service.name,
        "partner": service.partner.name,
        "made_on": f"{clock.local(connection.created_at):%-d %B %Y}",
    }


def contact_due(connection: Connection, now: datetime) -> bool:
    """Whether the practitioner may record if contact happened: an accepted
    connection, after the day the partner said they would make contact by."""
    return (
        connection.status == ConnectionStatus.ACCEPTED
        and connection.contact_by is not None
        and clock.local(now).date() > connection.contact_by
    )


def record_contact(
    connection_id: int, *, happened: bool, staff_id: int, now: datetime
) -> Connection:
    """The practitioner who made it records whether contact happened. A later
    answer corrects an earlier one (a family may say the call came after all);
    every answer is in the audit log. Refuses ``not_found`` for someone else's,
    ``contact_not_due`` before the first contact date has passed."""
    connection = db.session.get(Connection, connection_id)
    if connection is None or connection.made_by_id != staff_id:
        raise ServiceError("not_found")
    if not contact_due(connection, now):
        raise ServiceError("contact_not_due")
    connection.contact_happened = happened
    connection.contact_recorded_at = now
    audit.record(
        "connection.contact_recorded", staff_id=staff_id, subject_type="connection",
        subject_id=connection.id, hub_id=connection.hub_id,
        detail="Recorded that contact " + ("happened" if happened else "did not happen"),
    )  # fmt: skip
    publish(connection.hub_id, "connection", now=now, connection_id=connection.id,
            status=connection.status)  # fmt: skip
    return connection


def undelivered(connection_ids: list[int]) -> set[int]:
    """Which of these connections' partner emails the outbox gave up on (failed or
    dead). Read from the outbox itself, so a manager's successful retry clears it."""
    keys = {partner_key(i): i for i in connection_ids}
    given_up = select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.in_(keys),
        OutboxMessage.status.in_([MessageStatus.FAILED, MessageStatus.DEAD]),
    )
    return {keys[key] for key in db.session.scalars(given_up)}
