"""The timetable pages through HTTP: the week view, the series form, one session."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from frontdoor import clock
from frontdoor.clock import LONDON
from frontdoor.extensions import db
from frontdoor.models import Booking, Hub, OutboxMessage, Room, Session, SessionSeries
from frontdoor.timetable import local_datetime
from tests.conftest import csrf_from, submit

LEAD = "lead@riverside.example"
NEW = "/admin/timetable/series/new?hub=riverside"
DASH = "\N{EN DASH}"  # between start and end times


@pytest.fixture(autouse=True)
def _monday_1_june_2026():
    """Demo sessions and form dates line up with a known week."""
    clock.freeze(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))


def series_form(**changes) -> dict:
    """The series form as a lead fills it in; a change of None leaves that answer out."""
    answers = {
        "title": "Toddler Yoga",
        "description": "Stretch, breathe and sing.",
        "weekdays": ["1"],  # Tuesday
        "interval_weeks": "1",
        "start_date": ["2", "6", "2026"],
        "ends": "never",
        "start_time": "9:30",
        "end_time": "10:15",
        "skip_bank_holidays": "y",
        "room_id": "",
        "capacity": "12",
        "capacity_unit": "families",
        "booking_mode": "drop_in",
        "booking_opens_days": "14",
        "booking_closes_minutes": "60",
    }
    answers.update(changes)
    return {name: value for name, value in answers.items() if value is not None}


def series_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SessionSeries))


def find_session(app, title: str, day: date, hub: str = "riverside") -> int:
    with app.app_context():
        return db.session.scalar(
            select(Session.id)
            .join(SessionSeries)
            .join(Hub, Hub.id == Session.hub_id)
            .where(SessionSeries.title == title, Session.occurrence_date == day, Hub.slug == hub)
        )


def load_session(app, session_id: int) -> Session:
    with app.app_context():
        session = db.session.get(Session, session_id)
        db.session.expunge(session)
        return session


def act(client, session_id: int, action: str, data: dict, prefix: str | None = None):
    """POST one of the session page's forms, with its CSRF token, as the page would."""
    page = f"/admin/timetable/sessions/{session_id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    name = (lambda key: f"{prefix}-{key}") if prefix else (lambda key: key)
    fields = {name(key): value for key, value in {**data, "csrf_token": token}.items()}
    return client.post(f"{page}/{action}", data=fields)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the week view ------------------------------------------------------------------


def test_lead_creates_a_weekly_series_and_sees_it_in_the_week(app, signed_in):
    client = signed_in(LEAD)
    before = series_count(app)

    response = submit(client, NEW, series_form())

    assert response.status_code == 302
    assert response.location.endswith("/admin/timetable?hub=riverside&week=2026-06-02")
    page = text(client.get(response.location))
    assert "Series saved: 12 sessions created" in page
    assert "Toddler Yoga" in page
    assert f"09:30{DASH}10:15" in page
    assert series_count(app) == before + 1


def test_a_lead_says_they_welcome_the_room_and_the_series_form_remembers(app, signed_in):
    client = signed_in(LEAD)
    page = text(client.get(NEW))
    assert "The lead welcomes the room" in page
    assert submit(client, NEW, series_form(lead_welcomes_room="y")).status_code == 302
    with app.app_context():
        series = db.session.scalar(select(SessionSeries).filter_by(title="Toddler Yoga"))
        assert series.lead_welcomes_room is True
        edit = f"/admin/timetable/series/{series.id}?hub=riverside"
    checkbox = text(client.get(edit)).split('name="lead_welcomes_room"')[1].split(">")[0]
    assert "checked" in checkbox


def test_week_view_shows_local_times_and_both_neighbouring_weeks(signed_in):
    client = signed_in(LEAD)

    page = text(client.get("/admin/timetable?hub=riverside&week=2026-06-03"))

    assert "Week beginning Monday 1 June 2026" in page
    assert "Stay and Play" in page
    assert f"10:00{DASH}11:30" in page  # stored as 09:00Z in June
    for week in ("2026-05-25", "2026-06-08"):
        link = f"/admin/timetable?hub=riverside&amp;week={week}"
        assert f'href="{link}" hx-get="{link}" hx-target="#timetable" hx-push-url="true"' in page


