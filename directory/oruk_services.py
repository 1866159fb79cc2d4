"""Open Referral UK 3.0 services made from the council's rows: a partner's service
(``partner_service``) and a hub's session series (``series_service``), with their
schedules, locations, eligibility and topics. What is published, and paging, is
``directory.published``; the ORUK shapes themselves are ``directory.oruk``.
"""

from __future__ import annotations

import re
from datetime import time
from functools import cache

from babel import Locale
from flask import url_for

from directory.oruk import (
    OrukCostOption,
    OrukEligibility,
    OrukLanguage,
    OrukLocation,
    OrukOrganization,
    OrukSchedule,
    OrukService,
    OrukTopic,
    derived_id,
    normalise_postcode,
    oruk_id,
    plain_text,
    schedule_for_weekly,
)
from frontdoor.clock import LONDON
from frontdoor.errors import ServiceError
from frontdoor.models import (
    AGE_BANDS,
    BookingMode,
    Hub,
    Organisation,
    PartnerService,
    ServiceCategory,
    SessionSeries,
)
from frontdoor.timetable import Recurrence
from frontdoor.topics import TOPIC_LABELS

MINUTES_A_DAY = 24 * 60


# Age bands that are children's ages, in years (the others, pregnancy and parents,
# are about the grown-ups and go in the words only).
CHILD_AGES = {"0-1": (0, 1), "1-3": (1, 3), "3-5": (3, 5), "5-11": (5, 11), "11-19": (11, 19)}


CATEGORY_TAXONOMY = "Front Door service categories"


_POSTCODE_AT_END = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.IGNORECASE)


HOW_TO_JOIN = {
    BookingMode.DROP_IN: "Drop in: no need to book.",
    BookingMode.BOOKING: "Book a place online or at the hub.",
    BookingMode.BOTH: "Book a place online or at the hub, or drop in.",
}


NOT_ON_BANK_HOLIDAYS = "Not on bank holidays."


PARTNER_TOPICS = "Front Door topics"


def partner_service(service: PartnerService) -> OrukService:
    """One of the directory's services as an ORUK service: only what families are
    shown (never the partner's named contact, who is the hub's, not the public's)."""
    partner = service.partner
    service_id = oruk_id(service.oruk_id)
    return OrukService(
        id=service_id,
        name=service.name,
        status=service.status,
        description=service.description,  # plain text already: kept and shown as text
        url=partner.website or None,
        organization=OrukOrganization(
            id=derived_id("partner", partner.organisation_id, partner.id),
            name=partner.name,
            website=partner.website or None,
        ),
        locations=_partner_locations(service, service_id),
        schedules=_partner_schedules(service, service_id),
        eligibility=OrukEligibility(
            minimum_age=service.minimum_age,
            maximum_age=service.maximum_age,
            description=service.eligibility_description,
        ),
        languages=tuple(_language(service_id, code) for code in service.languages),
        cost_options=(
            OrukCostOption(id=derived_id(service_id, "cost"), option="free")
            if service.free
            else OrukCostOption(
                id=derived_id(service_id, "cost"), amount_description=service.fees_description
            ),
        ),
        topics=(
            OrukTopic(
                id=derived_id("topic", service.topic),
                name=service.topic,
                description=str(TOPIC_LABELS.get(service.topic, service.topic)),
                taxonomy=PARTNER_TOPICS,
            ),
        ),
        assured_date=service.last_checked_at.astimezone(LONDON).date()
        if service.last_checked_at
        else None,
    )


def _partner_schedules(service: PartnerService, service_id: str) -> tuple[OrukSchedule, ...]:
    """When, as the partner wrote it: directory services keep it as words."""
    if not service.schedule_description:
        return ()
    return (
        OrukSchedule(id=derived_id(service_id, "when"), description=service.schedule_description),
    )


def _language(service_id: str, code: str) -> OrukLanguage:
    return OrukLanguage(id=derived_id(service_id, "language", code), code=code, name=_english(code))


@cache
def _english(code: str) -> str:
    return Locale.parse(code).english_name or code


def _partner_locations(service: PartnerService, service_id: str) -> tuple[OrukLocation, ...]:
    if service.online:
        return (
            OrukLocation(
                id=derived_id(service_id, "online"),
                service_at_location_id=derived_id(service_id, "at", "online"),
                name="Online",
                kind="virtual",
            ),
        )
    if service.hub is not None:
        return (_location(service.hub, service.hub.organisation, service_id),)
    if not service.address:
        return ()
    line_1, line_2, city, postcode = address_parts(service.address)
    return (
        OrukLocation(
            id=derived_id(service_id, "address"),
            service_at_location_id=derived_id(service_id, "at", "address"),
            address_1=line_1,
            address_2=line_2,
            city=city,
            postcode=postcode,
        ),
    )


