"""The daily totals reports read (``frontdoor.models.reach``), kept by a nightly job.

``build_day(day)`` counts one day at every hub from the raw rows, by the rules in
``frontdoor.counting``, and replaces whatever was kept for that day: running it
twice, or again after a late correction, gives the same totals. The nightly job
rebuilds yesterday and the week before it, as a booking nobody came for is marked
a no-show up to a week later (``booking.jobs``) and staff correct arrivals late.

How it stays fast and safe at a council's scale (five years of 50 hubs):

- A day's visits are read by ``ix_visit_arrived_at`` (every hub at once), and the
  families reached are kept by one INSERT … SELECT … GROUP BY per day, so no row
  of a family crosses into Python; the few hundred counts per day are summed here
  because a child's age bands are a JSON list, unpacked by ``counting``.
- Unique families over each month, quarter and financial year are kept as sums
  (``reports.period_firsts``), recounted from the first day rebuilt to the end of
  its financial year.
- "First seen" is refreshed once per build, set-based, for the families the days
  rebuilt touched: a back-fill of five years is one ``build_days`` call, not five
  years of per-day refreshes.
- Two builds at once (the nightly job and ``frontdoor reach build``) would delete
  and insert the same rows: on PostgreSQL each takes one transaction-scoped advisory
  lock first, so the second waits for the first to commit and then rebuilds from
  what it kept. One lock, not one per day, because "first seen" rows are shared by
  every day a family came. SQLite serialises writers already.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import Date, case, delete, func, insert, literal, select, text, union_all
from sqlalchemy.dialects import postgresql, sqlite

from frontdoor import clock, counting
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    HelpRequest,
    Hub,
    ReachFamilyDay,
    ReachFirstSeen,
    ReachTotal,
    Session,
    Visit,
)
from frontdoor.scheduler import register_job
from reports import months, period_firsts

# A week back: the no-show job's look-back (booking.jobs.NO_SHOW_LOOKBACK) and a day.
REBUILD_DAYS = 8
# pg_advisory_xact_lock's key for "the reach totals are being rebuilt" (any number
# no other lock uses; "reach" in ASCII).
_LOCK_KEY = 0x7265616368

Cell = tuple[int, int, str, str]  # hub, session (0 none), measure, value


def _take_lock() -> None:
    """Wait for any other build to commit (PostgreSQL); see the module's docstring.
    JIT off too: a day's queries are short, and compiling them cost more than it saved."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        db.session.execute(text("SET LOCAL jit = off"))


def _count_visits(start: datetime, end: datetime, totals: Counter[Cell]) -> None:
    rows = db.session.execute(
        select(
            Visit.hub_id,
            Visit.session_id,
            Visit.status,
            Visit.adults,
            Visit.children,
            Visit.child_bands,
        ).where(Visit.arrived_at >= start, Visit.arrived_at < end)
    )
    for hub, sid, status, adults, children, bands in rows:
        session = sid or 0
        if not counting.arrived_status(status):
            totals[hub, session, "no_shows", ""] += 1
            continue
        totals[hub, session, "arrivals", ""] += 1
        totals[hub, session, "adults", ""] += adults
        for band, many in counting.children_by_band(children, bands or []).items():
            totals[hub, session, "children", band] += many


def _count_bookings(start: datetime, end: datetime, totals: Counter[Cell]) -> None:
    """Bookings, on the day of their session."""
    rows = db.session.execute(
        select(Session.hub_id, Session.id, func.count())
        .select_from(Booking)
        .join(Session, Session.id == Booking.session_id)
        .where(Session.starts_at >= start, Session.starts_at < end, counting.booked())
        .group_by(Session.hub_id, Session.id)
    )
    for hub, session, many in rows:
        totals[hub, session, "bookings", ""] += many


def _count_help(start: datetime, end: datetime, totals: Counter[Cell]) -> None:
    rows = db.session.execute(
        select(HelpRequest.hub_id, HelpRequest.topic, func.count())
        .where(HelpRequest.created_at >= start, HelpRequest.created_at < end)
        .group_by(HelpRequest.hub_id, HelpRequest.topic)
    )
    for hub, topic, many in rows:
        totals[hub, 0, "help", topic] += many


def _keep_totals(day: date, totals: Counter[Cell]) -> int:
    rows = [
        {"day": day, "hub_id": hub, "session_id": session, "measure": measure,
         "value": value, "count": many}
        for (hub, session, measure, value), many in totals.items()
        if many
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(ReachTotal), rows)
    return len(rows)


