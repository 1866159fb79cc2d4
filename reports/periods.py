"""The period a report covers: a month, a quarter, a financial year (April to March)
or any dates, as first and last day (both included)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from frontdoor.errors import ServiceError

# Longer than this is more than any return asks for, and slow: say so.
MAX_YEARS = 5
_QUARTER = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def month(text: str) -> Period:
    try:
        year, number = (int(part) for part in text.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ServiceError("report_month", field="month") from None
    return Period(first, _month_end(year, number), f"{first:%B %Y}")


def quarter(text: str) -> Period:
    """A calendar quarter, "2026Q3" (July to September 2026), as returns name them."""
    found = _QUARTER.match(text.strip())
    if not found:
        raise ServiceError("report_quarter", field="quarter")
    year, number = int(found[1]), int(found[2])
    first = date(year, 3 * number - 2, 1)
    last = _month_end(year, 3 * number)
    return Period(first, last, f"{first:%B} to {last:%B %Y} ({year} Q{number})")


def financial_year(text: str) -> Period:
    """The financial year starting in April of the year given: "2026" is April 2026
    to March 2027."""
    if not text.strip().isdigit() or not 2000 <= int(text) <= 2100:
        raise ServiceError("report_year", field="year")
    year = int(text)
    return Period(date(year, 4, 1), date(year + 1, 3, 31), f"April {year} to March {year + 1}")


def dates(first: date | None, last: date | None) -> Period:
    if first is None or last is None:
        raise ServiceError("report_dates", field="first")
    if last < first:
        raise ServiceError("report_back_to_front", field="first")
    if last > first.replace(year=first.year + MAX_YEARS) - timedelta(days=1):
        raise ServiceError("report_too_long", field="last", years=MAX_YEARS)
    return Period(first, last, f"{first:%-d %B %Y} to {last:%-d %B %Y}")


def this_quarter(today: date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


KINDS = {"month": "A month", "quarter": "A quarter", "year": "A financial year", "dates": "Dates"}


def period_for(
    kind: str,
    *,
    month_text: str = "",
    quarter_text: str = "",
    year_text: str = "",
    first: date | None = None,
    last: date | None = None,
) -> Period:
    """The period a report form asked for."""
    if kind == "month":
        return month(month_text)
    if kind == "year":
        return financial_year(year_text)
    if kind == "dates":
        return dates(first, last)
    return quarter(quarter_text)


# The periods whose unique families are kept as sums (``reports.period_firsts``):
# each lies inside one financial year, so "came earlier in it" never looks further
# back than the year's start.
STANDARD = ("month", "quarter", "year")


def starts(day: date) -> dict[str, date]:
    """The first day of the month, calendar quarter and financial year ``day`` is in."""
    year_start = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return {
        "month": day.replace(day=1),
        "quarter": date(day.year, 3 * ((day.month - 1) // 3) + 1, 1),
        "year": year_start,
    }


def financial_year_end(day: date) -> date:
    return starts(day)["year"].replace(year=starts(day)["year"].year + 1) - timedelta(days=1)


def standard_kind(first: date, last: date) -> str | None:
    """ "month", "quarter" or "year" when ``first`` to ``last`` is exactly one."""
    for kind in STANDARD:
        begins = starts(first)[kind]
        if begins == first and _next_start(kind, first) - timedelta(days=1) == last:
            return kind
    return None


def _next_start(kind: str, first: date) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
