"""Importing a council's Open Referral UK 3.0 feed into the directory.

``directory.oruk`` reads the feed (and refuses what is not ORUK 3.0); this module
puts its services into the directory, matched on their ids, so a second import of
the same feed changes nothing and a changed feed updates rather than duplicates.
Every service goes through the same checks as one a manager types in
(``ServiceDetails.checked``); a service that fails them is skipped and reported.

When was it last checked? A feed that says when a service was assured
(``assured_date``) counts as a check on that day, "by the feed"; one that does not
leaves the service due for checking, so it is not shown to families until a
manager or the partner has looked at it. The caller commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, time

from sqlalchemy import func, select

from directory.oruk import OrukService, ParsedFeed
from directory.services import PartnerDetails, ServiceDetails, set_service
from frontdoor import audit
from frontdoor.clock import LONDON
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Partner, PartnerService
from frontdoor.topics import SERVICE_TOPICS

BY_FEED = "the Open Referral feed"
_MAX_LANGUAGES = 12


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[ServiceError] = field(default_factory=list)


def _topic(service: OrukService) -> str:
    """The first of its taxonomy terms that is one of our topic codes (by id or
    name), else "other": a service is always findable under something."""
    for term in service.topics:
        for said in (term.name, term.id, term.taxonomy):
            code = said.strip().lower().replace(" ", "_")
            if code in SERVICE_TOPICS:
                return code
    return "other"


def _where(service: OrukService) -> tuple[bool, str]:
    """(online, address): online when every location is virtual."""
    physical = [x for x in service.locations if x.kind != "virtual"]
    online = bool(service.locations) and not physical
    first = physical[0] if physical else None
    return online, ", ".join(first.address_lines) if first else ""


def _details(service: OrukService) -> ServiceDetails:
    online, address = _where(service)
    paid = [c for c in service.cost_options if c.option != "free" and (c.amount or 0) > 0]
    fees = "; ".join(c.amount_description or f"£{c.amount:.2f}" for c in paid)
    return ServiceDetails(
        name=service.name[:200],
        topic=_topic(service),
        description=service.description,
        status=service.status,
        minimum_age=service.eligibility.minimum_age,
        maximum_age=service.eligibility.maximum_age,
        eligibility_description=service.eligibility.description,
        languages=tuple(x.code for x in service.languages if len(x.code) == 2)[:_MAX_LANGUAGES],
        free=not paid,
        fees_description=fees,
        online=online,
        # A service somewhere we cannot place (no address, not online) is kept as
        # online-or-phone: the family is told to ask, never sent to a blank address.
        address=address,
        schedule_description="; ".join(s.description for s in service.schedules if s.description),
    )


def _partner(service: OrukService, organisation_id: int) -> Partner:
    """The partner the service belongs to, matched on its name within the council;
    a new one (with the feed's contact) when there is none."""
    name = (service.organization.name if service.organization else service.name)[:200]
    partner = db.session.scalar(
        select(Partner).where(
            Partner.organisation_id == organisation_id,
            func.lower(Partner.name) == name.lower(),
        )
    )
    if partner is not None:
        return partner
    contact = service.contacts[0] if service.contacts else None
    phones = (contact.phones if contact else ()) or service.phones
    details = PartnerDetails(
        name=name,
        website=(service.organization.website if service.organization else None) or "",
        contact_name=contact.name if contact else "",
        contact_email=(contact.email if contact else None) or service.email or "",
        contact_phone=phones[0].number if phones else "",
    )
    try:
        details = details.checked()
    except ServiceError:
        # No contact email, or one we cannot keep: the partner comes in by name, and
        # is not asked to check its services until a manager adds a contact.
        details = PartnerDetails(name=name.strip() or service.name)
    partner = Partner(organisation_id=organisation_id)
    for item, value in asdict(details).items():
        setattr(partner, item, value)
    db.session.add(partner)
    db.session.flush()
    return partner


def _checked_at(service: OrukService) -> datetime | None:
    """Midday, London time, on the day the feed says the service was assured."""
    if service.assured_date is None:
        return None
    return datetime.combine(service.assured_date, time(12), LONDON).astimezone(UTC)


def import_feed(
    feed: ParsedFeed, *, organisation_id: int, now: datetime, staff_id: int | None = None
) -> ImportResult:
    """Add or update each service of ``feed`` in the council's directory."""
    result = ImportResult(skipped=list(feed.skipped))
    for position, service in enumerate(feed.services, start=1):
        existing = db.session.scalar(
            select(PartnerService).where(PartnerService.oruk_id == service.id)
        )
        try:
            partner = existing.partner if existing else _partner(service, organisation_id)
            details = _details(service)
            if not details.address and not details.online:
                details = replace(details, online=True)
            details = details.checked(organisation_id)
        except ServiceError as error:
            result.skipped.append(
                ServiceError("oruk_bad_field", position=position, service_id=service.id,
                             field=error.field or error.code)
            )  # fmt: skip
            continue
        record = existing or PartnerService(partner_id=partner.id, oruk_id=service.id)
        changed = set_service(record, details)
        checked_at = _checked_at(service)
        if checked_at is not None and record.last_checked_at != checked_at:
            record.last_checked_at, record.last_checked_by = checked_at, BY_FEED
            changed.append("last_checked_at")
        if existing is None:
            db.session.add(record)
            result.added += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
    audit.record(
        "directory.import", staff_id=staff_id, subject_type="organisation",
        subject_id=organisation_id,
        detail=f"Open Referral import: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.skipped)} skipped",
    )  # fmt: skip
    return result