def test_htmx_gets_the_fragment_and_a_browser_the_whole_page(signed_in):
    client = signed_in(LEAD)
    url = "/admin/timetable?hub=riverside&week=2026-06-08"

    fragment = client.get(url, headers={"HX-Request": "true"})
    whole = client.get(url)

    assert "Week beginning Monday 8 June 2026" in text(fragment)
    assert "<html" not in text(fragment)
    assert 'id="timetable"' not in text(fragment)
    assert "<html" in text(whole)
    assert 'id="timetable"' in text(whole)
    assert "Week beginning Monday 8 June 2026" in text(whole)
    assert "HX-Request" in fragment.headers["Vary"]


def test_hub_chooser_offers_only_the_users_hubs(signed_in):
    client = signed_in(LEAD)

    page = text(client.get("/admin/timetable"))

    assert "Riverside Family Hub" in page
    assert "Northgate Family Hub" not in page
    assert client.get("/admin/timetable?hub=northgate").status_code == 403


def test_a_bad_week_shows_this_week(signed_in):
    client = signed_in(LEAD)

    for week in ("not-a-date", "0001-01-01", "9999-12-31"):
        page = text(client.get(f"/admin/timetable?hub=riverside&week={week}"))
        assert "Week beginning Monday 1 June 2026" in page


# --- the series form: bad input ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "abc"}, "Capacity must be a whole number"),
        ({"capacity": "3.5"}, "Capacity must be a whole number"),
        ({"capacity": "0"}, "Capacity must be between 1 and 500"),
        ({"capacity": "-1"}, "Capacity must be between 1 and 500"),
        ({"capacity": "501"}, "Capacity must be between 1 and 500"),
        ({"capacity": ""}, "Enter the capacity"),
        ({"title": "  "}, "Enter a title"),
        ({"start_date": ["31", "2", "2026"]}, "Start date must be a real date"),
        ({"start_date": ["1", "6", "26"]}, "Start date must be in the years 2000 to 2099"),
        ({"start_date": None}, "Enter the start date"),
        ({"start_time": "25:00"}, "Start time must be a time like 10:00 or 14:30"),
        ({"end_time": "quarter past"}, "End time must be a time like 10:00 or 14:30"),
        ({"end_time": "09:00"}, "The end must be after the start"),
        ({"weekdays": []}, "Select at least one day"),
        ({"weekdays": ["9"]}, "is not a valid choice"),  # a tampered form
        ({"interval_weeks": "9"}, "Number of weeks must be between 1 and 8"),
        ({"ends": "on", "until_date": ["", "", ""]}, "Enter the end date"),
        (
            {"ends": "on", "until_date": ["1", "6", "2026"]},
            "End date must be the same as or after the start date",
        ),
        (
            {"weekdays": ["6"], "ends": "on", "until_date": ["6", "6", "2026"]},
            "These days and dates give no sessions",
        ),
        ({"ends": "after", "occurrence_count": "0"}, "Number of sessions must be between 1 and"),
        (
            {"booking_mode": "both", "drop_in_places": "12"},
            "Places held for drop-in must be more than 0 and less than capacity",
        ),
        ({"category_id": "abc"}, "Invalid Choice"),
        ({"lead_ids": ["99999"]}, "is not a valid choice"),
    ],
)
def test_bad_series_input_is_explained_and_saves_nothing(app, signed_in, changes, message):
    client = signed_in(LEAD)
    before = series_count(app)

    response = submit(client, NEW, series_form(**changes))

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert message in page
    assert series_count(app) == before


def test_answers_under_an_unchosen_option_are_ignored(app, signed_in):
    client = signed_in(LEAD)

    response = submit(
        client, NEW, series_form(ends="never", until_date=["99", "x", ""], occurrence_count="lots")
    )

    assert response.status_code == 302


# --- the series form: who may use it --------------------------------------------------


