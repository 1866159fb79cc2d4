"""Keeping the directory: partners and their services, added, changed and checked.

The one rule about trust lives here: a service not checked for the council's
``directory_check_months`` is *due for checking*, flagged to managers and never
shown to families (``is_due`` for one service, ``shown_to_families`` for a query;
both cut at ``check_cutoff``). Every change is audited here, so no face can
change the directory without a record of who did. Callers commit.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta

from babel import Locale, UnknownLocaleError
from sqlalchemy import Select, literal, select

from frontdoor import audit
from frontdoor.clock import LONDON
from frontdoor.contact import normalise_email, normalise_phone
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    BY_PARTNER,
    Hub,
    Organisation,
    Partner,
    PartnerService,
    ServiceStatus,
)
from frontdoor.retention import months_before, retention_cutoff
from frontdoor.topics import SERVICE_TOPICS

MAX_AGE = 120  # years; a service for parents says so in its ages or none
_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


# --- the due rule ---------------------------------------------------------------------------


def check_months(organisation_id: int) -> int:
    """The council's "check every N months" setting."""
    organisation = db.session.get(Organisation, organisation_id)
    return organisation.settings.directory_check_months if organisation else 6


def check_cutoff(now: datetime, months: int) -> datetime:
    """Services last checked before this instant are due for checking: one checked
    on 7 June (London time) is due from the start of 7 December, six months on.
    The calendar rule is the retention purge's: midnight after the day ``months``
    calendar months before today."""
    return retention_cutoff(now, months, LONDON)


def set_check_months(organisation_id: int, months: int, *, staff_id: int) -> None:
    """Change the council's "check every N months" (1 to 24), audited."""
    if not 1 <= months <= 24:
        raise ServiceError("check_months_range", field="directory_check_months", low=1, high=24)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise ServiceError("not_found")
    before = organisation.settings
    organisation.settings = replace(before, directory_check_months=months)
    audit.record(
        "council.settings", staff_id=staff_id, subject_type="organisation",
        subject_id=organisation_id,
        detail=f"Services are due for checking after {months} months "
        f"(was {before.directory_check_months})",
    )  # fmt: skip


def is_due(service: PartnerService, now: datetime, months: int) -> bool:
    """Due for checking: never checked, or last checked before ``check_cutoff``."""
    checked = service.last_checked_at
    return checked is None or checked < check_cutoff(now, months)


def due_from(service: PartnerService, months: int) -> date | None:
    """The day a checked service becomes due (London time), for managers' pages:
    the first day ``is_due`` says so (a check on 31 August is due from 1 March)."""
    if service.last_checked_at is None:
        return None
    day = months_before(service.last_checked_at.astimezone(LONDON).date(), -months)
    while not is_due(service, datetime.combine(day, time(0), LONDON), months):
        day += timedelta(days=1)
    return day


def shown_to_families(query: Select, now: datetime, months: int) -> Select:
    """``query`` (over ``PartnerService``) narrowed to what families may see:
    active services of active partners, checked within the last ``months``."""
    return query.where(
        PartnerService.status == ServiceStatus.ACTIVE,
        PartnerService.partner.has(Partner.active.is_(True)),
        PartnerService.last_checked_at >= check_cutoff(now, months),
    )


def services_for_families(
    organisation_id: int,
    now: datetime,
    *,
    topic: str | None = None,
    age: int | None = None,
    language: str | None = None,
) -> list[PartnerService]:
    """The council's services a family may be shown, by name; optionally one topic,
    for a child of ``age`` and in ``language`` (``for_age_and_language``)."""
    query = select(PartnerService).where(
        PartnerService.partner.has(Partner.organisation_id == organisation_id)
    )
    if topic:
        query = query.where(PartnerService.topic == topic)
    query = for_age_and_language(query, age=age, language=language)
    query = shown_to_families(query, now, check_months(organisation_id))
    return list(db.session.scalars(query.order_by(PartnerService.name)))


def for_age_and_language(query: Select, *, age: int | None, language: str | None) -> Select:
    """``query`` (over ``PartnerService``) narrowed to services for a child of ``age``
    (years; a service that gives no lower or upper age has no limit that side) and
    offered in ``language`` (a code; a service that names no languages does not say
    it speaks this one, so it is left out)."""
    if age is not None:
        query = query.where(
            (PartnerService.minimum_age.is_(None)) | (PartnerService.minimum_age <= age),
            (PartnerService.maximum_age.is_(None)) | (PartnerService.maximum_age >= age),
        )
    if language:
        # Codes are kept comma-separated: match a whole code, not "en" inside "ben".
        listed = literal(",") + PartnerService.languages_text + literal(",")
        query = query.where(listed.contains(f",{language},", autoescape=True))
    return query


