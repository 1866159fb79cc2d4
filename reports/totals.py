"""The daily totals reports read (``frontdoor.models.reach``), kept by a nightly job.

``build_day(day)`` counts one day at every hub from the raw rows, by the rules in
``frontdoor.counting``, and replaces whatever was kept for that day: running it
twice, or again after a late correction, gives the same totals. The nightly job
rebuilds yesterday and the week before it, as a booking nobody came for is marked
a no-show up to a week later (``booking.jobs``) and staff correct arrivals late.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

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

# A week back: the no-show job's look-back (booking.jobs.NO_SHOW_LOOKBACK) and a day.
REBUILD_DAYS = 8
_CHUNK = 500

Cell = tuple[int, int, str, str]  # hub, session (0 none), measure, value
Place = tuple[int, int, str]  # hub, session, family


def _count_visits(start: datetime, end: datetime) -> tuple[Counter[Cell], dict[Place, tuple]]:
    totals: Counter[Cell] = Counter()
    reached: dict[Place, tuple[str, int | None]] = {}
    rows = db.session.execute(
        select(
            Visit.id,
            Visit.hub_id,
            Visit.session_id,
            Visit.booking_id,
            Visit.family_key,
            Booking.family_key,
            Visit.status,
            Visit.adults,
            Visit.children,
            Visit.child_bands,
            Visit.postcode_district,
            Visit.imd_decile,
        )
        .outerjoin(Booking, Booking.id == Visit.booking_id)
        .where(Visit.arrived_at >= start, Visit.arrived_at < end)
    )
    for vid, hub, sid, bid, key, bkey, status, adults, children, bands, district, decile in rows:
        session = sid or 0
        if not counting.arrived_status(status):
            totals[hub, session, "no_shows", ""] += 1
            continue
        totals[hub, session, "arrivals", ""] += 1
        totals[hub, session, "adults", ""] += adults
        for band, many in counting.children_by_band(children, bands or []).items():
            totals[hub, session, "children", band] += many
        place = (hub, session, counting.family_of(key, vid, bid, bkey))
        # A family's area on the day: the one they gave, if any arrival gave one.
        if district or place not in reached:
            reached[place] = (district or "", decile)
    return totals, reached


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


def _families_on(day: date) -> set[tuple[int, str]]:
    """(council, family) for every family kept as reached on ``day``."""
    rows = db.session.execute(
        select(Hub.organisation_id, ReachFamilyDay.family)
        .join(Hub, Hub.id == ReachFamilyDay.hub_id)
        .where(ReachFamilyDay.day == day)
        .distinct()
    )
    return {(org, family) for org, family in rows}


def _refresh_first_seen(families: Iterable[tuple[int, str]]) -> None:
    """Each family's first day at the council, again from the days kept: right
    whether the day rebuilt added a family, removed one or changed nothing."""
    by_council: dict[int, list[str]] = {}
    for org, family in families:
        by_council.setdefault(org, []).append(family)
    for org, names in by_council.items():
        for at in range(0, len(names), _CHUNK):
            chunk = names[at : at + _CHUNK]
            db.session.execute(
                delete(ReachFirstSeen).where(
                    ReachFirstSeen.organisation_id == org, ReachFirstSeen.family.in_(chunk)
                )
            )
            first = db.session.execute(
                select(ReachFamilyDay.family, func.min(ReachFamilyDay.day))
                .join(Hub, Hub.id == ReachFamilyDay.hub_id)
                .where(Hub.organisation_id == org, ReachFamilyDay.family.in_(chunk))
                .group_by(ReachFamilyDay.family)
            ).all()
            if first:
                db.session.execute(
                    insert(ReachFirstSeen),
                    [{"organisation_id": org, "family": f, "first_day": d} for f, d in first],
                )


def build_day(day: date) -> int:
    """Count ``day`` (at the hubs, Europe/London) at every hub, replacing what was
    kept for it. Returns the number of rows kept. The caller commits."""
    start, end = counting.day_bounds(day)
    before = _families_on(day)
    db.session.execute(delete(ReachTotal).where(ReachTotal.day == day))
    db.session.execute(delete(ReachFamilyDay).where(ReachFamilyDay.day == day))
    totals, reached = _count_visits(start, end)
    _count_bookings(start, end, totals)
    _count_help(start, end, totals)
    if totals:
        db.session.execute(
            insert(ReachTotal),
            [
                {
                    "day": day,
                    "hub_id": hub,
                    "session_id": session,
                    "measure": measure,
                    "value": value,
                    "count": many,
                }
                for (hub, session, measure, value), many in totals.items()
                if many
            ],
        )
    if reached:
        db.session.execute(
            insert(ReachFamilyDay),
            [
                {
                    "day": day,
                    "hub_id": hub,
                    "session_id": session,
                    "family": family,
                    "district": district,
                    "decile": decile,
                }
                for (hub, session, family), (district, decile) in reached.items()
            ],
        )
    db.session.flush()
    _refresh_first_seen(before | _families_on(day))
    return len(totals) + len(reached)


def build_days(first: date, last: date) -> int:
    """Every day from ``first`` to ``last``, in order (a back-fill)."""
    kept, day = 0, first
    while day <= last:
        kept += build_day(day)
        day += timedelta(days=1)
    return kept


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
