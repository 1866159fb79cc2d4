"""Appointments: one family with one practitioner, from the practitioner's availability."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.hub import Hub, Room
from frontdoor.models.staff import StaffUser

if TYPE_CHECKING:
    from frontdoor.models.booking import Booking

type_practitioners = Table(
    "appointment_type_practitioner",
    Base.metadata,
    Column("type_id", ForeignKey("appointment_type.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
)


class AppointmentType(Base):
    """A kind of appointment a hub offers (money advice, 45 minutes)."""

    __tablename__ = "appointment_type"
    __table_args__ = (
        UniqueConstraint("hub_id", "name"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int]
    # Time kept free after each appointment for notes.
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    min_notice_minutes: Mapped[int] = mapped_column(default=120)
    max_days_ahead: Mapped[int] = mapped_column(default=28)
    active: Mapped[bool] = mapped_column(default=True)

    hub: Mapped[Hub] = relationship()
    practitioners: Mapped[list[StaffUser]] = relationship(
        secondary=type_practitioners, order_by="StaffUser.name"
    )


class Availability(Base):
    """A practitioner's weekly working window at a hub (local wall-clock times)."""

    __tablename__ = "availability"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        Index("ix_availability_staff_weekday", "staff_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]

    staff: Mapped[StaffUser] = relationship()
    hub: Mapped[Hub] = relationship()
    room: Mapped[Room | None] = relationship()


class AvailabilityException(Base):
    """Time a practitioner is away (leave, training): no appointments at any hub."""

    __tablename__ = "availability_exception"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")


class Appointment(Base):
    """A booked slot. While live it holds the practitioner and the room."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # Second line behind the service's locked overlap check.
        Index(
            "uq_appointment_practitioner_start",
            "practitioner_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index("ix_appointment_practitioner_time", "practitioner_id", "starts_at", "ends_at"),
        Index("ix_appointment_room_time", "room_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("appointment_type.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # ``ends_at`` plus the type's buffer: the practitioner is held until then.
    held_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hub: Mapped[Hub] = relationship()
    type: Mapped[AppointmentType] = relationship()
    practitioner: Mapped[StaffUser] = relationship()
    room: Mapped[Room | None] = relationship()
    booking: Mapped[Booking | None] = relationship(back_populates="appointment")
