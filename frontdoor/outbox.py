"""Writing messages into the outbox, in the caller's transaction.

The dispatcher (a scheduled job) sends them later; the idempotency key makes a
message to one person about one event exist once, however often it is queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import OutboxMessage


def queue_message(
    *,
    key: str,
    channel: str,
    recipient: str,
    template: str,
    language: str,
    payload: dict[str, Any],
    now: datetime,
    hub_id: int | None = None,
    booking_id: int | None = None,
) -> OutboxMessage:
    """Add a message unless one with ``key`` exists; returns the message."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        idempotency_key=key,
        channel=channel,
        recipient=recipient,
        template=template,
        language=language,
        payload=payload,
        hub_id=hub_id,
        booking_id=booking_id,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    return message
