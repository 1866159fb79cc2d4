"""Counts that add up (arrivals, adults, children, bookings, no-shows, help requests)
per series, for any dates: whole months from ``ReachMonthTotal``, the days at either
end from the daily ``ReachTotal``. A year at a 50-hub council is then a few thousand
monthly rows instead of every session's daily ones.

``refresh(first, last)`` rebuilds the months a build touched, from their daily
totals; ``counts(...)`` reads them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Date, delete, func, insert, literal, select

from frontdoor.extensions import db
from frontdoor.models import ReachMonthTotal, ReachTotal, Session

# series id (0: not at a session), measure, value
Key = tuple[int, str, str]


def _month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _months(first: date, last: date) -> Iterator[date]:
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = _month_after(month)


def refresh(first: date, last: date) -> None:
    """Rebuild every month ``first``..``last`` touches from its daily totals. The
    caller holds the totals' lock and commits."""
    series = func.coalesce(Session.series_id, 0)
    for month in _months(first, last):
        db.session.execute(delete(ReachMonthTotal).where(ReachMonthTotal.month == month))
        summed = (
            select(
                literal(month, Date),
                ReachTotal.hub_id,
                series,
                ReachTotal.measure,
                ReachTotal.value,
                func.sum(ReachTotal.count),
            )
            .outerjoin(Session, Session.id == ReachTotal.session_id)
            .where(ReachTotal.day >= month, ReachTotal.day < _month_after(month))
            .group_by(ReachTotal.hub_id, series, ReachTotal.measure, ReachTotal.value)
        )
        columns = ["month", "hub_id", "series_id", "measure", "value", "count"]
        db.session.execute(insert(ReachMonthTotal).from_select(columns, summed))


def _whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first and last whole month (their first days) inside ``first``..``last``."""
    start = first if first.day == 1 else _month_after(first)
    end = last.replace(day=1)
    if _month_after(end) - timedelta(days=1) != last:  # the last month is not whole
        end = (end - timedelta(days=1)).replace(day=1)
    return (start, end) if start <= end else None


def _daily(
    hub_ids: Collection[int], first: date, last: date, series_ids: Collection[int] | None
) -> Counter[Key]:
    series = func.coalesce(Session.series_id, 0)
    where: list[ColumnElement[bool]] = [
        ReachTotal.hub_id.in_(list(hub_ids)),
        ReachTotal.day.between(first, last),
    ]
    if series_ids is not None:
        where.append(Session.series_id.in_(list(series_ids)))
    rows = db.session.execute(
        select(series, ReachTotal.measure, ReachTotal.value, func.sum(ReachTotal.count))
        .outerjoin(Session, Session.id == ReachTotal.session_id)
        .where(*where)
        .group_by(series, ReachTotal.measure, ReachTotal.value)
    )
    return Counter({(s, m, v): int(n) for s, m, v, n in rows})


def _monthly(
    hub_ids: Collection[int], first: date, last: date, series_ids: Collection[int] | None
) -> Counter[Key]:
    rmt = ReachMonthTotal
    where: list[ColumnElement[bool]] = [
        rmt.hub_id.in_(list(hub_ids)),
        rmt.month.between(first, last),
    ]
    if series_ids is not None:
        where.append(rmt.series_id.in_(list(series_ids)))
    rows = db.session.execute(
        select(rmt.series_id, rmt.measure, rmt.value, func.sum(rmt.count))
        .where(*where)
        .group_by(rmt.series_id, rmt.measure, rmt.value)
    )
    return Counter({(s, m, v): int(n) for s, m, v, n in rows})


def counts(
    hub_ids: Collection[int],
    first: date,
    last: date,
    series_ids: Collection[int] | None = None,
) -> Counter[Key]:
    """Every count that adds up, by series, measure and value, from ``first`` to
    ``last`` at ``hub_ids`` (only at ``series_ids``' sessions, when given)."""
    whole = _whole_months(first, last)
    if whole is None:
        return _daily(hub_ids, first, last, series_ids)
    start, end = whole
    total = _monthly(hub_ids, start, end, series_ids)
    if first < start:
        total += _daily(hub_ids, first, start - timedelta(days=1), series_ids)
    after = _month_after(end)
    if last >= after:
        total += _daily(hub_ids, after, last, series_ids)
    return total
