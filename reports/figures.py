"""A reach report for some hubs and dates, read from the totals the nightly job
keeps (``reports.totals``): counts that add up from ``reports.months``, unique
families from ``reports.families``, connections from ``connections.counts``.

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
from sqlalchemy import func, select

from connections.counts import connection_counts
from frontdoor import clock
from frontdoor.counting import UNKNOWN_BAND
from frontdoor.extensions import db
from frontdoor.models import (
    AGE_BANDS,
    Hub,
    ReachTotal,
    ServiceCategory,
    Session,
    SessionSeries,
)
from frontdoor.topics import TOPIC_LABELS
from reports import months
from reports.families import families, roomy
from reports.months import Key

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


def _series_labels(series_ids: Collection[int], many_hubs: bool) -> dict[int, tuple[str, str]]:
    """Each series' label (with its hub's name when the report covers several) and
    its category today."""
    rows = db.session.execute(
        select(SessionSeries.id, SessionSeries.title, Hub.name, ServiceCategory.name)
        .join(Hub, Hub.id == SessionSeries.hub_id)
        .outerjoin(ServiceCategory, ServiceCategory.id == SessionSeries.category_id)
        .where(SessionSeries.id.in_(list(series_ids)))
    )
    return {
        sid: (f"{title} ({hub})" if many_hubs else title, category or "No category")
        for sid, title, hub, category in rows
    }


def _sessions(hub_ids, first, last, series_ids) -> dict[str, Counter[str]]:
    """Arrivals, no-shows and bookings at each session, by its start and series;
    none when there are more than ``MAX_SESSIONS`` (counted first, cheaply)."""
    start = datetime.combine(first, time(0), clock.LONDON)
    end = datetime.combine(last + timedelta(days=1), time(0), clock.LONDON)
    held = [Session.hub_id.in_(list(hub_ids)), Session.starts_at >= start, Session.starts_at < end]
    if series_ids is not None:
        held.append(Session.series_id.in_(list(series_ids)))
    if (db.session.scalar(select(func.count()).where(*held)) or 0) > MAX_SESSIONS:
        raise _TooMany
    rows = db.session.execute(
        select(Session.starts_at, Session.series_id, ReachTotal.measure, func.sum(ReachTotal.count))
        .join(Session, Session.id == ReachTotal.session_id)
        .where(*held, ReachTotal.measure.in_(ACTIVITY))
        .group_by(Session.id, Session.starts_at, Session.series_id, ReachTotal.measure)
    )
    found = list(rows)
    labels = _series_labels({sid for _, sid, _, _ in found}, len(hub_ids) > 1)
    sessions: dict[str, Counter[str]] = {}
    for starts, sid, measure, many in found:
        when = clock.local(starts).strftime("%Y-%m-%d %H:%M")
        sessions.setdefault(f"{when} {labels[sid][0]}", Counter())[measure] += int(many)
    return sessions


class _TooMany(Exception):
    """More sessions than a table of each can usefully show."""


def _activity_figure(slug: str, title: str, heading: str, keyed: dict) -> Figure:
    rows = [(label, [counts[m] for m in ACTIVITY]) for label, counts in sorted(keyed.items())]
    return Figure(slug, title, heading, ACTIVITY_HEADINGS, rows, total=True)


def _activity(hub_ids, first, last, series_ids, counted: Counter[Key]) -> list[Figure]:
    labels = _series_labels({sid for sid, _, _ in counted if sid}, len(hub_ids) > 1)
    series: dict[str, Counter[str]] = {}
    categories: dict[str, Counter[str]] = {}
    for (sid, measure, _), many in counted.items():
        if sid and measure in ACTIVITY:
            label, category = labels[sid]
            series.setdefault(label, Counter())[measure] += many
            categories.setdefault(category, Counter())[measure] += many
    each = Figure("sessions", "Each session", "Session", ACTIVITY_HEADINGS, total=True)
    try:
        each = _activity_figure(
            "sessions", "Each session", "Session", _sessions(hub_ids, first, last, series_ids)
        )
    except _TooMany:
        each.note = "Too many sessions to list: choose one hub or a shorter period."
    return [
        _activity_figure(
            "categories", "Arrivals, no-shows and bookings by category", "Category", categories
        ),
        _activity_figure("series", "Arrivals, no-shows and bookings by series", "Series", series),
        each,
    ]


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
    roomy()
    reached = families(hub_ids, first, last, series_ids)
    unique, new = reached.unique, reached.new
    counted = months.counts(hub_ids, first, last, series_ids)
    measures: Counter[tuple[str, str]] = Counter()
    for (_, measure, value), many in counted.items():
        measures[measure, value] += many
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
        *_activity(hub_ids, first, last, series_ids, counted),
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
    deciles = reached.deciles
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
    districts = list(reached.districts.items())
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
