"""A staff member's second factor (TOTP), their recovery codes, and board displays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.hub import Hub


class StaffSecondFactor(Base):
    """One authenticator app per person. Off until ``confirmed_at`` (a code was
    entered from it); ``last_step`` is the 30-second step of the last code
    accepted, so no code works twice."""

    __tablename__ = "staff_second_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), unique=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None]


class StaffRecoveryCode(Base):
    """A single-use code for when the phone is lost; only its password hash is kept."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None]


class BoardDisplay(Base):
    """A reception screen that shows one hub's arrivals board and nothing else.

    A manager adds it and gets a one-time pairing code (its hash kept here); the
    browser that enters it gets a ``staff_login`` for this display that ends at
    the end of the working day.
    """

    __tablename__ = "board_display"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None]
    paired_at: Mapped[datetime | None]

    hub: Mapped[Hub] = relationship()
