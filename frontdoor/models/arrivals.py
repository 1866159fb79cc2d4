"""What the arrivals board needs beyond visits and help requests: the event log
the live board streams from, who is on duty each day, and the actions staff took
(so one can be undone within a few seconds).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.staff import StaffUser


class ArrivalEvent(Base):
    """Something changed on a hub's board. The id only grows, so a board that
    reconnects with ``Last-Event-ID`` is sent what it missed. Never personal data:
    kinds, ids, and staff ids only."""

    __tablename__ = "arrival_event"
    __table_args__ = (Index("ix_arrival_event_hub_id", "hub_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Duty(StrEnum):
    PRACTITIONER = "practitioner"  # greets drop-ins and help requests
    MANAGER = "manager"  # told when someone has waited far too long


class DutyAssignment(Base):
    """One member of staff on one duty at one hub on one day."""

    __tablename__ = "duty_assignment"
    __table_args__ = (UniqueConstraint("hub_id", "day", "staff_id", "duty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    day: Mapped[date]
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    duty: Mapped[str] = mapped_column(String(20))

    staff: Mapped[StaffUser] = relationship()


class ArrivalAction(Base):
    """A board action, with the state before it, so it can be undone briefly."""

    __tablename__ = "arrival_action"
    __table_args__ = (Index("ix_arrival_action_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    subject_type: Mapped[str] = mapped_column(String(10))  # visit or help
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version_after: Mapped[int] = mapped_column(default=0)
    undone_at: Mapped[datetime | None]
