"""The timetable rules, without HTTP: recurrence, bank holidays, clock changes,
the 12-week horizon, editing a series with bookings, and one-session changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count, pairwise

import pytest
from sqlalchemy import select

from frontdoor.clock import LONDON
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Booking, Hub, Organisation, Room, Session, SessionSeries
from frontdoor.timetable import (
    SeriesInput,
    cancel_session,
    local_datetime,
    room_clashes,
    save_series,
    series_problems,
    sync_sessions,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
_references = count(1)


@pytest.fixture
def hub(app_context) -> Hub:
    council = Organisation(name="Test Council", slug="test-council")
    hub = Hub(organisation=council, slug="test-hub", name="Test Hub", settings_json={})
    db.session.add_all([council, hub, Room(hub=hub, name="Hall"), Room(hub=hub, name="Garden")])
    db.session.flush()
    return hub


def room(hub: Hub, name: str) -> Room:
    return next(r for r in hub.rooms if r.name == name)


def series_input(hub: Hub, **changes) -> SeriesInput:
    values = {
        "hub_id": hub.id,
        "title": "Stay and Play",
        "weekdays": [MON],
        "start_date": date(2026, 6, 1),
        "start_time": time(10),
        "end_time": time(11, 30),
        "capacity": 20,
    }
    return SeriesInput(**{**values, **changes})


def create(hub: Hub, today: date, **changes) -> SessionSeries:
    series = SessionSeries()
    save_series(series, series_input(hub, **changes), today=today)
    return series


def sessions_of(series: SessionSeries) -> list[Session]:
    query = select(Session).where(Session.series_id == series.id).order_by(Session.occurrence_date)
    return list(db.session.scalars(query))


def dates_of(series: SessionSeries) -> list[date]:
    return [s.occurrence_date for s in sessions_of(series)]


def book(session: Session, how_many: int = 1) -> None:
    for _ in range(how_many):
        reference = f"REF{next(_references):05d}"
        db.session.add(
            Booking(
                session_id=session.id, reference=reference, first_name="Ann", status="confirmed"
            )
        )
    db.session.flush()


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return local_datetime(day, time(hour, minute), LONDON)


# --- recurrence -----------------------------------------------------------------


def test_weekly_series_makes_a_session_every_week(hub):
    series = create(hub, today=date(2026, 6, 1), weekdays=[WED], start_date=date(2026, 6, 3))

    found = dates_of(series)
    assert found[:3] == [date(2026, 6, 3), date(2026, 6, 10), date(2026, 6, 17)]
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(found))


def test_fortnightly_series_skips_alternate_weeks(hub):
    series = create(hub, today=date(2026, 6, 1), weekdays=[TUE, THU], interval_weeks=2)

    assert dates_of(series)[:4] == [
        date(2026, 6, 2),
        date(2026, 6, 4),
        date(2026, 6, 16),
        date(2026, 6, 18),
    ]


def test_until_date_is_the_last_possible_date(hub):
    series = create(hub, today=date(2026, 6, 1), until_date=date(2026, 6, 22))

    assert dates_of(series) == [date(2026, 6, d) for d in (1, 8, 15, 22)]


def test_count_counts_from_the_start_date_not_from_today(hub):
    series = create(hub, today=date(2026, 6, 10), occurrence_count=3)

    # 1 and 8 June are the first two of the three, but already past.
    assert dates_of(series) == [date(2026, 6, 15)]


def test_bank_holidays_are_skipped_by_default(hub):
    winter = create(
        hub,
        today=date(2026, 12, 21),
        weekdays=[MON, FRI],
        start_date=date(2026, 12, 21),
        until_date=date(2027, 1, 8),
    )
    spring = create(
        hub, today=date(2027, 4, 26), start_date=date(2027, 4, 26), until_date=date(2027, 5, 10)
    )

    # Christmas Day, substitute Boxing Day (Mon 28th), New Year's Day and early May.
    assert dates_of(winter) == [date(2026, 12, 21), date(2027, 1, 4), date(2027, 1, 8)]
    assert dates_of(spring) == [date(2027, 4, 26), date(2027, 5, 10)]


def test_bank_holidays_are_kept_when_asked(hub):
    series = create(
        hub,
        today=date(2026, 12, 21),
        weekdays=[MON, FRI],
        start_date=date(2026, 12, 21),
        until_date=date(2027, 1, 8),
        skip_bank_holidays=False,
    )

    assert date(2026, 12, 25) in dates_of(series)
    assert date(2026, 12, 28) in dates_of(series)
    assert len(dates_of(series)) == 6


# --- clock changes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "utc_hour_before", "utc_hour_after"),
    [
        (date(2027, 3, 21), date(2027, 3, 28), 10, 9),  # clocks go forward
        (date(2026, 10, 18), date(2026, 10, 25), 9, 10),  # clocks go back
        (date(2027, 10, 24), date(2027, 10, 31), 9, 10),
    ],
)
def test_ten_oclock_stays_ten_oclock_across_a_clock_change(
    app, hub, before, after, utc_hour_before, utc_hour_after
):
    series = create(hub, today=before, weekdays=[SUN], start_date=before, occurrence_count=2)

    first, second = sessions_of(series)
    assert (first.occurrence_date, second.occurrence_date) == (before, after)
    assert first.starts_at == datetime.combine(before, time(utc_hour_before), UTC)
    assert second.starts_at == datetime.combine(after, time(utc_hour_after), UTC)
    with app.test_request_context():
        shown = app.jinja_env.filters["time"]
        assert [(shown(s.starts_at), shown(s.ends_at)) for s in (first, second)] == [
            ("10:00", "11:30"),
            ("10:00", "11:30"),
        ]


# --- the 12-week horizon --------------------------------------------------------------


def test_sessions_exist_twelve_weeks_ahead_and_no_further(hub):
    today = date(2026, 6, 1)
    series = create(hub, today=today, weekdays=[WED], start_date=date(2026, 6, 3))

    assert dates_of(series)[-1] == date(2026, 8, 19)
    assert len(dates_of(series)) == 12

    # A week later the next one appears; the past one stays as history.
    result = sync_sessions(series, today=today + timedelta(weeks=1))
    assert result.created == 1
    assert dates_of(series)[0] == date(2026, 6, 3)
    assert dates_of(series)[-1] == date(2026, 8, 26)


# --- editing a series ---------------------------------------------------------------


def test_changing_the_day_moves_future_unbooked_sessions_only(hub):
    series = create(hub, today=date(2026, 6, 1), weekdays=[WED], start_date=date(2026, 6, 3))
    past, _, booked = sessions_of(series)[:3]
    book(booked)

    result = save_series(
        series,
        series_input(
            hub, weekdays=[THU], start_date=date(2026, 6, 3), start_time=time(11), end_time=time(12)
        ),
        today=date(2026, 6, 10),
    )

    by_date = {s.occurrence_date: s for s in sessions_of(series)}
    assert by_date[date(2026, 6, 3)] is past
    assert past.starts_at == london(date(2026, 6, 3), 10)
    # The booked Wednesday is kept where it was, for the lead to decide.
    assert by_date[date(2026, 6, 17)] is booked
    assert booked.starts_at == london(date(2026, 6, 17), 10)
    assert booked.needs_attention == "no_longer_in_series"
    assert result.flagged == 1
    # Other Wednesdays from today are gone; Thursdays at 11:00 replace them.
    assert date(2026, 6, 10) not in by_date
    assert date(2026, 6, 24) not in by_date
    assert by_date[date(2026, 6, 11)].starts_at == london(date(2026, 6, 11), 11)
    assert not by_date[date(2026, 6, 11)].needs_attention


def test_changing_the_time_keeps_a_booked_session_as_it_was(hub):
    series = create(hub, today=date(2026, 6, 1), weekdays=[WED], start_date=date(2026, 6, 3))
    first, booked = sessions_of(series)[:2]
    book(booked)

    result = save_series(
        series,
        series_input(
            hub, weekdays=[WED], start_date=date(2026, 6, 3), start_time=time(13), end_time=time(14)
        ),
        today=date(2026, 6, 1),
    )

    assert first.starts_at == london(first.occurrence_date, 13)
    assert first.ends_at == london(first.occurrence_date, 14)
    assert booked.starts_at == london(booked.occurrence_date, 10)
    assert booked.needs_attention == "series_changed"
    assert (result.updated, result.flagged) == (11, 1)


# --- one session --------------------------------------------------------------------


def test_cancelling_needs_a_reason(hub):
    session = sessions_of(create(hub, today=date(2026, 6, 1)))[0]

    with pytest.raises(ServiceError) as refused:
        cancel_session(session, "   ")
    assert refused.value.code == "reason_required"
    assert not session.is_cancelled

    cancel_session(session, " Staff illness ")
    assert session.is_cancelled
    assert session.cancel_reason == "Staff illness"


def test_room_clashes_find_overlaps_and_ignore_cancelled_sessions(hub):
    hall = room(hub, "Hall")
    first = sessions_of(create(hub, today=date(2026, 6, 1), room_id=hall.id))[0]
    day = first.occurrence_date

    overlapping = [(london(day, 11), london(day, 12))]
    assert room_clashes(hall.id, overlapping) == [first]
    assert room_clashes(hall.id, [(london(day, 11, 30), london(day, 12))]) == []
    assert room_clashes(room(hub, "Garden").id, overlapping) == []
    assert room_clashes(hall.id, overlapping, exclude_series_id=first.series_id) == []

    cancel_session(first, "Boiler broken")
    assert room_clashes(hall.id, overlapping) == []


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"end_time": time(9)}, "ends_before_start", "end_time"),
        ({"end_time": time(10)}, "ends_before_start", "end_time"),
        ({"capacity": 0}, "capacity_range", "capacity"),
        ({"capacity": 501}, "capacity_range", "capacity"),
        ({"weekdays": []}, "no_weekdays", "weekdays"),
        ({"weekdays": [SUN], "until_date": date(2026, 6, 6)}, "no_dates", "weekdays"),
        ({"until_date": date(2026, 5, 31)}, "until_before_start", "until_date"),
        (
            {"until_date": date(2026, 7, 1), "occurrence_count": 3},
            "until_and_count",
            "occurrence_count",
        ),
        (
            {"booking_mode": "both", "drop_in_places": 20},
            "drop_in_places_range",
            "drop_in_places",
        ),
    ],
)
def test_series_problems_name_the_rule_and_field(hub, changes, code, field):
    problems = series_problems(series_input(hub, **changes))

    assert [(p.code, p.field) for p in problems] == [(code, field)]


def test_a_good_series_has_no_problems(hub):
    assert series_problems(series_input(hub, weekdays=[MON, THU], capacity=500)) == []
