"""Bookings: a family's place at a session, or their appointment with a practitioner.

One table for both, so a reference, a QR code or a manage link works the same
whichever kind it is. Capacity and slot rules live in ``booking/``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.timetable import Session

if TYPE_CHECKING:
    from frontdoor.models.appointments import Appointment

# The statuses of a booking that holds a place or waits for one.
LIVE_STATUSES = ("confirmed", "waiting")


def new_public_id() -> str:
    """A booking's name in its links: random, so no link tells of any other booking."""
    return secrets.token_urlsafe(16)


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class BookingSource(StrEnum):
    PUBLIC = "public"
    KIOSK = "kiosk"
    STAFF = "staff"


class Booking(Base):
    __tablename__ = "booking"
    __table_args__ = (
        Index("ix_booking_session_status", "session_id", "status"),
        # One live booking per contact per session: the database's own guard,
        # behind the service's check.
        Index(
            "uq_booking_live_contact",
            "session_id",
            "contact_key",
            unique=True,
            sqlite_where=text("status IN ('confirmed', 'waiting') AND contact_key IS NOT NULL"),
            postgresql_where=text("status IN ('confirmed', 'waiting') AND contact_key IS NOT NULL"),
        ),
        CheckConstraint("adults >= 0 AND people >= 1", name="party_size"),
        CheckConstraint(
            "(session_id IS NULL) <> (appointment_id IS NULL)", name="session_or_appointment"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    # What the family's manage and check-in links name it by (never the id), and
    # the links' version: a cancel or a change bumps it, and older links stop.
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    link_version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    status: Mapped[str] = mapped_column(String(12), default=BookingStatus.CONFIRMED)
    source: Mapped[str] = mapped_column(String(10), default=BookingSource.PUBLIC)
    # The party: adults, and each child by age band. ``people`` is their sum,
    # kept so capacity counted in people is one SUM in SQL.
    adults: Mapped[int] = mapped_column(default=1)
    children: Mapped[list[str]] = mapped_column(JSON, default=list)
    people: Mapped[int] = mapped_column(default=1)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="")
    # A hash of the normalised email or mobile, for "one live booking per contact".
    contact_key: Mapped[str | None] = mapped_column(String(64))
    # Reach (issue 12): the pseudonymous family key (kept after the purge) and the
    # area the family gave a postcode for (never the postcode itself).
    family_key: Mapped[str | None] = mapped_column(String(32), index=True)
    postcode_district: Mapped[str] = mapped_column(String(4), default="")
    lsoa: Mapped[str] = mapped_column(String(9), default="")
    imd_decile: Mapped[int | None]
    reminders: Mapped[bool] = mapped_column(default=False)
    access_needs: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    # The form's nonce: a second submit of the same form finds the first booking.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    checked_in_at: Mapped[datetime | None]

    session: Mapped[Session | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship(back_populates="booking")

    @property
    def occasion(self) -> Session | Appointment:
        """What the booking is for: its session or its appointment (the table's
        check lets it have exactly one)."""
        occasion = self.session or self.appointment
        if occasion is None:
            raise LookupError(f"booking {self.id} is for neither a session nor an appointment")
        return occasion

    @property
    def display_name(self) -> str:
        """First name and last initial: what staff screens show."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"