def test_reception_can_view_the_timetable_but_not_add_a_series(app, signed_in):
    client = signed_in("reception@riverside.example")
    before = series_count(app)

    page = text(client.get("/admin/timetable?hub=riverside"))
    assert "Stay and Play" in page
    assert "Add a session series" not in page
    assert client.get(NEW).status_code == 403
    assert (
        client.post(NEW, data={**series_form(), "csrf_token": csrf_from(page)}).status_code == 403
    )
    assert series_count(app) == before


def test_a_riverside_lead_cannot_edit_a_northgate_series(app, signed_in):
    client = signed_in(LEAD)
    with app.app_context():
        series_id = db.session.scalar(
            select(SessionSeries.id).join(Hub).where(Hub.slug == "northgate").limit(1)
        )
    url = f"/admin/timetable/series/{series_id}"

    token = csrf_from(text(client.get("/admin/timetable")))
    assert client.get(url).status_code == 403
    assert client.post(url, data={**series_form(), "csrf_token": token}).status_code == 403
    assert client.get("/admin/timetable/series/99999").status_code == 404
    with app.app_context():
        assert db.session.get(SessionSeries, series_id).title != "Toddler Yoga"


def test_a_post_without_a_csrf_token_is_refused(app, signed_in):
    client = signed_in(LEAD)
    before = series_count(app)

    response = client.post(NEW, data=series_form())

    assert response.status_code == 400
    assert series_count(app) == before


# --- the series form: room clashes and editing --------------------------------------------


def test_a_room_clash_is_shown_and_can_be_confirmed(app, signed_in):
    client = signed_in(LEAD)
    with app.app_context():
        hall = db.session.scalar(select(Room.id).where(Room.name == "Main hall"))
    before = series_count(app)
    # Stay and Play is in the main hall on Mondays 10:00 to 11:30.
    clashing = series_form(weekdays=["0"], start_time="10:30", end_time="12:00", room_id=str(hall))

    warned = submit(client, NEW, clashing)

    assert warned.status_code == 200
    assert "The room is already in use" in text(warned)
    assert "Stay and Play, Mon 8 Jun 2026 10:00 to 11:30" in text(warned)
    assert "And 7 more." in text(warned)  # 12 Mondays, 8 June to 24 August
    assert "Save anyway: the room is double-booked on purpose" in text(warned)
    assert series_count(app) == before

    saved = submit(client, NEW, {**clashing, "confirm_clash": "y"})

    assert saved.status_code == 302
    assert series_count(app) == before + 1


def test_editing_a_series_with_bookings_keeps_and_flags_the_booked_session(app, signed_in):
    client = signed_in(LEAD)
    submit(client, NEW, series_form())
    booked = find_session(app, "Toddler Yoga", date(2026, 6, 9))
    with app.app_context():
        db.session.add(
            Booking(session_id=booked, reference="ABCDEFGH", first_name="Ann", status="confirmed")
        )
        db.session.commit()
        series_id = db.session.get(Session, booked).series_id
    url = f"/admin/timetable/series/{series_id}"

    form_page = text(client.get(url))
    assert "1 upcoming session has bookings" in form_page
    assert 'value="Toddler Yoga"' in form_page
    assert 'value="09:30"' in form_page

    response = submit(client, url, series_form(start_time="11:00", end_time="12:00"))

    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "1 session with bookings was kept and needs your decision" in page
    week = text(client.get("/admin/timetable?hub=riverside&week=2026-06-08"))
    assert "Needs your decision" in week
    assert f"09:30{DASH}10:15" in week  # the booked one, kept
    assert load_session(app, booked).needs_attention == "series_changed"

    kept = act(client, booked, "keep", {})
    assert kept.status_code == 302
    assert load_session(app, booked).needs_attention == ""
    assert "Needs your decision" not in text(client.get("/admin/timetable?week=2026-06-08"))


# --- one session ----------------------------------------------------------------------------


