"""What the council publishes as Open Referral UK 3.0 (read by ``directory.api``).

One seam: ``published`` is the one home of what the API serves, as a query of
(kind, row id, name) rows: each open hub's running session series (a service with a
weekly schedule) and the directory's services families may be shown (the
directory's rule, ``directory.services.shown_to_families``). A page
(``services_page``) counts, orders and cuts it in the database and builds only its
own services, from their rows loaded in one query a kind; finding one
(``published_service``) looks in the same query.

Ids stay the same from one request to the next, and across installations: a
series is ``uuid5`` of the council's short name and the series id
(``directory.oruk.derived_id``), its hub is the organisation and the location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache

from babel import Locale
from flask import url_for
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import contains_eager, joinedload

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
from directory.services import check_months, shown_to_families
from frontdoor.clock import LONDON
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import whole_id
from frontdoor.models import (
    AGE_BANDS,
    BookingMode,
    Hub,
    Organisation,
    Partner,
    PartnerService,
    ServiceCategory,
    SessionSeries,
)
from frontdoor.timetable import Recurrence
from frontdoor.topics import TOPIC_LABELS

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
MINUTES_A_DAY = 24 * 60
# What a published row is made from; a series sorts before a partner's service of the
# same name, then each by its row id, so every page's order is total and stable.
SERIES, PARTNER = 0, 1
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


@dataclass(frozen=True)
class Page:
    services: list[OrukService]
    number: int
    per_page: int
    total: int


# --- the seam -----------------------------------------------------------------------------


def published(today: date) -> CompoundSelect:
    """Every service the council publishes, as rows of ``kind`` (``SERIES`` or
    ``PARTNER``), ``row_id`` and ``name``: each open hub's series that is running and
    has not ended, and each partner service families may be shown (checked, active:
    the directory's rule). Pages order it by name, kind and row id."""
    return union_all(_published_series(today), *_shown_partner_services(today))


def paging(page: str | None, per_page: str | None) -> tuple[int, int]:
    """The page and page size asked for (``?page=2&per_page=100``), each a whole number
    within its bounds; absent, the first page of 50. Raises ``oruk_paging``."""
    number = _bounded(page, "page", 1, MAX_PAGE)
    size = _bounded(per_page, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return number, size


def services_page(number: int, per_page: int, *, today: date, base_url: str) -> Page:
    """Page ``number`` (from 1) of ``published``, ``per_page`` to a page, by name
    (whatever its case) then kind and row id; a page after the last is empty."""
    listed = published(today).subquery("published")
    rows = db.session.execute(
        select(listed.c.kind, listed.c.row_id, func.count().over())
        .order_by(func.lower(listed.c.name), listed.c.kind, listed.c.row_id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    # Every row carries the total; a page after the last has none to carry it.
    total = rows[0][2] if rows else db.session.scalar(select(func.count()).select_from(listed))
    series = _load_series([pk for kind, pk, _ in rows if kind == SERIES])
    partners = _load_partner_services([pk for kind, pk, _ in rows if kind == PARTNER])
    services = [
        series_service(series[pk], base_url) if kind == SERIES else partner_service(partners[pk])
        for kind, pk, _ in rows
    ]
    return Page(services, number, per_page, total or 0)


def published_service(service_id: str, *, today: date, base_url: str) -> OrukService | None:
    """The published service with this id (as any case), or None."""
    wanted = service_id.strip().lower()
    listed = published(today).subquery("published")
    # Stored ids are ORUK ids already (ours are UUIDs; imports keep theirs, as read).
    partner = db.session.scalar(
        select(PartnerService)
        .join(listed, and_(listed.c.kind == PARTNER, listed.c.row_id == PartnerService.id))
        .where(func.lower(PartnerService.oruk_id) == wanted)
    )
    if partner is not None:
        return partner_service(partner)
    # A series' id is derived from its council's short name: worked out for each.
    series = db.session.execute(
        select(SessionSeries.id, Organisation.slug)
        .join(listed, and_(listed.c.kind == SERIES, listed.c.row_id == SessionSeries.id))
        .join(SessionSeries.hub)
        .join(Hub.organisation)
    )
    found = [pk for pk, slug in series if _series_id(slug, pk) == wanted]
    return series_service(_load_series(found)[found[0]], base_url) if found else None


def _bounded(typed: str | None, field: str, default: int, largest: int) -> int:
    if typed is None:
        return default
    number = whole_id(typed)
    if number is None or not 1 <= number <= largest:
        raise ServiceError("oruk_paging", field=field, parameter=field, limit=largest)
    return number


# --- a partner's service ----------------------------------------------------------------

PARTNER_TOPICS = "Front Door topics"


def _shown_partner_services(today: date) -> list[Select]:
    """(kind, row id, name) of each council's partner services families may be shown
    today: a query a council (an installation has one, or a few), each with its own
    "check every N months"."""
    start_of_today = datetime.combine(today, time(0), LONDON)
    # Loaded whole, so check_months finds each council's setting without asking again.
    councils = db.session.scalars(select(Organisation)).all()
    return [
        shown_to_families(
            select(
                literal(PARTNER).label("kind"),
                PartnerService.id.label("row_id"),
                PartnerService.name.label("name"),
            )
            .join(PartnerService.partner)
            .where(Partner.organisation_id == council.id),
            start_of_today,
            check_months(council.id),
        )
        for council in councils
    ]


def _load_partner_services(ids: list[int]) -> dict[int, PartnerService]:
    """Directory services by row id, with partner and hub, in one query."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(PartnerService)
        .where(PartnerService.id.in_(ids))
        .options(
            joinedload(PartnerService.partner),
            joinedload(PartnerService.hub).joinedload(Hub.organisation),
        )
    ).unique()
    return {row.id: row for row in rows}


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


# --- a hub's series as a service -------------------------------------------------------


def _published_series(today: date) -> Select:
    """(kind, row id, name) of each open hub's series that is running and has not
    ended. The database judges all of it but one thing: whether a run of so many
    sessions is over (its last date turns on bank holidays), which ``_run_over``
    judges for the running series that have a count, and only those."""
    running = _running(today)
    counted = db.session.scalars(
        select(SessionSeries)
        .join(SessionSeries.hub)
        .where(running, SessionSeries.occurrence_count.is_not(None))
    )
    over = [series.id for series in counted if _run_over(series, today)]
    return (
        select(
            literal(SERIES).label("kind"),
            SessionSeries.id.label("row_id"),
            SessionSeries.title.label("name"),
        )
        .join(SessionSeries.hub)
        .where(running, SessionSeries.id.not_in(over))
    )


def _running(today: date) -> ColumnElement[bool]:
    """Active series of open hubs (joined to their hub) that can be written as a weekly
    schedule (on some weekday, ending before midnight) and have no end date before
    ``today``."""
    starts = extract("hour", SessionSeries.start_time) * 60 + extract(
        "minute", SessionSeries.start_time
    )
    return and_(
        SessionSeries.active.is_(True),
        Hub.active.is_(True),
        func.json_array_length(SessionSeries.weekdays) > 0,
        starts + SessionSeries.duration_minutes < MINUTES_A_DAY,
        or_(SessionSeries.until_date.is_(None), SessionSeries.until_date >= today),
    )


def _run_over(series: SessionSeries, today: date) -> bool:
    """Whether the last session of a series that runs for so many is behind us."""
    schedule = _weekly(series, key=str(series.id))  # only its last day is wanted
    return schedule is None or (schedule.until is not None and schedule.until < today)


def _load_series(ids: list[int]) -> dict[int, SessionSeries]:
    """Series by row id, with hub, council, room and category, in one query."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(SessionSeries)
        .join(SessionSeries.hub)
        .join(Hub.organisation)
        .where(SessionSeries.id.in_(ids))
        .options(
            contains_eager(SessionSeries.hub).contains_eager(Hub.organisation),
            joinedload(SessionSeries.room),
            joinedload(SessionSeries.category),
        )
    ).unique()
    return {row.id: row for row in rows}


def series_id(series: SessionSeries) -> str:
    return _series_id(series.hub.organisation.slug, series.id)


def _series_id(council_slug: str, pk: int) -> str:
    return derived_id("series", council_slug, pk)


def series_service(series: SessionSeries, base_url: str) -> OrukService:
    """One series as an ORUK service."""
    hub = series.hub
    council = hub.organisation
    service_id = series_id(series)
    schedule = _weekly(series, key=f"{council.slug}/series:{series.id}")
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


def _weekly(series: SessionSeries, *, key: str) -> OrukSchedule | None:
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
    parts.append(f"At {where}.")
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