def series_id(series: SessionSeries) -> str:
    return derived_series_id(series.hub.organisation.slug, series.id)


def derived_series_id(council_slug: str, pk: int) -> str:
    return derived_id("series", council_slug, pk)


def series_service(series: SessionSeries, base_url: str) -> OrukService:
    """One series as an ORUK service."""
    hub = series.hub
    council = hub.organisation
    service_id = series_id(series)
    schedule = weekly_schedule(series, key=f"{council.slug}/series:{series.id}")
    return OrukService(
        id=service_id,
        name=series.title,
        status="active",
        description=_description(series),
        url=base_url.rstrip("/") + url_for("booking.whats_on", hub=hub.slug),
        organization=_organization(hub, council),
        locations=(_location(hub, council, service_id),),
        schedules=(schedule,) if schedule is not None else (),
        eligibility=_eligibility(series.age_bands or []),
        topics=(_topic(series.category, council),) if series.category else (),
        last_modified=series.updated_at,
    )


def _closes_at(series: SessionSeries) -> time | None:
    """When a session of the series ends, or None if that is past midnight."""
    starts = series.start_time
    ends = starts.hour * 60 + starts.minute + series.duration_minutes
    return time(ends // 60, ends % 60) if ends < MINUTES_A_DAY else None


def weekly_schedule(series: SessionSeries, *, key: str) -> OrukSchedule | None:
    """The series' schedule, its id derived from ``key``; None if it cannot be one."""
    closes = _closes_at(series)
    if closes is None:
        return None
    try:
        return schedule_for_weekly(
            Recurrence.of(series),
            opens_at=series.start_time,
            closes_at=closes,
            key=key,
            description=NOT_ON_BANK_HOLIDAYS if series.skip_bank_holidays else "",
        )
    except ServiceError:  # a series saved before its rules were checked: no schedule
        return None


def _description(series: SessionSeries) -> str:
    parts = [plain_text(series.description)] if series.description else []
    where = ", ".join(p for p in (series.room.name if series.room else "", series.hub.name) if p)
    # Online or hybrid is said; the joining link never is (it goes to families
    # with a place, in their messages).
    parts.append(
        {"online": "Online.", "hybrid": f"Online, or at {where}."}.get(
            series.delivery, f"At {where}."
        )
    )
    parts.append(HOW_TO_JOIN.get(BookingMode(series.booking_mode), ""))
    if series.skip_bank_holidays:
        parts.append(NOT_ON_BANK_HOLIDAYS)
    return "\n\n".join(p for p in parts if p)


def _organization(hub: Hub, council: Organisation) -> OrukOrganization:
    return OrukOrganization(
        id=derived_id("hub", council.slug, hub.id),
        name=hub.name,
        description=f"A family hub run by {council.name}.",
    )


def _location(hub: Hub, council: Organisation, service_id: str) -> OrukLocation:
    line_1, line_2, city, postcode = address_parts(hub.address)
    return OrukLocation(
        id=derived_id("hub", council.slug, hub.id, "location"),
        service_at_location_id=derived_id(service_id, "at", hub.id),
        name=hub.name,
        address_1=line_1,
        address_2=line_2,
        city=city,
        postcode=postcode,
    )


def address_parts(address: str) -> tuple[str, str, str, str]:
    """A hub's one-box address as ORUK's lines: (address_1, address_2, city, postcode).
    The postcode is the last part if it is one; the town the last other part if it
    has no house number in it; the rest are the lines."""
    parts = [p.strip() for p in re.split(r"[,\n]", address) if p.strip()]
    postcode = ""
    if parts and _POSTCODE_AT_END.match(parts[-1]):
        postcode = normalise_postcode(parts.pop())
    city = ""
    if len(parts) >= 2 and not any(ch.isdigit() for ch in parts[-1]):
        city = parts.pop()
    line_1 = parts[0] if parts else ""
    return line_1, ", ".join(parts[1:]), city, postcode


def _eligibility(bands: list[str]) -> OrukEligibility:
    ages = [CHILD_AGES[band] for band in bands if band in CHILD_AGES]
    labels = [AGE_BANDS[band] for band in AGE_BANDS if band in bands]
    return OrukEligibility(
        minimum_age=min(low for low, _ in ages) if ages else None,
        maximum_age=max(high for _, high in ages) if ages else None,
        description=f"For: {', '.join(labels)}." if labels else "",
    )


def _topic(category: ServiceCategory, council: Organisation) -> OrukTopic:
    return OrukTopic(
        id=derived_id("category", council.slug, category.id),
        name=category.name,
        taxonomy=CATEGORY_TAXONOMY,
        description=category.name,
    )
