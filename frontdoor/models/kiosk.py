"""Kiosk devices: the foyer touchscreens, each paired to one hub."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.hub import Hub


class KioskDevice(Base):
    """A screen. Only hashes of its pairing code and credential are kept."""

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None]
    credential_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hub: Mapped[Hub] = relationship()

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "paired" if self.paired_at else "waiting to pair"
