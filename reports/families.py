"""Unique families over a period: all of them, the new ones, and by deprivation
decile and postcode district. Distinct counts cannot be added up from daily ones:
see below for how each is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

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

from frontdoor.extensions import db
from frontdoor.models import Hub, ReachFamilyDay, ReachFirstSeen, ReachPeriodFirst, Session
from reports.periods import standard_kind


def where_counted(model, hub_ids: Collection[int], first: date, last: date, series_ids):
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


def roomy() -> None:
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


def families(hub_ids, first, last, series_ids) -> Families:
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
    where = where_counted(ReachFamilyDay, hub_ids, first, last, series_ids)
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
