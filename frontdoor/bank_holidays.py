"""Bank holidays in England and Wales, as GOV.UK publishes them
(https://www.gov.uk/bank-holidays). Add each new year's dates when GOV.UK
announces them; a hub's manager adds them to the hub's closed days in one press.
"""

from __future__ import annotations

from datetime import date

ENGLAND_AND_WALES: dict[int, list[tuple[date, str]]] = {
    2026: [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 4), "Early May bank holiday"),
        (date(2026, 5, 25), "Spring bank holiday"),
        (date(2026, 8, 31), "Summer bank holiday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (substitute day)"),
    ],
    2027: [
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 3), "Early May bank holiday"),
        (date(2027, 5, 31), "Spring bank holiday"),
        (date(2027, 8, 30), "Summer bank holiday"),
        (date(2027, 12, 27), "Christmas Day (substitute day)"),
        (date(2027, 12, 28), "Boxing Day (substitute day)"),
    ],
}
