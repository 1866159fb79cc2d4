"""A reach report for some hubs and dates, read from the daily totals
(``reports.totals``) and, for connections, from ``connections.counts``.

``reach_report(hub_ids, first, last, series_ids=None)`` is what the reports page,
its CSV files and ``frontdoor reach export`` call. ``series_ids`` narrows it to a
session lead's own series: then only what happened at those series' sessions is
counted (no help requests or connections, which belong to no series).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    union_all,
)

from connections.counts import connection_counts
from frontdoor import clock
from frontdoor.counting import UNKNOWN_BAND
from frontdoor.extensions import db
from frontdoor.models import (
    AGE_BANDS,
    Hub,
    ReachFamilyDay,
    ReachFirstSeen,
    ReachPeriodFirst,
    ReachTotal,
    ServiceCategory,
    Session,
    SessionSeries,
)
from frontdoor.topics import TOPIC_LABELS
from reports.periods import standard_kind

# Beyond this many sessions the table of each session is left out (the series and
# categories still count them): choose one hub or a shorter period to see them.
MAX_SESSIONS = 200
ACTIVITY = ("arrivals", "no_shows", "bookings")
ACTIVITY_HEADINGS = ["Arrivals", "No-shows", "Bookings"]


@dataclass
class Figure:
    """One table (and its chart): rows of a label and one count per column."""

    slug: str
    title: str
    heading: str  # the label column's heading
    columns: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)
    total: bool = False  # a total row (of each column) is shown
    note: str = ""


@dataclass
class Reach:
    first: date
    last: date
    figures: list[Figure]

    def figure(self, slug: str) -> Figure | None:
        return next((f for f in self.figures if f.slug == slug), None)


def _where(model, hub_ids: Collection[int], first: date, last: date, series_ids):
    conditions: list[ColumnElement[bool]] = [
        model.hub_id.in_(list(hub_ids)),
        model.day >= first,
        model.day <= last,
    ]
    if series_ids is not None:
        sessions = select(Session.id).where(Session.series_id.in_(list(series_ids)))
        conditions.append(model.session_id.in_(sessions))
    return and_(*conditions)


# Unique families over a month, a quarter or a financial year, at one hub or at every
# hub of a council, are sums kept by the nightly job (``reports.period_firsts``): a
# year at a 50-hub council adds up thousands of rows instead of finding a million
# distinct families among 3.5 million family-days. Any other period, a few of a
# council's hubs, or a session lead's own series are counted from the family-days
# (``_families_counted``), which is exact and slower on long periods.
#
# There, distinct families are counted as GROUP BY in a subquery, not COUNT(DISTINCT):
# PostgreSQL hashes the one and sorts the other, and the hash is the faster over
# millions of rows. The families are grouped before "first seen" is joined, so it is
# looked up once a family, not once a day they came, and only among those first
# seen in the period (its index on the day). All four distinct counts share one read
# of the period's rows.


def _roomy() -> None:
    """PostgreSQL: room for a year's families in the hash (a million at a large
    council) for this transaction, so it is not spilled to disk in batches."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


@dataclass
class Families:
    """Distinct families: all of them, the new ones, and by decile and district."""

    unique: int = 0
    new: int = 0
    deciles: Counter[int | None] = field(default_factory=Counter)
    districts: Counter[str] = field(default_factory=Counter)


def _families(hub_ids, first, last, series_ids) -> Families:
    """Unique, new, and by decile and district: from the sums kept when they can
    answer (see above), else counted."""
    period = standard_kind(first, last)
    scope = _kept_scope(hub_ids)
    if series_ids is None and period and scope:
        return _families_kept(hub_ids, first, last, period, scope)
    return _families_counted(hub_ids, first, last, series_ids)


def _kept_scope(hub_ids: Collection[int]) -> str | None:
    """ "hub" for one hub, "council" for every hub of one council, else None."""
    if len(hub_ids) == 1:
        return "hub"
    councils = db.session.scalars(
        select(Hub.organisation_id).where(Hub.id.in_(list(hub_ids))).distinct()
    ).all()
    if len(councils) != 1:
        return None
    every = set(db.session.scalars(select(Hub.id).where(Hub.organisation_id == councils[0])))
    return "council" if every == set(hub_ids) else None


def _families_kept(hub_ids, first: date, last: date, period: str, scope: str) -> Families:
    rpf = ReachPeriodFirst
    rows = db.session.execute(
        select(rpf.measure, rpf.value, func.sum(rpf.count))
        .where(
            rpf.period == period,
            rpf.scope == scope,
            rpf.day.between(first, last),
            rpf.hub_id.in_(list(hub_ids)),
        )
        .group_by(rpf.measure, rpf.value)
    )
    counted = Families()
    for measure, value, many in rows:
        if measure == "families":
            counted.unique += int(many)
        elif measure == "decile":
            counted.deciles[int(value) if value else None] += int(many)
        else:
            counted.districts[value] += int(many)
    counted.new = _new_families(hub_ids, first, last, scope)
    return counted