def offered_languages(services: list[PartnerService]) -> list[tuple[str, str]]:
    """The languages ``services`` are offered in, as (code, English name), by name."""
    codes = {code for service in services for code in service.languages}
    return sorted(((code, language_names([code])) for code in codes), key=lambda c: c[1])


def service_for_families(reference: str, now: datetime) -> PartnerService | None:
    """One service by its public (ORUK) id, if families may see it: the page a
    family's QR code or link opens, never a due or closed service."""
    service = db.session.scalar(select(PartnerService).where(PartnerService.oruk_id == reference))
    if service is None:
        return None
    query = select(PartnerService.id).where(PartnerService.id == service.id)
    months = check_months(service.partner.organisation_id)
    return service if db.session.scalar(shown_to_families(query, now, months)) else None


def directory_services(
    organisation_id: int, now: datetime, *, topic: str | None = None, due_only: bool = False
) -> list[PartnerService]:
    """Every service of the council's partners for managers, by partner then name;
    ``due_only`` keeps the ones due for checking."""
    query = (
        select(PartnerService)
        .join(PartnerService.partner)
        .where(Partner.organisation_id == organisation_id)
        .order_by(Partner.name, PartnerService.name)
    )
    if topic:
        query = query.where(PartnerService.topic == topic)
    if due_only:
        cutoff = check_cutoff(now, check_months(organisation_id))
        query = query.where(
            (PartnerService.last_checked_at.is_(None)) | (PartnerService.last_checked_at < cutoff)
        )
    return list(db.session.scalars(query))


# --- partners -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerDetails:
    name: str
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    active: bool = True

    def checked(self) -> PartnerDetails:
        name = self.name.strip()
        if not name:
            raise ServiceError("name_required", field="name")
        website = self.website.strip()
        if website and not website.lower().startswith(("http://", "https://")):
            website = "https://" + website
        if website and (len(website) > 500 or not _WEBSITE.match(website)):
            raise ServiceError("invalid_website", field="website")
        if not self.contact_email.strip():
            raise ServiceError("contact_email_required", field="contact_email")
        return PartnerDetails(
            name=name,
            website=website,
            contact_name=self.contact_name.strip(),
            contact_email=normalise_email(self.contact_email, field="contact_email"),
            contact_phone=normalise_phone(self.contact_phone, field="contact_phone"),
            active=self.active,
        )


def _changes(record: object, details: object) -> list[str]:
    """Set each of ``details``' fields on ``record``; the names of those that changed."""
    changed = []
    for item in fields(details):  # type: ignore[arg-type]
        value = getattr(details, item.name)
        if getattr(record, item.name) != value:
            setattr(record, item.name, value)
            changed.append(item.name)
    return changed


def _said(changed: list[str]) -> str:
    return "Changed: " + ", ".join(name.replace("_", " ") for name in changed)


def add_partner(organisation_id: int, details: PartnerDetails, *, staff_id: int) -> Partner:
    details = details.checked()
    partner = Partner(organisation_id=organisation_id)
    _changes(partner, details)
    db.session.add(partner)
    db.session.flush()
    audit.record(
        "partner.add", staff_id=staff_id, subject_type="partner", subject_id=partner.id,
        detail=f"Added partner {partner.name}",
    )  # fmt: skip
    return partner


def update_partner(partner: Partner, details: PartnerDetails, *, staff_id: int | None) -> list[str]:
    """Change a partner's details (staff, or the partner's own link when
    ``staff_id`` is None); returns the fields that changed."""
    changed = _changes(partner, details.checked())
    if changed:
        audit.record(
            "partner.change", staff_id=staff_id, subject_type="partner", subject_id=partner.id,
            detail=_said(changed) + ("" if staff_id else f" (by {BY_PARTNER})"),
        )  # fmt: skip
    return changed


