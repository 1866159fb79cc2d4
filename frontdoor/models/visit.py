"""Visits (someone has arrived) and help requests ("I'd like to talk to someone").

Both are what the arrivals board shows; both end with a named person greeting
the family. Staff screens show a first name and a last initial only.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.booking import Booking
from frontdoor.models.hub import Hub
from frontdoor.models.timetable import Session


class VisitKind(StrEnum):
    BOOKING = "booking"
    DROP_IN = "drop_in"
    WALK_IN = "walk_in"
    # A booked family who joined an online (or hybrid) session from home, as staff
    # recorded it on the register: an arrival for every count, never in the building.
    ONLINE = "online"


# Visits for a booking (its place is counted by the booking, not as a drop-in).
FOR_A_BOOKING = (VisitKind.BOOKING, VisitKind.ONLINE)


class VisitStatus(StrEnum):
    WAITING = "waiting"
    GREETED = "greeted"
    WITH_STAFF = "with_staff"
    LEFT = "left"
    NO_SHOW = "no_show"


class Visit(Base):
    __tablename__ = "visit"
    __table_args__ = (
        # One visit per booking, however many kiosks tap at once.
        Index(
            "uq_visit_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("booking_id IS NOT NULL"),
            postgresql_where=text("booking_id IS NOT NULL"),
        ),
        Index("ix_visit_hub_arrived", "hub_id", "arrived_at"),
        # The nightly reach totals read one day at every hub.
        Index("ix_visit_arrived_at", "arrived_at"),
        Index("ix_visit_session", "session_id"),
        CheckConstraint("adults >= 0 AND children >= 0 AND adults + children >= 1", name="party"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    kind: Mapped[str] = mapped_column(String(10))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    adults: Mapped[int] = mapped_column(default=1)
    children: Mapped[int] = mapped_column(default=0)
    # Each child by age band (codes of AGE_BANDS), as bookings keep them; their
    # number is ``children``. Empty for visits from before bands were asked.
    child_bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_time: Mapped[bool | None]
    language: Mapped[str] = mapped_column(String(10), default="en")
    # Reach (issue 12): the pseudonymous family key, kept after the purge erases
    # names, and where the family come from, as an area, never a full postcode.
    family_key: Mapped[str | None] = mapped_column(String(32), index=True)
    postcode_district: Mapped[str] = mapped_column(String(4), default="")
    lsoa: Mapped[str] = mapped_column(String(9), default="")
    imd_decile: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default=VisitStatus.WAITING)
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    claimed_at: Mapped[datetime | None]
    greeted_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id"))
    # The kiosk screen's nonce: a double tap finds the first visit.
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The arrivals board: every change adds one (a stale board is told), how far
    # the wait has escalated (0 none, 1 amber, 2 red), and who checked them out.
    version: Mapped[int] = mapped_column(default=0)
    escalation: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime | None]
    left_by: Mapped[str | None] = mapped_column(String(10))

    hub: Mapped[Hub] = relationship()
    session: Mapped[Session | None] = relationship()
    booking: Mapped[Booking | None] = relationship()

    @property
    def display_name(self) -> str:
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"


class HelpRequest(Base):
    __tablename__ = "help_request"
    __table_args__ = (
        Index("ix_help_request_hub_created", "hub_id", "created_at"),
        Index("ix_help_request_created_at", "created_at"),  # reach totals: a day, every hub
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    # A topic code from kiosk.topics (never shown again on the kiosk).
    topic: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    private_room: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default=VisitStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    claimed_at: Mapped[datetime | None]
    greeted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id"))
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=0)
    escalation: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime | None]

    hub: Mapped[Hub] = relationship()

    @property
    def display_name(self) -> str:
        return self.first_name
