"""Reach reports (issue 12): the counting rules, the daily totals and the pages.

The reach columns (family key, age bands, area) are set directly on the rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Booking, HelpRequest, Visit
from frontdoor.retention import purge_expired
from frontdoor.summary import hub_day_counts
from reports.figures import Reach, reach_report
from reports.periods import quarter
from reports.totals import build_day, build_days
from tests.reach_fixtures import arrive, at, book, hub, series_led_by, session_on

Q3 = quarter("2026Q3")
DAY = date(2026, 8, 4)


def _summary(reach: Reach) -> dict[str, int]:
    figure = reach.figure("summary")
    assert figure is not None
    return {label: counts[0] for label, counts in figure.rows}


def _booked_twice_dropped_in_once() -> int:
    """Family "fam-a" books two sessions, comes to both and drops in once; another
    family (no key) drops in; a third booked and did not come."""
    riverside = hub("riverside")
    series = series_led_by("lead@riverside.example")
    first, second = session_on(series, DAY), session_on(series, DAY + timedelta(days=7))
    for session in (first, second):
        booking = book(session, "fam-a")
        arrive(riverside.id, session.starts_at, key="fam-a", session=session, booking=booking,
               bands=("0-1",), district="RG1", decile=2)  # fmt: skip
    arrive(riverside.id, at(DAY, 15), key="fam-a", bands=("0-1",), district="RG1", decile=2)
    arrive(riverside.id, at(DAY, 16), bands=("3-5", "5-11"), adults=2)
    missed = book(first, "fam-c")
    arrive(riverside.id, first.starts_at, key="fam-c", session=first, booking=missed,
           status="no_show")  # fmt: skip
    db.session.commit()
    build_days(Q3.first, Q3.last)
    db.session.commit()
    return riverside.id


def test_a_family_that_booked_twice_and_dropped_in_once_counts_once(app_context, demo):
    hub_id = _booked_twice_dropped_in_once()
    numbers = _summary(reach_report([hub_id], Q3.first, Q3.last))
    assert numbers["Unique families"] == 2
    assert numbers["Arrivals"] == 4
    assert numbers["Bookings"] == 3
    assert numbers["No-shows"] == 1
    assert numbers["Adults"] == 5
    assert numbers["Children"] == 5


def test_families_by_decile_and_district_count_each_family_once(app_context, demo):
    hub_id = _booked_twice_dropped_in_once()
    reach = reach_report([hub_id], Q3.first, Q3.last)
    deciles, districts = reach.figure("deciles"), reach.figure("districts")
    assert deciles is not None and districts is not None
    assert {label: c[0] for label, c in deciles.rows if c[0]} == {
        "Decile 2": 1,
        "Not known or outside England": 1,
    }
    assert {label: c[0] for label, c in districts.rows} == {"RG1": 1, "Not known": 1}


def test_a_family_seen_before_the_period_is_returning(app_context, demo):
    riverside = hub("riverside")
    arrive(riverside.id, at(date(2026, 5, 1)), key="fam-old")
    arrive(riverside.id, at(DAY), key="fam-old")
    arrive(riverside.id, at(DAY), key="fam-new")
    db.session.commit()
    build_days(date(2026, 5, 1), date(2026, 5, 1))
    build_day(DAY)
    db.session.commit()
    numbers = _summary(reach_report([riverside.id], Q3.first, Q3.last))
    assert (numbers["New families (first time at any hub)"], numbers["Returning families"]) == (
        1,
        1,
    )


def test_a_first_visit_corrected_to_a_no_show_makes_the_next_visit_the_first(app_context, demo):
    riverside = hub("riverside")
    first = arrive(riverside.id, at(DAY), key="fam-late")
    arrive(riverside.id, at(DAY + timedelta(days=7)), key="fam-late")
    arrive(riverside.id, at(DAY), key="fam-once")
    db.session.commit()
    build_days(DAY, DAY + timedelta(days=7))
    db.session.commit()
    first.status = "no_show"
    db.session.commit()
    build_day(DAY)
    db.session.commit()
    later = _summary(reach_report([riverside.id], DAY + timedelta(days=1), Q3.last))
    assert later["New families (first time at any hub)"] == 1
    first_day = _summary(reach_report([riverside.id], DAY, DAY))
    assert (first_day["Unique families"], first_day["Arrivals"]) == (1, 1)


def test_rebuilding_a_day_replaces_it_and_agrees_with_the_daily_summary(app_context, demo):
    hub_id = _booked_twice_dropped_in_once()
    before = reach_report([hub_id], DAY, DAY)
    build_day(DAY)
    db.session.commit()
    again = reach_report([hub_id], DAY, DAY)
    assert again == before
    summary = hub_day_counts(hub_id, DAY)
    numbers = _summary(again)
    assert (summary["arrivals"], summary["no_shows"]) == (numbers["Arrivals"], numbers["No-shows"])


def test_after_the_purge_last_years_counts_are_unchanged(app_context, demo):
    hub_id = _booked_twice_dropped_in_once()
    before = reach_report([hub_id], Q3.first, Q3.last)
    purge_expired(datetime(2028, 1, 10, tzinfo=clock.UTC))
    db.session.commit()
    assert not db.session.scalars(select(Visit).where(Visit.last_name != "")).all()
    assert not db.session.scalars(select(Booking).where(Booking.email != "")).all()
    assert reach_report([hub_id], Q3.first, Q3.last) == before
    build_days(Q3.first, Q3.last)  # counted again from the purged rows: the same
    db.session.commit()
    assert reach_report([hub_id], Q3.first, Q3.last) == before


REPORT = "/admin/reports?period=quarter&quarter=2026Q3"


def _small_numbers(text: str) -> list[str]:
    """Any figure of 1 to 4 in a table cell, a chart's label or a CSV cell."""
    cells = re.findall(r"govuk-table__cell[^>]*>\s*([^<]*?)\s*<", text)
    labels = re.findall(r'class="app-chart__count">([^<]*)</text>', text)
    return [cell for cell in cells + labels if cell in {"1", "2", "3", "4"}]