def test_cancel_an_occurrence_with_a_reason(app, signed_in):
    client = signed_in(LEAD)
    session_id = find_session(app, "Stay and Play", date(2026, 6, 3))

    refused = act(client, session_id, "cancel", {"reason": " "}, prefix="cancel")
    assert refused.status_code == 400
    assert "Enter a reason" in text(refused)
    assert not load_session(app, session_id).is_cancelled

    response = act(client, session_id, "cancel", {"reason": "Staff illness"}, prefix="cancel")

    assert response.status_code == 302
    assert "Session cancelled" in text(client.get(response.location))
    week = text(client.get("/admin/timetable?hub=riverside&week=2026-06-01"))
    assert "fd-slot--cancelled" in week
    assert "Staff illness" in week

    restored = act(client, session_id, "restore", {})
    assert restored.status_code == 302
    assert not load_session(app, session_id).is_cancelled


def test_cancelling_from_the_timetable_tells_the_families_booked(app, signed_in):
    from frontdoor.models import Booking, OutboxMessage

    client = signed_in(LEAD)
    session_id = find_session(app, "Baby Massage", date(2026, 6, 2))
    with app.app_context():
        db.session.add(
            Booking(
                session_id=session_id,
                reference="ABCD2345",
                first_name="Ann",
                email="ann@example.com",
                people=2,
                adults=1,
                children=["0-1"],
            )
        )
        db.session.commit()

    response = act(client, session_id, "cancel", {"reason": "Room flooded"}, prefix="cancel")

    assert response.status_code == 302
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.template, message.recipient) == ("session_cancelled", "ann@example.com")
        assert message.payload["reason"] == "Room flooded"
        assert db.session.scalar(select(Booking.status)) == "cancelled"


def test_move_an_occurrence(app, signed_in):
    client = signed_in(LEAD)
    session_id = find_session(app, "Stay and Play", date(2026, 6, 3))
    with app.app_context():
        kitchen = db.session.scalar(select(Room.id).where(Room.name == "Kitchen"))
    move = {"day": ["4", "6", "2026"], "start_time": "13:00", "end_time": "14:30"}

    wrong = act(client, session_id, "move", {**move, "end_time": "12:00"}, prefix="move")
    assert wrong.status_code == 400
    assert "The end must be after the start" in text(wrong)

    response = act(client, session_id, "move", {**move, "room_id": str(kitchen)}, prefix="move")

    assert response.status_code == 302
    moved = load_session(app, session_id)
    assert moved.starts_at == local_datetime(date(2026, 6, 4), time(13), LONDON)
    assert moved.room_id == kitchen
    week = text(client.get("/admin/timetable?hub=riverside&week=2026-06-01"))
    thursday = week.split('id="day-2026-06-04"')[1].split('id="day-2026-06-05"')[0]
    assert f"13:00{DASH}14:30" in thursday
    assert "Stay and Play" in thursday


def test_moving_into_a_busy_room_warns_first(app, signed_in):
    client = signed_in(LEAD)
    session_id = find_session(app, "Stay and Play", date(2026, 6, 3))
    with app.app_context():
        meeting_room = db.session.scalar(select(Room.id).where(Room.name == "Meeting room 1"))
    # Money advice is in meeting room 1 on Tuesdays 10:00 to 12:00.
    move = {"day": ["2", "6", "2026"], "start_time": "11:00", "end_time": "12:30"}
    move["room_id"] = str(meeting_room)

    warned = act(client, session_id, "move", move, prefix="move")

    assert warned.status_code == 200
    assert "Money advice, Tue 2 Jun 2026 10:00 to 12:00" in text(warned)
    assert load_session(app, session_id).occurrence_date == date(2026, 6, 3)
    assert load_session(app, session_id).room_id != meeting_room

    confirmed = act(client, session_id, "move", {**move, "confirm_clash": "y"}, prefix="move")

    assert confirmed.status_code == 302
    assert load_session(app, session_id).room_id == meeting_room


def _told_of_a_move(app) -> dict[str, list[str]]:
    """Each family's messages about their session moving, as sent (development channel)."""
    from flask import current_app

    from frontdoor.channels import DevChannel
    from frontdoor.dispatcher import dispatch_outbox
    from frontdoor.models import RecordedMessage
    from frontdoor.outbox import Links

    with app.app_context():
        links = Links("http://127.0.0.1:5000", current_app.config["SECRET_KEY"])
        channels = {"email": DevChannel(), "sms": DevChannel()}
        dispatch_outbox(clock.now(), channels=channels, links=links)
        db.session.commit()
        told: dict[str, list[str]] = {}
        for recipient, body in db.session.execute(
            select(RecordedMessage.recipient, RecordedMessage.body)
            .join(OutboxMessage, OutboxMessage.id == RecordedMessage.outbox_id)
            .where(OutboxMessage.template == "session_moved")
            .order_by(RecordedMessage.id)
        ):
            told.setdefault(recipient, []).append(body)
        return told


