"""Bank holidays in England and Wales, as GOV.UK lists them
(https://www.gov.uk/bank-holidays), worked out by the ``holidays`` package: the UK
calendar for England (Wales has the same days). Nothing to type in each year; a
one-off (a coronation, a state funeral) arrives with a newer ``holidays``.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

# GOV.UK's names for the days the package words otherwise.
GOV_UK_NAMES = {
    "May Day": "Early May bank holiday",
    "Spring Bank Holiday": "Spring bank holiday",
    "Late Summer Bank Holiday": "Summer bank holiday",
}


def _gov_uk_name(name: str) -> str:
    # Two holidays on one day come joined by "; ".
    parts = (GOV_UK_NAMES.get(part, part) for part in name.split("; "))
    return "; ".join(parts).replace(" (observed)", " (substitute day)")


@cache
def bank_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The year's bank holidays, in date order, with GOV.UK's names.

    A holiday on a Saturday or Sunday gives way to a substitute day: the package
    lists both (Boxing Day on Saturday 26 December 2026 and the Monday after), GOV.UK
    only the substitute, which is the bank holiday. So every one is a weekday.
    """
    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return tuple(
        sorted((day, _gov_uk_name(name)) for day, name in found.items() if day.weekday() < 5)
    )


def is_bank_holiday(day: date) -> bool:
    return any(holiday == day for holiday, _ in bank_holidays(day.year))
