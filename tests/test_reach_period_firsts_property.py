"""Unique families over a month, a quarter and a financial year are kept as sums
(``reports.period_firsts``); for random arrivals at two hubs around the ends of
months, quarters and the financial year, built in any order and corrected late,
those sums give what counting the raw rows gives, at one hub and for the council.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from frontdoor.extensions import db
from frontdoor.models import (
    Hub,
    ReachFamilyDay,
    ReachFirstSeen,
    ReachPeriodFirst,
    ReachTotal,
    Visit,
)
from reports.families import Families, _families_counted, _families_kept
from reports.figures import reach_report
from reports.periods import financial_year, month, quarter, standard_kind
from reports.totals import build_days
from tests.reach_fixtures import arrive, at, hub, series_led_by, session_on

# Around the end of the financial year (31 March), a quarter (30 June) and months.
DAYS = [
    date(2026, 3, 30),
    date(2026, 3, 31),
    date(2026, 4, 1),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 6, 30),
    date(2026, 7, 1),
]
PERIODS = [
    *(month(f"2026-{m}") for m in (3, 4, 5, 6, 7)),
    *(quarter(q) for q in ("2026Q1", "2026Q2", "2026Q3")),
    financial_year("2025"),
    financial_year("2026"),
]
# Any dates: whole months with days over at one end or both.
RAGGED = [
    (date(2026, 3, 31), date(2026, 6, 30)),
    (date(2026, 4, 1), date(2026, 7, 1)),
    (date(2026, 3, 30), date(2026, 4, 30)),
    (date(2026, 3, 31), date(2026, 4, 1)),
]

arrivals = st.lists(
    st.fixed_dictionaries(
        {
            "day": st.integers(0, len(DAYS) - 1),
            "hub": st.sampled_from(["riverside", "northgate"]),
            "key": st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3"])),
            "area": st.sampled_from([("", None), ("RG1", 2), ("RG2", 9)]),
            "late_no_show": st.booleans(),
            "at_session": st.booleans(),  # riverside only: its lead's series
        }
    ),
    max_size=14,
)


def _expected(made: list[dict], first: date, last: date, hubs: set[str]) -> Families:
    """Counted from the arrivals as made, by the stated rules, not by the code. A
    family's area on a day at a hub is any area it gave there that day."""
    came = [m for m in made if not m["no_show"]]
    here = [m for m in came if first <= m["when"] <= last and m["hub"] in hubs]
    families = {m["family"] for m in here}
    earliest: dict[str, date] = {}
    for m in came:
        earliest[m["family"]] = min(earliest.get(m["family"], m["when"]), m["when"])
    areas: dict[tuple, tuple[str, int | None]] = {}
    for m in here:
        place = (m["family"], m["when"], m["hub"])
        district, decile = areas.get(place, ("", None))
        given, given_decile = m["area"]
        deciles = [d for d in (decile, given_decile) if d is not None]
        areas[place] = (max(district, given), max(deciles) if deciles else None)
    return Families(
        unique=len(families),
        new=sum(1 for f in families if earliest[f] >= first),
        deciles=Counter(d for _, d in {(p[0], a[1]) for p, a in areas.items()}),
        districts=Counter(d for _, d in {(p[0], a[0]) for p, a in areas.items()}),
    )


def _clear() -> None:
    for model in (ReachPeriodFirst, ReachFirstSeen, ReachFamilyDay, ReachTotal, Visit):
        db.session.execute(delete(model))
    db.session.commit()


