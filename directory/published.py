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

from dataclasses import dataclass
from datetime import date, datetime, time

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
    OrukService,
)
from directory.oruk_services import (
    MINUTES_A_DAY,
    derived_series_id,
    partner_service,
    series_service,
    weekly_schedule,
)
from directory.services import check_months, shown_to_families
from frontdoor.clock import LONDON
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import whole_id
from frontdoor.models import (
    Hub,
    Organisation,
    Partner,
    PartnerService,
    SessionSeries,
)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
# What a published row is made from; a series sorts before a partner's service of the
# same name, then each by its row id, so every page's order is total and stable.
SERIES, PARTNER = 0, 1


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
    found = [pk for pk, slug in series if derived_series_id(slug, pk) == wanted]
    return series_service(_load_series(found)[found[0]], base_url) if found else None


def _bounded(typed: str | None, field: str, default: int, largest: int) -> int:
    if typed is None:
        return default
    number = whole_id(typed)
    if number is None or not 1 <= number <= largest:
        raise ServiceError("oruk_paging", field=field, parameter=field, limit=largest)
    return number


# --- a partner's service ----------------------------------------------------------------


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
    schedule = weekly_schedule(series, key=str(series.id))  # only its last day is wanted
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
