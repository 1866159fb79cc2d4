"""Writing messages into the outbox, in the caller's transaction.

The dispatcher (a scheduled job) sends them later; the idempotency key makes a
message to one person about one event exist once, however often it is queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    new_key: bool = False,
) -> OutboxMessage:
    """Add a message unless one with ``key`` exists; returns the message. A
    ``new_key`` names a row this transaction has just made (a new booking's
    confirmation): no message can have it yet, so none is looked for."""
    existing = None if new_key else queued(key)
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


def queued(key: str) -> OutboxMessage | None:
    """The message with idempotency key ``key``, if one was queued."""
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


# --- what each template says --------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True)
class MessageTemplate:
    """How to word one kind of message, and whether it is still wanted.

    ``render(message, links)`` runs inside ``force_locale(message.language)`` so
    gettext gives the family's language. ``still_wanted(message, now)`` returns ""
    to send, or a short reason (a code, never personal data) to skip it.
    ``gave_up(message, now)`` runs when the dispatcher gives up on it (failed or
    dead), in the transaction that records that, so someone can be told (a
    practitioner whose partner never got the introduction); it may queue messages.
    ``forget_recipient``: the number or address is wanted for this one message only
    (a family who asked for a text on a shared kiosk), so the dispatcher erases it
    as soon as the message is sent, refused or given up on.
    """

    name: str
    render: Callable[[OutboxMessage, Links], Rendered]
    still_wanted: Callable[[OutboxMessage, datetime], str] | None = None
    gave_up: Callable[[OutboxMessage, datetime], None] | None = None
    forget_recipient: bool = False


@dataclass(frozen=True)
class Links:
    """What a template needs to make links that leave the app."""

    base_url: str
    secret_key: str

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


TEMPLATES: dict[str, MessageTemplate] = {}


def register_template(
    name: str,
    render: Callable[[OutboxMessage, Links], Rendered],
    still_wanted: Callable[[OutboxMessage, datetime], str] | None = None,
    gave_up: Callable[[OutboxMessage, datetime], None] | None = None,
    *,
    forget_recipient: bool = False,
) -> None:
    """Faces register the words of their messages here (``booking/message_text.py``)."""
    TEMPLATES[name] = MessageTemplate(name, render, still_wanted, gave_up, forget_recipient)


def forgets_recipient(message: OutboxMessage) -> bool:
    """Is the recipient erased once the message is done with (``forget_recipient``)?"""
    template = TEMPLATES.get(message.template)
    return template is not None and template.forget_recipient


def render_message(message: OutboxMessage, links: Links) -> Rendered:
    from flask_babel import force_locale

    template = TEMPLATES.get(message.template)
    if template is None:
        raise LookupError(f"no words for template {message.template!r}")
    with force_locale(message.language or "en"):
        return template.render(message, links)


def skip_reason(message: OutboxMessage, now: datetime) -> str:
    template = TEMPLATES.get(message.template)
    if template is None or template.still_wanted is None:
        return ""
    return template.still_wanted(message, now)


def tell_gave_up(message: OutboxMessage, now: datetime) -> bool:
    """Run the template's ``gave_up``, if it has one; returns whether it did."""
    template = TEMPLATES.get(message.template)
    if template is None or template.gave_up is None:
        return False
    template.gave_up(message, now)
    return True