def _new_families(hub_ids, first: date, last: date, scope: str) -> int:
    """Families first seen at the council in the period: at the council, every one of
    them (each came to some hub that day); at one hub, those of them who came there."""
    first_seen = ReachFirstSeen
    councils = select(Hub.organisation_id).where(Hub.id.in_(list(hub_ids)))
    newly = [first_seen.first_day.between(first, last), first_seen.organisation_id.in_(councils)]
    if scope == "council":
        return db.session.scalar(select(func.count()).where(*newly)) or 0
    rfd = ReachFamilyDay
    here = (
        select(rfd.family)
        .where(rfd.hub_id.in_(list(hub_ids)), rfd.day.between(first, last))
        .group_by(rfd.family)
        .subquery()
    )
    return (
        db.session.scalar(
            select(func.count())
            .select_from(here)
            .join(first_seen, first_seen.family == here.c.family)
            .where(*newly)
        )
        or 0
    )


def _families_counted(hub_ids, first, last, series_ids) -> Families:
    """Every distinct-family count in one statement: the period's rows are read and
    grouped once (family, decile, district), and each count groups that smaller set."""
    where = _where(ReachFamilyDay, hub_ids, first, last, series_ids)
    rfd = ReachFamilyDay
    pairs = (
        select(rfd.family, rfd.decile, rfd.district)
        .where(where)
        .group_by(rfd.family, rfd.decile, rfd.district)
        .cte("pairs")
    )
    each = select(pairs.c.family).group_by(pairs.c.family).subquery()
    councils = select(Hub.organisation_id).where(Hub.id.in_(list(hub_ids)))
    newly = (
        select(ReachFirstSeen.family)
        .where(
            ReachFirstSeen.first_day.between(first, last),
            ReachFirstSeen.organisation_id.in_(councils),
        )
        .group_by(ReachFirstSeen.family)
        .subquery()
    )
    families: Select = select(
        literal_column("'families'"), null().cast(String), func.count(), func.count(newly.c.family)
    ).select_from(each.outerjoin(newly, newly.c.family == each.c.family))
    parts: list[Select] = [families]
    for kind, column in (("decile", pairs.c.decile), ("district", pairs.c.district)):
        by = select(column.label("value"), pairs.c.family).group_by(column, pairs.c.family)
        one = by.subquery()
        parts.append(
            select(
                literal_column(f"'{kind}'"), one.c.value.cast(String), func.count(), literal(0)
            ).group_by(one.c.value)
        )
    counted = Families()
    for kind, value, many, new in db.session.execute(union_all(*parts)):
        if kind == "families":
            counted.unique, counted.new = many or 0, new or 0
        elif kind == "decile":
            counted.deciles[None if value is None else int(value)] += many
        else:
            counted.districts[value or ""] += many
    return counted


def _measures(hub_ids, first, last, series_ids) -> Counter[tuple[str, str]]:
    where = _where(ReachTotal, hub_ids, first, last, series_ids)
    rows = db.session.execute(
        select(ReachTotal.measure, ReachTotal.value, func.sum(ReachTotal.count))
        .where(where)
        .group_by(ReachTotal.measure, ReachTotal.value)
    )
    return Counter({(measure, value): int(many) for measure, value, many in rows})


def _by_session(hub_ids, first, last, series_ids) -> list[tuple]:
    """(session id, starts, series title, category, hub name, measure, count)."""
    where = _where(ReachTotal, hub_ids, first, last, series_ids)
    return list(
        db.session.execute(
            select(
                Session.id,
                Session.starts_at,
                SessionSeries.title,
                ServiceCategory.name,
                Hub.name,
                ReachTotal.measure,
                func.sum(ReachTotal.count),
            )
            .join(Session, Session.id == ReachTotal.session_id)
            .join(SessionSeries, SessionSeries.id == Session.series_id)
            .join(Hub, Hub.id == Session.hub_id)
            .outerjoin(ServiceCategory, ServiceCategory.id == SessionSeries.category_id)
            .where(where, ReachTotal.measure.in_(ACTIVITY))
            .group_by(
                Session.id,
                Session.starts_at,
                SessionSeries.title,
                ServiceCategory.name,
                Hub.name,
                ReachTotal.measure,
            )
        )
    )