def _tidy(families: Families) -> Families:
    """Zero counts are the same as none."""
    return Families(
        families.unique,
        families.new,
        Counter({k: v for k, v in families.deciles.items() if v}),
        Counter({k: v for k, v in families.districts.items() if v}),
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    made=arrivals,
    split=st.integers(0, len(DAYS) - 1),
    late=st.tuples(st.integers(0, len(DAYS) - 1), st.integers(0, len(DAYS) - 1)),
)
# Found on PostgreSQL: a family that gave its area at one session and not at the
# next, the same day at the same hub, has that area all day there.
@example(
    made=[
        {"day": 0, "hub": "riverside", "key": None, "area": ("", None),
         "late_no_show": False, "at_session": False},
        {"day": 0, "hub": "riverside", "key": "k3", "area": ("RG1", 2),
         "late_no_show": False, "at_session": False},
        {"day": 0, "hub": "riverside", "key": "k3", "area": ("", None),
         "late_no_show": False, "at_session": True},
    ],
    split=0,
    late=(0, 0),
)  # fmt: skip
def test_kept_sums_and_a_count_over_the_raw_rows_agree(app_context, demo, made, split, late):
    _clear()
    hubs = {slug: hub(slug) for slug in ("riverside", "northgate")}
    council = db.session.scalars(
        select(Hub.id).where(Hub.organisation_id == hubs["riverside"].organisation_id)
    ).all()
    assert sorted(council) == sorted(h.id for h in hubs.values())
    visits = []
    series = series_led_by("lead@riverside.example")
    for m in made:
        m["when"], m["no_show"] = DAYS[m["day"]], False
        m["at_session"] = m["at_session"] and m["hub"] == "riverside"
        district, decile = m["area"]
        session = session_on(series, m["when"]) if m["at_session"] else None
        visit = arrive(hubs[m["hub"]].id, at(m["when"]), key=m["key"], session=session,
                       district=district, decile=decile)  # fmt: skip
        m["family"] = m["key"] or f"v{visit.id}"
        visits.append(visit)
    db.session.commit()
    # Newest days first, as a back-fill goes, then the older ones.
    build_days(DAYS[split], DAYS[-1])
    if split:
        build_days(DAYS[0], DAYS[split - 1])
    db.session.commit()
    # A late correction: some arrivals in a few days turn out to be no-shows, and
    # only those days are rebuilt (as the nightly job's week would).
    first, last = (DAYS[i] for i in sorted(late))
    for m, visit in zip(made, visits, strict=True):
        if m["late_no_show"] and first <= m["when"] <= last:
            m["no_show"] = True
            db.session.execute(update(Visit).where(Visit.id == visit.id).values(status="no_show"))
    db.session.commit()
    build_days(first, last)
    db.session.commit()

    # Each family's first day at the council is its earliest arrival, however the
    # days were built and corrected ("new" families are counted from it).
    earliest: dict[str, date] = {}
    for m in made:
        if not m["no_show"]:
            earliest[m["family"]] = min(m["when"], earliest.get(m["family"], m["when"]))
    kept_first = db.session.execute(select(ReachFirstSeen.family, ReachFirstSeen.first_day))
    assert dict(kept_first.all()) == earliest
    for period in PERIODS:
        for chosen in (["riverside"], ["northgate"], ["riverside", "northgate"]):
            hub_ids = [hubs[slug].id for slug in chosen]
            want = _tidy(_expected(made, period.first, period.last, set(chosen)))
            kind = standard_kind(period.first, period.last)
            scope = "hub" if len(chosen) == 1 else "council"
            assert kind is not None
            kept = _tidy(_families_kept(hub_ids, period.first, period.last, kind, scope))
            counted = _tidy(_families_counted(hub_ids, period.first, period.last, None))
            assert (period.label, chosen, kept) == (period.label, chosen, want)
            assert counted == want
            _assert_arrivals(made, hub_ids, chosen, period.first, period.last, series.title)
    for chosen in (["riverside"], ["riverside", "northgate"]):
        hub_ids = [hubs[slug].id for slug in chosen]
        for first, last in RAGGED:
            _assert_arrivals(made, hub_ids, chosen, first, last, series.title)


def _assert_arrivals(made, hub_ids, chosen, first: date, last: date, title: str) -> None:
    """Arrivals, and arrivals at the series' sessions, from the monthly and daily
    totals (``reports.months``) as counted from the rows made."""
    came = [
        m for m in made
        if not m["no_show"] and first <= m["when"] <= last and m["hub"] in chosen
    ]  # fmt: skip
    report = reach_report(hub_ids, first, last)
    summary, by_series = report.figure("summary"), report.figure("series")
    assert summary is not None and by_series is not None
    got = {label: counts[0] for label, counts in summary.rows}
    at_series = {label: counts[0] for label, counts in by_series.rows}
    label = title if len(chosen) == 1 else f"{title} (Riverside Family Hub)"
    assert (first, last, got["Arrivals"]) == (first, last, len(came))
    assert at_series.get(label, 0) == sum(1 for m in came if m["at_session"])
