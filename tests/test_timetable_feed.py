"""A hub's timetable as a calendar feed families subscribe to (``/book/<hub>/timetable.ics``),
read back with the ``icalendar`` package as a calendar app would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Room, Session, SessionSeries
from frontdoor.timetable import SeriesInput, cancel_session, save_series

LONDON = ZoneInfo("Europe/London")


def weekly_at_ten(app, *, now: datetime, slug: str = "feedhub", active: bool = True) -> int:
    """A hub with one weekly Tuesday series at 10:00 to 11:00 London time, synced
    12 weeks ahead of ``now`` (the clock is frozen there); returns the series id."""
    clock.freeze(now)
    with app.app_context():
        council = Organisation(name="Feed Council", slug=f"council-{slug}")
        hub = Hub(
            organisation=council, slug=slug, name="Feed Hub", address="1 High Street, Leeds LS1 1AA"
        )
        room = Room(hub=hub, name="Hall")
        db.session.add_all([council, hub, room])
        db.session.flush()
        series = SessionSeries()
        save_series(
            series,
            SeriesInput(
                hub_id=hub.id,
                title="Stay and Play",
                description="Songs, toys; and a cup of tea",
                weekdays=[1],
                start_date=now.date(),
                start_time=time(10),
                end_time=time(11),
                capacity=10,
                room_id=room.id,
            ),
            today=now.date(),
        )
        series.active = active
        db.session.commit()
        return series.id


def feed(client, slug: str = "feedhub") -> icalendar.Calendar:
    response = client.get(f"/book/{slug}/timetable.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"\r\n" in response.data and b"\n" not in response.data.replace(b"\r\n", b"")
    return icalendar.Calendar.from_ical(response.data)


def events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def london(event: icalendar.Event, name: str = "DTSTART") -> datetime:
    return event.decoded(name).astimezone(LONDON)


def test_sessions_stay_at_ten_in_london_across_the_october_clock_change(app, client):
    # Clocks go back on Sunday 25 October 2026.
    weekly_at_ten(app, now=datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    found = events(feed(client))
    assert len(found) == 12  # every Tuesday of the 12 weeks ahead
    before = next(e for e in found if london(e).date() == date(2026, 10, 20))
    after = next(e for e in found if london(e).date() == date(2026, 10, 27))
    assert before.decoded("DTSTART") == datetime(2026, 10, 20, 9, 0, tzinfo=UTC)  # BST
    assert after.decoded("DTSTART") == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)  # GMT
    for event in found:
        assert london(event).time() == time(10) and london(event, "DTEND").time() == time(11)


def test_sessions_stay_at_ten_in_london_across_the_march_clock_change(app, client):
    # Clocks go forward on Sunday 28 March 2027.
    weekly_at_ten(app, now=datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    found = events(feed(client))
    before = next(e for e in found if london(e).date() == date(2027, 3, 23))
    after = next(e for e in found if london(e).date() == date(2027, 3, 30))
    assert before.decoded("DTSTART") == datetime(2027, 3, 23, 10, 0, tzinfo=UTC)  # GMT
    assert after.decoded("DTSTART") == datetime(2027, 3, 30, 9, 0, tzinfo=UTC)  # BST
    assert all(london(e).time() == time(10) for e in found)


def test_each_session_says_what_where_and_links_to_its_booking_page(app, client):
    weekly_at_ten(app, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    calendar = feed(client)
    assert str(calendar["X-WR-CALNAME"]) == "What's on at Feed Hub"
    first = events(calendar)[0]
    with app.app_context():
        session = db.session.scalar(select(Session).order_by(Session.starts_at))
        session_id = session.id
    assert str(first["SUMMARY"]) == "Stay and Play"
    assert str(first["LOCATION"]) == "Hall, Feed Hub, 1 High Street, Leeds LS1 1AA"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(first["URL"]).endswith(f"/book/feedhub/sessions/{session_id}")
    assert "Songs, toys; and a cup of tea" in str(first["DESCRIPTION"])
    assert str(first["UID"]).startswith(f"session-{session_id}@")


def test_a_sessions_uid_stays_the_same_from_one_fetch_to_the_next(app, client):
    weekly_at_ten(app, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    first = [str(e["UID"]) for e in events(feed(client))]
    clock.freeze(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    assert [str(e["UID"]) for e in events(feed(client))] == first
    assert len(set(first)) == len(first)


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(app, client):
    weekly_at_ten(app, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    with app.app_context():
        session = db.session.scalar(select(Session).order_by(Session.starts_at))
        cancel_session(session, "Heating broken")
        db.session.commit()
        session_id = session.id
    found = {str(e["UID"]).split("@")[0]: e for e in events(feed(client))}
    cancelled = found[f"session-{session_id}"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Stay and Play"
    assert "Heating broken" in str(cancelled["DESCRIPTION"])
    others = [e for uid, e in found.items() if uid != f"session-{session_id}"]
    assert others and all(str(e["STATUS"]) == "CONFIRMED" for e in others)


def test_a_stopped_series_leaves_the_feed(app, client):
    weekly_at_ten(app, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), active=False)
    assert events(feed(client)) == []


def test_only_the_coming_twelve_weeks_are_in_the_feed(app, client):
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    weekly_at_ten(app, now=now)
    clock.freeze(now + timedelta(weeks=2))  # two weeks on, the nightly sync not yet run
    starts = [e.decoded("DTSTART") for e in events(feed(client))]
    assert min(starts) > now + timedelta(weeks=2)
    assert max(starts) < now + timedelta(weeks=14, days=1)


def test_an_unknown_or_closed_hub_has_no_feed(app, client):
    weekly_at_ten(app, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert client.get("/book/nowhere/timetable.ics").status_code == 404
    with app.app_context():
        db.session.scalar(select(Hub).filter_by(slug="feedhub")).active = False
        db.session.commit()
    assert client.get("/book/feedhub/timetable.ics").status_code == 404


def test_whats_on_offers_the_feed_to_subscribe_to(app, client):
    weekly_at_ten(app, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    page = client.get("/book/feedhub/").get_data(as_text=True)
    assert "Add this timetable to your calendar" in page
    assert "/book/feedhub/timetable.ics" in page