def test_counts_of_1_to_4_never_appear_in_the_page_or_a_csv(app, demo, signed_in):
    with app.app_context():
        _booked_twice_dropped_in_once()
    client = signed_in("manager@riverside.example")
    page = client.get(REPORT + "&hub=riverside")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "fewer than 5" in html and 'role="img"' in html
    assert _small_numbers(html) == []
    assert "<script" not in html.split('role="img"')[1].split("</svg>")[0]
    returned = client.get(REPORT.replace("/admin/reports?", "/admin/reports/return.csv?"))
    rows = list(csv.reader(io.StringIO(returned.get_data(as_text=True))))
    assert rows[0][-1] == "count" and len(rows) > 10
    assert [r for r in rows[1:] if r[-1] in {"1", "2", "3", "4"}] == []
    for slug in ("summary", "children", "series", "deciles", "districts"):
        one = client.get(f"/admin/reports/figure.csv?figure={slug}&" + REPORT.split("?")[1])
        cells = [c for row in csv.reader(io.StringIO(one.get_data(as_text=True))) for c in row]
        assert one.headers["Cache-Control"] == "no-store"
        assert not set(cells) & {"1", "2", "3", "4"}, slug
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).filter_by(action="reach_export").limit(1)), (
            "downloads are audited"
        )


def test_a_session_lead_sees_only_their_own_series(app, demo, signed_in):
    with app.app_context():
        riverside = hub("riverside")
        mine, theirs = (
            series_led_by("lead@riverside.example"),
            series_led_by("lead@riverside.example", led=False),
        )
        names = mine.title, theirs.title
        for series in (mine, theirs):
            session = session_on(series, DAY)
            for family in range(6):
                arrive(riverside.id, session.starts_at, key=f"{series.id}-{family}",
                       session=session)  # fmt: skip
        db.session.commit()
        build_day(DAY)
        db.session.commit()
    html = signed_in("lead@riverside.example").get(REPORT).get_data(as_text=True)
    assert names[0] in html and names[1] not in html
    assert "Connections made" not in html


def test_a_hub_the_person_may_not_see_is_refused(app, demo, signed_in):
    client = signed_in("manager@riverside.example")
    assert client.get(REPORT + "&hub=northgate").status_code == 403
    assert client.get(REPORT + "&hub=nowhere").status_code == 404
    assert client.get("/admin/reports/return.csv?hub=northgate").status_code == 403
    reception = signed_in("reception@riverside.example")
    assert reception.get(REPORT).status_code == 403


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("period=dates&first=31&first=3&first=2026&last=1&last=1&last=2026",
         "The first day must be before the last day"),
        ("period=dates&first=1&first=1&first=2016&last=1&last=1&last=2026",
         "Choose a period of 5 years or less"),
        ("period=quarter&quarter=Q9", "Enter a quarter, like 2026Q3"),
        ("period=year&year=next", "Enter the year the financial year starts in"),
    ],
)  # fmt: skip
def test_a_bad_period_is_told_in_plain_words(signed_in, query, words):
    page = signed_in("manager@riverside.example").get(f"/admin/reports?{query}")
    assert page.status_code == 200
    assert words in page.get_data(as_text=True)


def test_a_financial_year_runs_april_to_march(app, demo, signed_in):
    html = signed_in("admin@council.example").get("/admin/reports?period=year&year=2026")
    assert "April 2026 to March 2027" in html.get_data(as_text=True)


def test_the_quarterly_return_from_the_command_line(app, demo):
    with app.app_context():
        _booked_twice_dropped_in_once()
    result = app.test_cli_runner().invoke(
        args=["reach", "export", "--hub", "riverside", "--quarter", "2026Q3"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["hubs", "from", "to", "figure", "row", "column", "count"]
    assert ["riverside", "2026-07-01", "2026-09-30", "Reach in numbers", "Arrivals", "Count",
            "fewer than 5"] in rows  # fmt: skip
    bad = app.test_cli_runner().invoke(args=["reach", "export", "--hub", "riverside",
                                             "--quarter", "2026Q5"])  # fmt: skip
    assert bad.exit_code != 0 and "Enter a quarter" in bad.output


def test_the_command_line_exports_a_quarter_with_help_requests_by_topic(app, demo):
    """Topics have staff labels: the export words them outside any request."""
    with app.app_context():
        riverside = hub("riverside")
        for n in range(6):
            db.session.add(
                HelpRequest(hub_id=riverside.id, topic="money", created_at=at(DAY, 9 + n))
            )
        db.session.commit()
        build_day(DAY)
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["reach", "export", "--hub", "riverside", "--quarter", "2026Q3"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert ["riverside", "2026-07-01", "2026-09-30", "Help requests by topic", "Money and bills",
            "Requests", "6"] in rows  # fmt: skip


def test_a_sessions_register_counts_arrivals_as_the_report_does(app_context, demo):
    from arrivals.registers import load_register

    hub_id = _booked_twice_dropped_in_once()
    session = session_on(series_led_by("lead@riverside.example"), DAY)
    register = load_register(session, clock.now())
    came = len(register.came) + sum(
        1 for visit in register.visit_of.values() if visit.status != "no_show"
    )
    sessions = reach_report([hub_id], DAY, DAY).figure("sessions")
    assert sessions is not None
    assert [counts[0] for label, counts in sessions.rows] == [came]
