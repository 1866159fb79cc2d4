"""The council, its hubs, their rooms, and the council's service categories."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow


@dataclass
class CouncilSettings:
    """Council-wide settings with their defaults; stored as JSON on the organisation.

    Kept here rather than in ``HubSettings`` when the thing they govern belongs to
    the council, not to one hub: the directory of partner services is shared by
    every hub, so a service has one "due for checking" answer wherever it is seen.
    Like ``HubSettings``, a new setting needs no migration.
    """

    # A partner service not checked for this many months is due for checking:
    # flagged to managers and not shown to families.
    directory_check_months: int = 6

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CouncilSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Organisation(Base):
    """The council that runs the installation."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    settings_json: Mapped[dict[str, Any]] = mapped_column("settings", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hubs: Mapped[list[Hub]] = relationship(back_populates="organisation", order_by="Hub.name")

    @property
    def settings(self) -> CouncilSettings:
        return CouncilSettings.from_json(self.settings_json)

    @settings.setter
    def settings(self, value: CouncilSettings) -> None:
        self.settings_json = value.to_json()


@dataclass
class HubSettings:
    """Per-hub settings with their defaults; stored as JSON on the hub.

    Adding a setting here needs no migration: unknown keys in the stored JSON are
    ignored and missing ones take the default.
    """

    greeting_escalation_minutes: int = 5
    # Visits to a session are checked out this long after it ends; everyone
    # still checked in is checked out at the end of the day (local hour).
    checkout_grace_minutes: int = 30
    day_ends_hour: int = 20
    kiosk_idle_seconds: int = 60
    kiosk_idle_warning_seconds: int = 20
    retention_months: int = 13
    checkin_early_minutes: int = 60
    reminder_hours: tuple[int, ...] = (24, 2)
    waiting_list_fill_gaps: bool = True
    waiting_list_cutoff_minutes: int = 120
    max_party_size: int = 10
    cancellation_cutoff_minutes: int = 60
    languages: tuple[str, ...] = ("en",)
    # A connection to a partner with no answer after this many working days goes
    # back to the practitioner who made it, and to the duty manager at twice that.
    connection_chase_working_days: int = 3

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> HubSettings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        for key in ("reminder_hours", "languages"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


class Hub(Base):
    __tablename__ = "hub"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    access_information: Mapped[str] = mapped_column(Text, default="")
    # The access information in other languages (``frontdoor.translated``).
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/London")
    settings_json: Mapped[dict[str, Any]] = mapped_column("settings", JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="hubs")
    rooms: Mapped[list[Room]] = relationship(back_populates="hub", order_by="Room.name")

    @property
    def settings(self) -> HubSettings:
        return HubSettings.from_json(self.settings_json)

    @settings.setter
    def settings(self, value: HubSettings) -> None:
        self.settings_json = value.to_json()


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("hub_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    hub: Mapped[Hub] = relationship(back_populates="rooms")


class ServiceCategory(Base):
    """A kind of service (stay and play, infant feeding, money advice...)."""

    __tablename__ = "service_category"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # A pictogram name from static/images/categories/ for the kiosk and booking site.
    icon: Mapped[str] = mapped_column(String(60), default="")
    # The name in other languages (``frontdoor.translated``).
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    active: Mapped[bool] = mapped_column(default=True)
