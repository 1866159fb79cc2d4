"""The outbox: messages to families, written in the same transaction as the change
they report, and sent later by the dispatcher (at most once per idempotency key)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdoor.models.base import Base, utcnow


class MessageStatus(StrEnum):
    PENDING = "pending"
    # Being sent by one dispatcher, which holds it until ``locked_until``.
    SENDING = "sending"
    SENT = "sent"
    # The provider refused it for good (an address that is no longer valid).
    FAILED = "failed"
    # Every try failed (the provider stayed down): dead-lettered.
    DEAD = "dead"
    # No longer wanted when its turn came (a reminder for a cancelled session).
    SKIPPED = "skipped"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email or sms
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10), default="en")
    # Everything the template needs, so a later edit cannot change a sent message.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # The claim of the dispatcher sending it: a random token and until when.
    claim: Mapped[str] = mapped_column(String(32), default="")
    locked_until: Mapped[datetime | None]
    # Which channel sent it (dev, smtp, notify) and the provider's own id.
    sent_by: Mapped[str] = mapped_column(String(10), default="")
    provider_ref: Mapped[str] = mapped_column(String(100), default="")


class RecordedMessage(Base):
    """A message the development channel "sent": recorded here, never delivered,
    and shown on the staff side under "Sent messages"."""

    __tablename__ = "recorded_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
