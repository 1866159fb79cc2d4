"""Connections: a warm, consented introduction of a family, from a visit or a help
request, to a partner service or to a colleague in the hub (``to_staff``).

What the family agreed to share is kept in its own ``shared_*`` columns and is all
the partner (or colleague) ever sees; the consent (who asked, when) is recorded with it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.directory import PartnerService
from frontdoor.models.staff import StaffUser


class ConnectionStatus(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# Statuses that are an answer (or the end): the first one stands.
FINAL_STATUSES = (ConnectionStatus.ACCEPTED, ConnectionStatus.DECLINED, ConnectionStatus.WITHDRAWN)


class ContactMethod(StrEnum):
    """How the family want to be contacted; THROUGH_HUB when they gave no details."""

    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    THROUGH_HUB = "through_hub"


class Connection(Base):
    __tablename__ = "connection"
    __table_args__ = (Index("ix_connection_made_by", "made_by_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    # Where it came from: one of the two.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"), index=True)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    # Where it goes: a partner service or a colleague in the hub (exactly one).
    service_id: Mapped[int | None] = mapped_column(ForeignKey("partner_service.id"), index=True)
    # The service's topic when the connection was made, for the counts in reports
    # (a service may move topic later; what the family was connected for does not).
    topic: Mapped[str] = mapped_column(String(20), default="")
    to_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # The family's consent: who asked, when.
    consent_asked_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    consent_at: Mapped[datetime]
    # Exactly what the family agreed to share (nothing else leaves the hub).
    shared_first_name: Mapped[str] = mapped_column(String(100))
    shared_contact_method: Mapped[str] = mapped_column(String(12))
    shared_contact: Mapped[str] = mapped_column(String(254), default="")
    shared_reason: Mapped[str] = mapped_column(String(300), default="")
    shared_best_time: Mapped[str] = mapped_column(String(100), default="")
    shared_interpreter: Mapped[bool] = mapped_column(default=False)
    shared_language: Mapped[str] = mapped_column(String(40), default="")
    # The signed link's own reference: a new one would invalidate old links.
    link_ref: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10), default=ConnectionStatus.SENT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    # The partner's answer: when they will make contact, or why not.
    contact_by: Mapped[date | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Chasing an unanswered one (``connections.chasing``): back to the practitioner
    # after the hub's N working days, to the duty manager after 2N. Each once.
    chased_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # After the first contact date the practitioner records whether contact happened
    # (None: not yet recorded). It can be corrected; the audit log keeps each answer.
    contact_happened: Mapped[bool | None]
    contact_recorded_at: Mapped[datetime | None]

    service: Mapped[PartnerService | None] = relationship()
    made_by: Mapped[StaffUser] = relationship(foreign_keys=[made_by_id])
    to_staff: Mapped[StaffUser | None] = relationship(foreign_keys=[to_staff_id])
