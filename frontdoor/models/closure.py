"""Days a hub is closed (bank holidays, training days): no appointments then."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdoor.models.base import Base


class HubClosure(Base):
    __tablename__ = "hub_closure"
    __table_args__ = (UniqueConstraint("hub_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"))
    # A local calendar day at the hub.
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(100))
