"""Unique families over a month, a quarter or a financial year, kept as sums
(``ReachPeriodFirst``), so a year's report for a large council adds up a few
hundred thousand small counts instead of finding the distinct families among
millions of family-days.

The rule, for each period kind, scope (this hub, or any hub of the council) and
key (the family; the family and its decile; the family and its district): a
family-day counts on the day it is the family's first in the period. Within a day
the first is the one at the lowest hub id (and session id), so a family at two
hubs one day is counted once for the council. Summing a period's days gives
exactly its distinct count; ``tests/test_reach_period_firsts_property.py`` proves it.

Whether a family-day is the first in its period depends only on the family's
earlier days in the same financial year (every standard period lies inside one).
So rebuilding some days recounts from the first of them to the end of their
financial year (or the last day kept): the nightly week is only itself; a late
correction of last June recounts June to March. A recount reads the days it
recounts, and for each family in them the last day it came before them (per hub,
decile and district), from the (family, day, ...) index.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import Select, delete, func, insert, select, true

from frontdoor.extensions import db
from frontdoor.models import Hub, ReachFamilyDay, ReachPeriodFirst
from reports.periods import STANDARD, financial_year_end, starts

# What a family is counted once per period under: (scope, measure).
KEYS = (
    ("hub", "families"),
    ("council", "families"),
    ("hub", "decile"),
    ("council", "decile"),
    ("hub", "district"),
    ("council", "district"),
)
Cell = tuple[date, int, str, str, str, str]  # day, hub, period, scope, measure, value
# A family's last day under one key: (scope, measure, hub or council id, value).
Key = tuple[str, str, int, str]


def _value(measure: str, decile: int | None, district: str | None) -> str:
    if measure == "decile":
        return "" if decile is None else str(decile)
    return district or "" if measure == "district" else ""


def _keys(hub: int, council: int, decile: int | None, district: str | None) -> list[Key]:
    where = {"hub": hub, "council": council}
    return [
        (scope, measure, where[scope], _value(measure, decile, district)) for scope, measure in KEYS
    ]


def _days(first: date, last: date):
    """The family-days from ``first`` to ``last``, each family's in order."""
    rfd = ReachFamilyDay
    return db.session.execute(
        select(rfd.family, rfd.day, rfd.hub_id, rfd.decile, rfd.district)
        .where(rfd.day.between(first, last))
        .order_by(rfd.family, rfd.day, rfd.hub_id, rfd.session_id),
        execution_options={"yield_per": 20_000},
    )


def _before(year_first: date, first: date, last: date, councils: dict[int, int]):
    """For each family of ``first``..``last``, the last day it came under each key
    from ``year_first`` to the day before ``first``, grouped by where and with which
    area they came."""
    if first <= year_first:
        return {}
    found: dict[str, dict[Key, date]] = defaultdict(dict)
    for family, hub, decile, district, day in db.session.execute(_earlier(year_first, first, last)):
        last_days = found[family]
        for key in _keys(hub, councils[hub], decile, district):
            if key not in last_days or last_days[key] < day:
                last_days[key] = day
    return found


def _earlier(year_first: date, first: date, last: date) -> Select[str, int, int | None, str, date]:
    """Each touched family's last day at each hub with each area, before ``first``."""
    rfd = ReachFamilyDay
    touched = select(rfd.family).where(rfd.day.between(first, last)).distinct().subquery()
    if db.session.get_bind().dialect.name != "postgresql":
        return (
            select(rfd.family, rfd.hub_id, rfd.decile, rfd.district, func.max(rfd.day))
            .where(rfd.day >= year_first, rfd.day < first, rfd.family.in_(select(touched)))
            .group_by(rfd.family, rfd.hub_id, rfd.decile, rfd.district)
        )
    # PostgreSQL would join the touched families to every family-day of the year so
    # far (a scan that grows with the council), where a few index-only reads per
    # family are enough: LATERAL, grouped inside, keeps it to those reads (a night's
    # look-back at 50 hubs: 0.35 s, against 0.95 s and growing through the year).
    per_family = (
        select(rfd.hub_id, rfd.decile, rfd.district, func.max(rfd.day).label("day"))
        .where(rfd.family == touched.c.family, rfd.day >= year_first, rfd.day < first)
        .group_by(rfd.hub_id, rfd.decile, rfd.district)
        .lateral()
    )
    return select(
        touched.c.family, per_family.c.hub_id, per_family.c.decile,
        per_family.c.district, per_family.c.day,
    ).select_from(touched.join(per_family, true()))  # fmt: skip


def _count(year_first: date, first: date, last: date) -> Counter[Cell]:
    councils = {
        hub: council for hub, council in db.session.execute(select(Hub.id, Hub.organisation_id))
    }
    before = _before(year_first, first, last, councils)
    counts: Counter[Cell] = Counter()
    for family, rows in groupby(_days(first, last), key=lambda row: row[0]):
        seen = dict(before.get(family, {}))
        for _, day, hub, decile, district in rows:
            begins = starts(day)
            for key in _keys(hub, councils[hub], decile, district):
                previous = seen.get(key)
                for period in STANDARD:
                    if previous is None or previous < begins[period]:
                        counts[day, hub, period, key[0], key[1], key[3]] += 1
                seen[key] = day
    return counts


def _financial_years(first: date, last: date) -> Iterator[tuple[date, date, date]]:
    """(year's first day, first, last) for each financial year ``first``..``last``
    touches, ``first`` and ``last`` clipped to it."""
    while first <= last:
        year_first = starts(first)["year"]
        year_last = financial_year_end(first)
        yield year_first, first, min(last, year_last)
        first = year_last + timedelta(days=1)


def recount(first: date, last: date) -> int:
    """Recount the period firsts of every day from ``first`` to the end of the
    financial year ``last`` is in, or the last day kept, whichever is sooner (see the
    module's docstring). The caller holds the totals' lock and commits."""
    latest = db.session.scalar(select(func.max(ReachFamilyDay.day)))
    until = max(last, min(financial_year_end(last), latest or last))
    kept = 0
    for year_first, begin, end in _financial_years(first, until):
        db.session.execute(delete(ReachPeriodFirst).where(ReachPeriodFirst.day.between(begin, end)))
        rows = [
            {"day": day, "hub_id": hub, "period": period, "scope": scope,
             "measure": measure, "value": value, "count": many}
            for (day, hub, period, scope, measure, value), many in
            _count(year_first, begin, end).items()
        ]  # fmt: skip
        for at in range(0, len(rows), 50_000):
            db.session.execute(insert(ReachPeriodFirst), rows[at : at + 50_000])
        kept += len(rows)
    return kept