def _keep_families(day: date, start: datetime, end: datetime) -> int:
    """Each family that arrived on ``day``, once per hub and session, with the area
    they gave at that hub that day (any arrival there that gave one, at any session:
    a family that gave its postcode at the morning session has that area at the
    afternoon one too, so it is not counted under "not known" as well)."""
    family = counting.family_sql()
    session = func.coalesce(Visit.session_id, 0)
    at_hub = (Visit.hub_id, family)
    reached = (
        select(
            literal(day, Date),
            Visit.hub_id,
            session,
            family,
            func.max(func.max(Visit.postcode_district)).over(partition_by=at_hub),
            func.max(func.max(Visit.imd_decile)).over(partition_by=at_hub),
        )
        .select_from(Visit)
        .outerjoin(Booking, Booking.id == Visit.booking_id)
        .where(Visit.arrived_at >= start, Visit.arrived_at < end, counting.arrived())
        .group_by(Visit.hub_id, session, family)
    )
    columns = ["day", "hub_id", "session_id", "family", "district", "decile"]
    done = db.session.execute(insert(ReachFamilyDay).from_select(columns, reached))
    return int(getattr(done, "rowcount", 0) or 0)  # a CursorResult: rows inserted


def _refresh_first_seen(first: date, last: date) -> None:
    """Each family's first day at the council, kept right after ``first``..``last``
    are rebuilt, reading only what the rebuild could change. The days before
    ``first`` are as they were, so a first day before ``first`` still holds. Any
    other is the earliest of the family's days in the range and, for the families
    first seen in it (a correction may have moved them later, or away), its days
    after. So the nightly week reads its own week, not every earlier day of every
    family in it."""
    rfd, seen = ReachFamilyDay, ReachFirstSeen
    moved = select(seen.family).where(seen.first_day.between(first, last))
    days = union_all(
        select(rfd.hub_id, rfd.family, rfd.day).where(rfd.day.between(first, last)),
        select(rfd.hub_id, rfd.family, rfd.day).where(rfd.day > last, rfd.family.in_(moved)),
    ).subquery()
    earliest = (
        select(Hub.organisation_id, days.c.family, func.min(days.c.day))
        .join(Hub, Hub.id == days.c.hub_id)
        .group_by(Hub.organisation_id, days.c.family)
    )
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(seen).from_select(["organisation_id", "family", "first_day"], earliest)
    held = case((seen.first_day < first, seen.first_day), else_=upsert.excluded.first_day)
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=["organisation_id", "family"], set_={"first_day": held}
        )
    )
    # First seen in the range, and no longer came at all: no day of theirs is kept
    # where their first day says. Explicitly correlated: left to itself the inner
    # query would take its own copy of reach_first_seen.
    still_kept = (
        select(rfd.family)
        .join(Hub, Hub.id == rfd.hub_id)
        .where(
            rfd.family == seen.family,
            rfd.day == seen.first_day,
            Hub.organisation_id == seen.organisation_id,
        )
        .correlate(seen)
        .exists()
    )
    db.session.execute(
        delete(seen)
        .where(seen.first_day.between(first, last), ~still_kept)
        .execution_options(synchronize_session=False)
    )


def build_days(first: date, last: date) -> int:
    """Count every day from ``first`` to ``last`` (at the hubs, Europe/London) at
    every hub, replacing what was kept for them: the nightly job's week, or a
    back-fill of years. Returns the number of rows kept. The caller commits."""
    _take_lock()
    db.session.execute(delete(ReachTotal).where(ReachTotal.day.between(first, last)))
    db.session.execute(delete(ReachFamilyDay).where(ReachFamilyDay.day.between(first, last)))
    kept, day = 0, first
    while day <= last:
        start, end = counting.day_bounds(day)
        totals: Counter[Cell] = Counter()
        _count_visits(start, end, totals)
        _count_bookings(start, end, totals)
        _count_help(start, end, totals)
        kept += _keep_totals(day, totals) + _keep_families(day, start, end)
        day += timedelta(days=1)
    _refresh_first_seen(first, last)
    months.refresh(first, last)
    period_firsts.recount(first, last)
    if (last - first).days >= REBUILD_DAYS:
        _fresh_statistics()
    return kept


def _fresh_statistics() -> None:
    """After a back-fill (more than the nightly week) most of the totals are new:
    PostgreSQL plans reports for the tables' new size, not the size it last saw."""
    if db.session.get_bind().dialect.name == "postgresql":
        for table in (
            "reach_total",
            "reach_family_day",
            "reach_first_seen",
            "reach_period_first",
            "reach_month_total",
        ):
            db.session.execute(text(f"ANALYZE {table}"))


def build_day(day: date) -> int:
    """Count ``day`` at every hub, replacing what was kept for it. The caller commits."""
    return build_days(day, day)


def nightly(now: datetime) -> dict[str, int]:
    yesterday = clock.local(now).date() - timedelta(days=1)
    first = yesterday - timedelta(days=REBUILD_DAYS - 1)
    return {"rows": build_days(first, yesterday)}


def register() -> None:
    register_job(
        "reports.totals",
        nightly,
        daily_at="02:40",
        description="Count yesterday (and the week before, for late corrections) for reports",
    )
