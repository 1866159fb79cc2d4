"""Session series (the recurring template) and sessions (one dated occurrence)."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.hub import Hub, Room, ServiceCategory
from frontdoor.models.staff import StaffUser

# Age bands in the hub's own words, in display order.
AGE_BANDS: dict[str, str] = {
    "pregnancy": "Pregnancy",
    "0-1": "0 to 1",
    "1-3": "1 to 3",
    "3-5": "3 to 5",
    "5-11": "5 to 11",
    "11-19": "11 to 19",
    "parents": "Parents and carers",
}
# The bands a family counts a child in, wherever they say who is coming or here
# (booking, kiosk, desk). A baby on the way counts as an expected child; "parents"
# is the grown-ups' own band, for sessions' audiences only.
CHILD_BANDS: tuple[str, ...] = tuple(band for band in AGE_BANDS if band != "parents")


class BookingMode(StrEnum):
    DROP_IN = "drop_in"
    BOOKING = "booking"
    BOTH = "both"


class Delivery(StrEnum):
    """Where a session runs: at the hub, online, or both at once (hybrid)."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


# The longest joining link a series keeps (video-call links with a passcode fit).
JOINING_LINK_MAX = 500


class CapacityUnit(StrEnum):
    FAMILIES = "families"
    PEOPLE = "people"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


series_leads = Table(
    "series_lead",
    Base.metadata,
    Column("series_id", ForeignKey("session_series.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
)


class SessionSeries(Base):
    """A recurring session. Times are wall-clock times at the hub (Europe/London)."""

    __tablename__ = "session_series"
    __table_args__ = (
        CheckConstraint("capacity >= 1 AND capacity <= 500", name="capacity_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("interval_weeks >= 1", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    age_bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Recurrence: ISO weekdays (0 = Monday), every N weeks from start_date,
    # ending at until_date or after occurrence_count dates (one of them, or neither).
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    interval_weeks: Mapped[int] = mapped_column(default=1)
    start_date: Mapped[date]
    until_date: Mapped[date | None]
    occurrence_count: Mapped[int | None]
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    capacity_unit: Mapped[str] = mapped_column(String(10), default=CapacityUnit.FAMILIES)
    booking_mode: Mapped[str] = mapped_column(String(10), default=BookingMode.DROP_IN)
    drop_in_places: Mapped[int] = mapped_column(default=0)
    booking_opens_days: Mapped[int] = mapped_column(default=14)
    booking_closes_minutes: Mapped[int] = mapped_column(default=60)
    skip_bank_holidays: Mapped[bool] = mapped_column(default=True)
    # In person, online or hybrid; an online (or hybrid) session's joining link
    # goes only to families with a place, in their confirmation and reminders
    # (``booking.message_text``), never on a page anyone can open. One link for
    # the series: a lead who changes it reaches the next message of every session.
    delivery: Mapped[str] = mapped_column(
        String(10), default=Delivery.IN_PERSON, server_default=Delivery.IN_PERSON.value
    )
    joining_link: Mapped[str] = mapped_column(
        String(JOINING_LINK_MAX), default="", server_default=""
    )
    # "The lead welcomes the room": its drop-in families are one card on the
    # board, greeted by the lead together (``arrivals.greeters.welcomed_by_lead``).
    lead_welcomes_room: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The title and description in other languages (``frontdoor.translated``).
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    hub: Mapped[Hub] = relationship()
    room: Mapped[Room | None] = relationship()
    category: Mapped[ServiceCategory | None] = relationship()
    leads: Mapped[list[StaffUser]] = relationship(secondary=series_leads, order_by="StaffUser.name")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="series", order_by="Session.starts_at"
    )


class Session(Base):
    """One dated occurrence of a series, the thing families book and attend.

    ``occurrence_date`` is the date the series rule produced; it stays fixed when
    the session is moved, so regenerating the series never makes a twin.
    """

    __tablename__ = "session"
    __table_args__ = (
        UniqueConstraint("series_id", "occurrence_date"),
        CheckConstraint("capacity >= 1 AND capacity <= 500", name="capacity_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_session_hub_starts", "hub_id", "starts_at"),
        Index("ix_session_starts_at", "starts_at"),  # reach totals: a day, every hub
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("session_series.id"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    occurrence_date: Mapped[date]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default=SessionStatus.SCHEDULED)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when a lead changed this one occurrence; series edits then leave its
    # time, room or capacity alone.
    moved: Mapped[bool] = mapped_column(default=False)
    capacity_overridden: Mapped[bool] = mapped_column(default=False)
    # Set when a series edit would have removed or changed a session that has
    # bookings: it is kept as it was and shown to the lead to decide.
    needs_attention: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    series: Mapped[SessionSeries] = relationship(back_populates="sessions")
    hub: Mapped[Hub] = relationship()
    room: Mapped[Room | None] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED
