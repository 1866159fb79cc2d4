"""Small numbers: any count from 1 to 4 could point at a family, so pages and CSV
files show it as "fewer than 5". One function for every figure and file.

A total beside a suppressed count would give it away (total minus the others), so
a total is shown rounded to the nearest 10 ("about 30") whenever any count it adds
up is suppressed; and never as a number from 1 to 4.
"""

from __future__ import annotations

from collections.abc import Iterable

FEWER_THAN_5 = "fewer than 5"
SMALLEST_SHOWN = 5


def suppressed(count: int) -> bool:
    return 0 < count < SMALLEST_SHOWN


def shown(count: int) -> str:
    """A count as a page or a CSV file shows it."""
    return FEWER_THAN_5 if suppressed(count) else str(count)


def shown_total(total: int, counts: Iterable[int]) -> str:
    """The total of ``counts``, as shown beside them."""
    if suppressed(total):
        return FEWER_THAN_5
    if any(suppressed(count) for count in counts):
        return f"about {max(10, round(total / 10) * 10)}"
    return str(total)
