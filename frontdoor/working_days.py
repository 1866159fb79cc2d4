"""Working days in England: Monday to Friday, less the bank holidays GOV.UK lists
(``frontdoor.bank_holidays``). The one home of "N working days after", for
whatever is chased by working days (a connection nobody has answered).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

from frontdoor.bank_holidays import is_bank_holiday

Day = TypeVar("Day", bound=date)  # a date, or an aware datetime (which keeps its wall-clock time)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: Day, days: int) -> Day:
    """``days`` working days after ``start``, which itself is not counted: a Thursday
    10:00 before Easter plus 3 is the Thursday after, 10:00 (Good Friday, the weekend
    and Easter Monday are skipped). A datetime keeps its wall-clock time, so give it
    in the hub's zone (aware arithmetic then keeps 10:00 across a clock change)."""
    if days < 0:
        raise ValueError("days must not be negative")
    at = start
    counted = 0
    while counted < days:
        at = at + timedelta(days=1)
        if is_working_day(at.date() if isinstance(at, datetime) else at):
            counted += 1
    return at


def working_days_between(start: date, end: date) -> int:
    """How many working days come after ``start`` up to and including ``end``
    (0 when ``end`` is not after ``start``): the inverse of ``add_working_days``."""
    return sum(
        is_working_day(start + timedelta(days=offset))
        for offset in range(1, (end - start).days + 1)
    )