# --- services -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceDetails:
    """What a service is, for whom, where and when: as typed, checked by ``checked``."""

    name: str
    topic: str
    description: str = ""
    status: str = ServiceStatus.ACTIVE
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility_description: str = ""
    languages: tuple[str, ...] = ()
    free: bool = True
    fees_description: str = ""
    online: bool = False
    address: str = ""
    hub_id: int | None = None
    schedule_description: str = ""
    application_process: str = ""

    def checked(self, organisation_id: int) -> ServiceDetails:
        if not self.name.strip():
            raise ServiceError("name_required", field="name")
        if self.topic not in SERVICE_TOPICS:
            raise ServiceError("choose_topic", field="topic")
        if self.status not in set(ServiceStatus):
            raise ServiceError("choose_status", field="status")
        for field, age in (("minimum_age", self.minimum_age), ("maximum_age", self.maximum_age)):
            if age is not None and not 0 <= age <= MAX_AGE:
                raise ServiceError("age_range", field=field, low=0, high=MAX_AGE)
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.maximum_age < self.minimum_age
        ):
            raise ServiceError("ages_reversed", field="maximum_age")
        if not self.free and not self.fees_description.strip():
            raise ServiceError("fees_required", field="fees_description")
        if self.hub_id is not None and not _council_hub(self.hub_id, organisation_id):
            raise ServiceError("hub_not_here", field="hub_id")
        address = self.address.strip()
        if not address and self.hub_id is None and not self.online:
            raise ServiceError("where_required", field="address")
        return replace(
            self,
            name=self.name.strip(),
            languages=read_languages(self.languages),
            fees_description="" if self.free else self.fees_description.strip(),
            address=address,
        )


def _council_hub(hub_id: int, organisation_id: int) -> bool:
    hub = db.session.get(Hub, hub_id)
    return hub is not None and hub.organisation_id == organisation_id


def read_languages(typed: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    """Language codes ("en, pl, ur"), lower-cased, known to Unicode's list, in order."""
    parts = typed.split(",") if isinstance(typed, str) else list(typed)
    codes: list[str] = []
    for part in (p.strip().lower() for p in parts):
        if not part:
            continue
        try:
            known = _LANGUAGE.match(part) and Locale.parse(part)
        except (UnknownLocaleError, ValueError):
            known = None
        if not known:
            raise ServiceError("unknown_language", field="languages", typed=part[:20])
        if part not in codes:
            codes.append(part)
    return tuple(codes)


def language_names(codes: list[str]) -> str:
    """Language codes in English words, for staff and partners: "English, Polish"."""
    return ", ".join(Locale.parse(code).english_name or code for code in codes)


def set_service(service: PartnerService, details: ServiceDetails) -> list[str]:
    """Set each of ``details``' fields on ``service``; the names of those that changed."""
    changed = []
    for item in fields(details):
        value = getattr(details, item.name)
        current = service.languages if item.name == "languages" else getattr(service, item.name)
        if item.name == "languages":
            value = list(value)
        if current != value:
            setattr(service, item.name, value)
            changed.append(item.name)
    return changed


def add_service(
    partner: Partner, details: ServiceDetails, *, now: datetime, staff_id: int, staff_name: str
) -> PartnerService:
    """A new service, checked by whoever entered it."""
    service = PartnerService(partner_id=partner.id, oruk_id=str(uuid.uuid4()))
    set_service(service, details.checked(partner.organisation_id))
    service.last_checked_at, service.last_checked_by = now, staff_name
    db.session.add(service)
    db.session.flush()
    audit.record(
        "partner_service.add", staff_id=staff_id, subject_type="partner_service",
        subject_id=service.id, hub_id=service.hub_id,
        detail=f"Added {service.name} ({partner.name})",
    )  # fmt: skip
    return service


def update_service(
    service: PartnerService, details: ServiceDetails, *, staff_id: int | None
) -> list[str]:
    """Change a service's details; returns the fields that changed. Changing is not
    checking: "Mark as checked" (or the partner's answer) says it is right."""
    changed = set_service(service, details.checked(service.partner.organisation_id))
    if changed:
        audit.record(
            "partner_service.change", staff_id=staff_id, subject_type="partner_service",
            subject_id=service.id, hub_id=service.hub_id,
            detail=_said(changed) + ("" if staff_id else f" (by {BY_PARTNER})"),
        )  # fmt: skip
    return changed


def mark_checked(service: PartnerService, *, now: datetime, staff_id: int | None, by: str) -> None:
    """Someone (a member of staff, by name, or ``BY_PARTNER``) says it is all still right."""
    service.last_checked_at, service.last_checked_by = now, by
    audit.record(
        "partner_service.checked", staff_id=staff_id, subject_type="partner_service",
        subject_id=service.id, hub_id=service.hub_id, detail=f"Checked by {by}",
    )  # fmt: skip


def service_details(service: PartnerService) -> ServiceDetails:
    """A service's details as they stand, to change some and keep the rest."""
    values = {item.name: getattr(service, item.name) for item in fields(ServiceDetails)}
    values["languages"] = tuple(service.languages)
    return ServiceDetails(**values)


def partner_details(partner: Partner) -> PartnerDetails:
    return PartnerDetails(
        **{item.name: getattr(partner, item.name) for item in fields(PartnerDetails)}
    )
