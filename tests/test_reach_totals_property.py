"""The daily totals and a count over the raw rows always agree (issue 12, item 5):
for random visits and bookings (keys or none, no-shows, age bands, areas, days,
sessions), the report read from the totals equals what counting the rows
themselves, by the rules in ``frontdoor.counting``' docstring, gives."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from frontdoor.extensions import db
from frontdoor.models import (
    AGE_BANDS,
    Booking,
    ReachFamilyDay,
    ReachFirstSeen,
    ReachTotal,
    Session,
    Visit,
)
from reports.figures import reach_report
from reports.totals import build_days
from tests.reach_fixtures import arrive, at, book, hub, series_led_by, session_on

FIRST = date(2026, 7, 1)
DAYS = 6

visits = st.lists(
    st.fixed_dictionaries(
        {
            "day": st.integers(0, DAYS - 1),
            "hour": st.sampled_from([9, 12, 23]),  # 23:00 London is still that day
            "key": st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3", "k4"])),
            "at_session": st.booleans(),
            "booked": st.booleans(),
            "no_show": st.booleans(),
            "adults": st.integers(0, 2),
            "bands": st.lists(st.sampled_from(list(AGE_BANDS)), max_size=3),
            "area": st.sampled_from([("", None), ("RG1", 2), ("RG2", 9)]),
        }
    ),
    max_size=12,
)


def _expected(made: list[dict], first: int, last: int) -> dict[str, object]:
    """Counted from the generated rows by the stated rules, not by the code under test."""
    arrivals = [m for m in made if first <= m["day"] <= last and not m["no_show"]]
    families: dict[str, tuple[str, int | None]] = {}
    for m in arrivals:
        families.setdefault(m["family"], m["area"])
    seen_before = {m["family"] for m in made if m["day"] < first and not m["no_show"]}
    bands: Counter[str] = Counter(b for m in arrivals for b in m["bands"])
    return {
        "Unique families": len(families),
        "New families (first time at any hub)": len(set(families) - seen_before),
        "Arrivals": len(arrivals),
        "No-shows": sum(1 for m in made if first <= m["day"] <= last and m["no_show"]),
        "Adults": sum(m["adults"] for m in arrivals),
        "Children": sum(bands.values()),
        "Bookings": sum(1 for m in made if first <= m["day"] <= last and m["booking"]),
        "bands": {AGE_BANDS[b]: n for b, n in bands.items()},
    }


def _clear() -> None:
    for model in (ReachFirstSeen, ReachFamilyDay, ReachTotal, Visit, Booking):
        db.session.execute(delete(model))
    db.session.execute(delete(Session).where(Session.occurrence_date < date(2026, 12, 1)))
    db.session.commit()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(made=visits, window=st.tuples(st.integers(0, DAYS - 1), st.integers(0, DAYS - 1)))
def test_totals_and_a_count_over_the_raw_rows_agree(app_context, demo, made, window):
    _clear()
    riverside, series = hub("riverside"), series_led_by("lead@riverside.example")
    for m in made:
        day = FIRST + timedelta(days=m["day"])
        session = session_on(series, day) if m["at_session"] or m["booked"] else None
        booking = book(session, m["key"]) if m["booked"] and session else None
        m["booking"] = booking is not None
        visit = arrive(riverside.id, at(day, m["hour"]), key=m["key"], session=session,
                       booking=booking, status="no_show" if m["no_show"] else "left",
                       adults=max(m["adults"], 0 if m["bands"] else 1), bands=tuple(m["bands"]),
                       district=m["area"][0], decile=m["area"][1])  # fmt: skip
        m["adults"] = visit.adults
        m["family"] = m["key"] or (f"b{booking.id}" if booking else f"v{visit.id}")
    db.session.commit()
    build_days(FIRST, FIRST + timedelta(days=DAYS - 1))
    db.session.commit()
    first, last = sorted(window)
    reach = reach_report(
        [riverside.id], FIRST + timedelta(days=first), FIRST + timedelta(days=last)
    )
    want = _expected(made, first, last)
    summary = reach.figure("summary")
    children = reach.figure("children")
    assert summary is not None and children is not None
    got = {label: counts[0] for label, counts in summary.rows}
    assert {k: got[k] for k in want if k != "bands"} == {
        k: v for k, v in want.items() if k != "bands"
    }
    assert {label: c[0] for label, c in children.rows if c[0]} == want["bands"]
