"""The directory: the council's partner organisations and the services they run.

Named, where it fits, as Open Referral UK 3.0 (a profile of HSDS 3.0) names them,
so an import or an export is a mapping, not a translation:

===============================  =================================================
Front Door                       ORUK / HSDS 3.0
===============================  =================================================
Partner.name, .website           organization.name, organization.website
Partner.contact_name/email/phone organization.contacts[0].name / .email /
                                 .phones[0].number (also the service's contact)
Partner.active                   (none: an inactive partner's services are
                                 published as ``status: inactive``)
PartnerService.oruk_id           service.id (ours: a UUID; imported: theirs)
.name, .description              service.name, service.description
.status                          service.status (active, inactive, defunct,
                                 temporarily closed)
.minimum_age, .maximum_age       service.minimum_age, service.maximum_age (years)
.eligibility_description         service.eligibility_description (needs)
.languages                       service.languages[].code (ISO 639-1)
.free, .fees_description         service.cost_options[] (``option: free``) and
                                 service.fees_description
.online, .address, .hub          service.service_at_locations[].location
                                 (``location_type: virtual`` when online, else
                                 ``physical`` with the address; a hub's own
                                 address when the service is at a hub)
.schedule_description            service.schedules[].description (free text)
.application_process             service.application_process (how to be referred)
.topic                           service.attributes[] (a taxonomy term; codes
                                 are ``frontdoor.topics.SERVICE_TOPICS``)
.last_checked_at                 service.assured_date (its date)
.last_checked_by                 (none; service.assurer_email is the partner's
                                 email when the partner confirmed it)
===============================  =================================================
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontdoor.models.base import Base, utcnow
from frontdoor.models.hub import Hub


class ServiceStatus(StrEnum):
    """ORUK's service statuses, spelled as ORUK spells them."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


# Who checked a service when it was not a member of staff.
BY_PARTNER = "the partner"


class Partner(Base):
    """A partner organisation (a football club, a food bank, an NHS team) and the
    one named person at it the hub deals with."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(500), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # As typed (any format); a UK mobile is kept as +447... like families' mobiles.
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    services: Mapped[list[PartnerService]] = relationship(
        back_populates="partner", order_by="PartnerService.name"
    )


class PartnerService(Base):
    """One service a partner runs, as families and staff are told about it."""

    __tablename__ = "partner_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    # The ORUK service id imports match on; ours are UUIDs.
    oruk_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Plain text for families: shown as text, never as markup.
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ServiceStatus.ACTIVE)
    minimum_age: Mapped[int | None]
    maximum_age: Mapped[int | None]
    eligibility_description: Mapped[str] = mapped_column(Text, default="")
    # Language codes, comma-separated (as staff languages are).
    languages_text: Mapped[str] = mapped_column("languages", String(200), default="")
    free: Mapped[bool] = mapped_column(default=True)
    fees_description: Mapped[str] = mapped_column(Text, default="")
    online: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(Text, default="")
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id"), index=True)
    schedule_description: Mapped[str] = mapped_column(Text, default="")
    application_process: Mapped[str] = mapped_column(Text, default="")
    last_checked_at: Mapped[datetime | None] = mapped_column(index=True)
    # A member of staff's name, or BY_PARTNER.
    last_checked_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="services")
    hub: Mapped[Hub | None] = relationship()

    @property
    def languages(self) -> list[str]:
        return [c for c in (self.languages_text or "").split(",") if c]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.languages_text = ",".join(codes)
