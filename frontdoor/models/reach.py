"""Daily totals for reports (issue 12), kept by the scheduler (``reports.totals``) so a
report reads totals, not raw visits. They hold no names or contact details, so the
retention purge leaves them alone and last year's counts stay what they were.

- ``ReachTotal``: one count per day, hub, session (0: not at a session), measure and
  value, e.g. ("arrivals", ""), ("children", "0-1"), ("help", "money").
- ``ReachFamilyDay``: each family reached (arrived) on a day at a hub and session,
  with the area they gave that day. Unique families over any period cannot be summed
  from daily counts; distinct rows of this small table can be counted at once.
- ``ReachFirstSeen``: the day each family first arrived at any hub of the council,
  for "new" (first seen in the period) and "returning" (seen before it).
- ``ReachMonthTotal``: ``ReachTotal`` added up per month, hub and series, so a
  year's report adds up a few thousand rows, not every session's (``reports.months``).
- ``ReachPeriodFirst``: for the periods returns ask for (a month, a quarter, a
  financial year), the families counted on the day each first came in that period,
  so unique families over a standard period are a sum, not a distinct count of
  millions of rows (``reports.period_firsts``).

A family is its family key; a visit with no key (and no booked key) is a family of
its own, named "v<visit id>" (or "b<booking id>" for a booked one).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdoor.models.base import Base


class ReachTotal(Base):
    __tablename__ = "reach_total"
    __table_args__ = (Index("ix_reach_total_hub_day", "hub_id", "day"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), primary_key=True)
    session_id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int]


class ReachFamilyDay(Base):
    __tablename__ = "reach_family_day"
    __table_args__ = (
        Index("ix_reach_family_day_hub_day", "hub_id", "day"),
        # A family's days in order, with what the period sums ask of each: "when did
        # this family last come, here, with this decile?" (reports.period_firsts).
        Index("ix_reach_family_day_family_day", "family", "day", "hub_id", "decile", "district"),
    )

    day: Mapped[date] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), primary_key=True)
    session_id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(40), primary_key=True)
    district: Mapped[str] = mapped_column(String(4), default="")
    decile: Mapped[int | None] = mapped_column(SmallInteger)


class ReachFirstSeen(Base):
    __tablename__ = "reach_first_seen"
    # Rebuilding days refreshes the families first seen in them.
    __table_args__ = (Index("ix_reach_first_seen_first_day", "first_day"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    family: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_day: Mapped[date]


class ReachPeriodFirst(Base):
    """How many families were counted for the first time in a period on a day at a
    hub: ``period`` is "month", "quarter" or "year" (financial, April to March);
    ``scope`` is "hub" (first time at this hub in the period) or "council" (first
    time at any of the council's hubs in it, counted at the first hub they came to
    that day). ``measure`` is "families" (value ""), "decile" (value the decile, ""
    when not known) or "district" (value the district, "" when not known): a
    family that gave two areas in a period counts once under each, as the distinct
    count does. Summing a standard period's days gives its unique families."""

    __tablename__ = "reach_period_first"
    __table_args__ = (Index("ix_reach_period_first_read", "period", "scope", "day", "hub_id"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int]


class ReachMonthTotal(Base):
    """``ReachTotal`` per month (its first day), hub and series (0: not at a session):
    rebuilt for each month a build touches, from that month's daily totals."""

    __tablename__ = "reach_month_total"

    month: Mapped[date] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), primary_key=True)
    series_id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int]