def _activity_figure(slug: str, title: str, heading: str, keyed: dict) -> Figure:
    rows = [(label, [counts[m] for m in ACTIVITY]) for label, counts in sorted(keyed.items())]
    return Figure(slug, title, heading, ACTIVITY_HEADINGS, rows, total=True)


def _activity(hub_ids, first, last, series_ids) -> list[Figure]:
    series: dict[str, Counter[str]] = {}
    categories: dict[str, Counter[str]] = {}
    sessions: dict[str, Counter[str]] = {}
    for _session, starts, title, category, hub, measure, many in _by_session(
        hub_ids, first, last, series_ids
    ):
        many = int(many)
        label = f"{title} ({hub})" if len(hub_ids) > 1 else title
        series.setdefault(label, Counter())[measure] += many
        categories.setdefault(category or "No category", Counter())[measure] += many
        when = clock.local(starts).strftime("%Y-%m-%d %H:%M")
        sessions.setdefault(f"{when} {label}", Counter())[measure] += many
    figures = [
        _activity_figure(
            "categories", "Arrivals, no-shows and bookings by category", "Category", categories
        ),
        _activity_figure("series", "Arrivals, no-shows and bookings by series", "Series", series),
    ]
    each = _activity_figure("sessions", "Each session", "Session", sessions)
    if len(sessions) > MAX_SESSIONS:
        each.rows = []
        each.note = "Too many sessions to list: choose one hub or a shorter period."
    figures.append(each)
    return figures


def _decile(decile: int) -> str:
    ends = {1: " (most deprived)", 10: " (least deprived)"}
    return f"Decile {decile}{ends.get(decile, '')}"


def _connections(hub_ids, first: date, last: date) -> tuple[int, int]:
    start = datetime.combine(first, time(0), clock.LONDON)
    end = datetime.combine(last + timedelta(days=1), time(0), clock.LONDON)
    counted = connection_counts(hub_ids, start, end)
    return sum(c.made for c in counted), sum(c.accepted for c in counted)


def _topic_labels(topics: Collection[str]) -> dict[str, str]:
    """Staff words for topics, in English as every staff page is: also outside a
    request (``frontdoor reach export``), where no family's language could be chosen."""
    with force_locale("en"):
        return {topic: str(TOPIC_LABELS.get(topic, topic)) for topic in topics}


def reach_report(
    hub_ids: Collection[int],
    first: date,
    last: date,
    series_ids: Collection[int] | None = None,
) -> Reach:
    """The report for ``hub_ids`` from ``first`` to ``last`` (both included)."""
    _roomy()
    families = _families(hub_ids, first, last, series_ids)
    unique, new = families.unique, families.new
    measures = _measures(hub_ids, first, last, series_ids)
    headline = [
        ("Unique families", unique),
        ("New families (first time at any hub)", new),
        ("Returning families", unique - new),
        ("Arrivals", measures["arrivals", ""]),
        ("Adults", measures["adults", ""]),
        ("Children", sum(n for (m, _), n in measures.items() if m == "children")),
        ("Bookings", measures["bookings", ""]),
        ("No-shows", measures["no_shows", ""]),
    ]
    if series_ids is None:
        made, accepted = _connections(hub_ids, first, last)
        headline += [
            ("Help requests", sum(n for (m, _), n in measures.items() if m == "help")),
            ("Connections made", made),
            ("Connections accepted", accepted),
        ]
    bands = [*AGE_BANDS, UNKNOWN_BAND]
    figures = [
        Figure(
            "summary",
            "Reach in numbers",
            "Measure",
            ["Count"],
            [(label, [n]) for label, n in headline],
        ),
        Figure(
            "children",
            "Children by age band",
            "Age band",
            ["Children"],
            [(AGE_BANDS.get(b, "Not known"), [measures["children", b]]) for b in bands],
            total=True,
        ),
        *_activity(hub_ids, first, last, series_ids),
    ]
    if series_ids is None:
        topics = _topic_labels(sorted({v for (m, v) in measures if m == "help"}))
        figures.append(
            Figure(
                "help",
                "Help requests by topic",
                "Topic",
                ["Requests"],
                [(label, [measures["help", t]]) for t, label in topics.items()],
                total=True,
            )
        )
    deciles = families.deciles
    figures.append(
        Figure(
            "deciles",
            "Families by deprivation decile",
            "Decile",
            ["Families"],
            [(_decile(d), [deciles.get(d, 0)]) for d in range(1, 11)]
            + [("Not known or outside England", [deciles.get(None, 0)])],
        )
    )
    districts = list(families.districts.items())
    figures.append(
        Figure(
            "districts",
            "Families by postcode district",
            "District",
            ["Families"],
            [(str(d) or "Not known", [n]) for d, n in sorted(districts, key=str)],
        )
    )
    return Reach(first, last, figures)