def test_moving_a_session_tells_each_family_booked_or_waiting_the_new_time_in_their_language(
    app, signed_in
):
    client = signed_in(LEAD)
    session_id = find_session(app, "Baby Massage", date(2026, 6, 2))
    with app.app_context():
        db.session.add_all(
            [
                Booking(
                    session_id=session_id,
                    reference="PLAA2345",
                    first_name="Ania",
                    email="ania@example.com",
                    language="pl",
                    status="confirmed",
                ),
                Booking(
                    session_id=session_id,
                    reference="UKAA2345",
                    first_name="Olena",
                    mobile="+447700900123",
                    language="uk",
                    status="waiting",
                ),
            ]
        )
        db.session.commit()
    # Tuesday 2 June 2026 is summer time: 14:00 in London is 13:00 UTC.
    move = {"day": ["2", "6", "2026"], "start_time": "14:00", "end_time": "15:00"}

    assert act(client, session_id, "move", move, prefix="move").status_code == 302
    assert act(client, session_id, "move", move, prefix="move").status_code == 302  # again

    told = _told_of_a_move(app)
    assert len(told["ania@example.com"]) == 1 and len(told["+447700900123"]) == 1
    assert "wtorek 2 czerwca, 14:00" in told["ania@example.com"][0]
    assert "вівторок 2 червня, 14:00" in told["+447700900123"][0]
    assert "has moved" not in told["ania@example.com"][0] + told["+447700900123"][0]

    later = {**move, "day": ["3", "6", "2026"], "start_time": "10:00", "end_time": "11:00"}
    assert act(client, session_id, "move", later, prefix="move").status_code == 302

    told = _told_of_a_move(app)
    assert len(told["ania@example.com"]) == len(told["+447700900123"]) == 2
    assert "środa 3 czerwca, 10:00" in told["ania@example.com"][1]
    assert "середа 3 червня, 10:00" in told["+447700900123"][1]


def test_change_capacity(app, signed_in):
    client = signed_in(LEAD)
    session_id = find_session(app, "Stay and Play", date(2026, 6, 3))
    with app.app_context():
        for reference in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC"):
            db.session.add(Booking(session_id=session_id, reference=reference, first_name="Ann"))
        db.session.commit()

    for bad, message in [
        ("abc", "Capacity must be a whole number"),
        ("2", "Capacity cannot be less than the 3 places already booked"),
        ("501", "Capacity must be between 1 and 500"),
    ]:
        refused = act(client, session_id, "capacity", {"capacity": bad}, prefix="capacity")
        assert refused.status_code == 400
        assert "There is a problem" in text(refused)
        assert message in text(refused)
    assert load_session(app, session_id).capacity == 20

    response = act(client, session_id, "capacity", {"capacity": "25"}, prefix="capacity")

    assert response.status_code == 302
    assert load_session(app, session_id).capacity == 25
    assert "25 families" in text(client.get("/admin/timetable?hub=riverside"))


def test_reception_sees_a_session_but_cannot_change_it(app, signed_in):
    client = signed_in("reception@riverside.example")
    session_id = find_session(app, "Stay and Play", date(2026, 6, 3))

    page = text(client.get(f"/admin/timetable/sessions/{session_id}"))
    assert "Stay and Play" in page
    assert "Cancel this session" not in page

    response = act(client, session_id, "cancel", {"reason": "Because"}, prefix="cancel")
    assert response.status_code == 403
    assert not load_session(app, session_id).is_cancelled


def test_staff_of_another_hub_cannot_see_a_session(app, signed_in):
    client = signed_in("reception@northgate.example")
    session_id = find_session(app, "Stay and Play", date(2026, 6, 3))

    assert client.get(f"/admin/timetable/sessions/{session_id}").status_code == 403
