"""Online and hybrid sessions (issue 14): the joining link reaches only families with a
place, in their confirmation and reminders, never a page anyone can open; nobody
walks in to an online-only session; staff record who joined online, and it counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask, current_app
from sqlalchemy import select

from arrivals.checkin import check_in_booking
from arrivals.registers import load_register
from booking.availability import availability
from booking.contact import Contact, Party
from booking.jobs import mark_no_shows, queue_reminders
from booking.services import book_session, cancel_booking, move_booking
from booking.tokens import MANAGE
from frontdoor import clock
from frontdoor.channels import DevChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Booking,
    BookingSource,
    Hub,
    Organisation,
    OutboxMessage,
    RecordedMessage,
    Room,
    Session,
    SessionSeries,
    Visit,
)
from frontdoor.outbox import Links
from frontdoor.timetable import SeriesInput, save_series, series_problems
from frontdoor.tokens import make_link_token
from reports.figures import reach_report
from reports.totals import build_day
from tests.conftest import csrf_from
from tests.test_kiosk import Screen, pair_screen
from tests.test_timetable_views import NEW, series_form

# Tuesday 24 November 2026, 09:30 in London (UTC in winter).
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
ONLINE_LINK = "https://meet.example.org/parent-talk-7f3k9"
HYBRID_LINK = "https://meet.example.org/baby-chat-q2w8z"


@dataclass
class Hubs:
    hub_id: int
    online: int  # today's Parent Talk, online only, 10:00 to 11:00
    online_next: int  # next week's
    hybrid: int  # today's Baby Chat, online and in the Hall, booking and drop-in
    hybrid_next: int


def _series(hub_id: int, title: str, **options) -> int:
    series = SessionSeries()
    save_series(
        series,
        SeriesInput(
            hub_id=hub_id,
            title=title,
            weekdays=[TODAY.weekday()],
            start_date=TODAY,
            start_time=time(10),
            end_time=time(11),
            capacity=6,
            booking_closes_minutes=0,
            **options,
        ),
        today=TODAY,
    )
    db.session.flush()
    return series.id


def _session_of(series_id: int, day=TODAY) -> int:
    return db.session.scalar(
        select(Session.id).where(Session.series_id == series_id, Session.occurrence_date == day)
    )


@pytest.fixture
def hubs(app: Flask) -> Hubs:
    clock.freeze(NOW)
    with app.app_context():
        council = Organisation(name="Test Council", slug="test-council")
        db.session.add(council)
        db.session.flush()
        hub = Hub(organisation_id=council.id, slug="testhub", name="Testhub Family Hub")
        db.session.add(hub)
        db.session.flush()
        hall = Room(hub=hub, name="Hall")
        db.session.add(hall)
        db.session.flush()
        online = _series(
            hub.id, "Parent Talk", booking_mode="booking", delivery="online",
            joining_link=ONLINE_LINK,
        )  # fmt: skip
        hybrid = _series(
            hub.id, "Baby Chat", booking_mode="both", drop_in_places=2, room_id=hall.id,
            delivery="hybrid", joining_link=HYBRID_LINK,
        )  # fmt: skip
        db.session.commit()
        week = TODAY + timedelta(days=7)
        found = Hubs(
            hub.id,
            _session_of(online),
            _session_of(online, week),
            _session_of(hybrid),
            _session_of(hybrid, week),
        )
        db.session.remove()
    return found


def _book(session_id: int, *, email="amira@example.com", mobile="", reminders=False) -> Booking:
    result = book_session(
        session_id,
        Party(1, ("0-1",)),
        Contact("Amira", "Hassan", email, mobile, reminders=reminders),
        now=clock.now(),
    )
    db.session.commit()
    return result.booking


def _send(at: datetime) -> None:
    links = Links("https://frontdoor.example", current_app.config["SECRET_KEY"])
    dispatch_outbox(at, channels={"email": DevChannel(), "sms": DevChannel()}, links=links)
    db.session.commit()


def _sent(template: str | None = None) -> list[RecordedMessage]:
    query = select(RecordedMessage).join(
        OutboxMessage, OutboxMessage.id == RecordedMessage.outbox_id
    )
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query.order_by(RecordedMessage.id)))


# --- the link goes only to families with a place -----------------------------------------


def test_the_joining_link_is_in_the_confirmation_and_reminders_by_email_and_text(app, hubs):
    with app.app_context():
        _book(hubs.online_next, mobile="07700 900 982", reminders=True)
        _send(NOW)
        email, text = _sent()
        assert email.subject == "Booked: Parent Talk"
        assert f"Join online: {ONLINE_LINK}" in email.body
        assert "Where: Online" in email.body
        assert ONLINE_LINK in text.body
        starts = db.session.get_one(Session, hubs.online_next).starts_at
        queue_reminders(starts - timedelta(hours=24))
        db.session.commit()
        _send(starts - timedelta(hours=24))
        reminders = _sent("reminder")
        assert sorted(m.channel for m in reminders) == ["email", "sms"]
        assert all(ONLINE_LINK in m.body for m in reminders)


def test_a_family_on_the_waiting_list_or_who_cancelled_is_not_sent_the_link(app, hubs):
    with app.app_context():
        db.session.get_one(Session, hubs.online_next).capacity = 1
        db.session.commit()
        first = _book(hubs.online_next, email="first@example.com")
        result = book_session(
            hubs.online_next,
            Party(1),
            Contact("Bea", email="bea@example.com"),
            now=NOW,
            join_waiting_list=True,
        )
        db.session.commit()
        assert result.waiting
        _send(NOW)
        cancel_booking(first, now=NOW, by_staff=False)
        db.session.commit()
        _send(NOW)
        told = {(m.recipient, m.subject): m.body for m in _sent()}
        assert ONLINE_LINK in told[("first@example.com", "Booked: Parent Talk")]
        assert ONLINE_LINK not in told[("first@example.com", "Cancelled: Parent Talk")]
        assert ONLINE_LINK not in told[("bea@example.com", "Waiting list: Parent Talk")]
        # The cancellation gave Bea a place: now she is sent the link.
        assert ONLINE_LINK in told[("bea@example.com", "You have a place: Parent Talk")]


def test_a_message_sent_after_the_family_cancelled_carries_no_link(app, hubs):
    with app.app_context():
        booking = _book(hubs.online_next)
        cancel_booking(booking, now=NOW, by_staff=False)
        db.session.commit()
        _send(NOW)  # the confirmation went out late, after the cancellation
        assert all(ONLINE_LINK not in m.body for m in _sent())


def test_a_link_the_lead_changes_reaches_the_next_message(app, hubs):
    with app.app_context():
        _book(hubs.hybrid_next)
        series = db.session.get_one(Session, hubs.hybrid_next).series
        series.joining_link = "https://meet.example.org/new-room"
        db.session.commit()
        _send(NOW)
        (email,) = _sent()
        assert "Join online: https://meet.example.org/new-room" in email.body
        assert "Where: Testhub Family Hub, Hall, or online" in email.body


def _public_pages(client, hubs: Hubs) -> dict[str, str]:
    """Every page of the public site, the feed and the directory about these sessions."""
    pages = {}
    urls = [
        "/book/testhub/",
        f"/book/testhub/?week={TODAY + timedelta(days=7)}",
        "/book/testhub/timetable.ics",
        "/book/testhub/support",
        "/openreferral/services",
    ]
    for session_id in (hubs.online, hubs.online_next, hubs.hybrid, hubs.hybrid_next):
        urls += [
            f"/book/testhub/sessions/{session_id}",
            f"/book/testhub/sessions/{session_id}/book",
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    for service in client.get("/openreferral/services?per_page=200").get_json()["contents"]:
        url = f"/openreferral/services/{service['id']}"
        pages[url] = client.get(url).get_data(as_text=True)
    return pages


def test_no_public_page_feed_or_directory_shows_the_link_but_they_say_online(app, client, hubs):
    pages = _public_pages(client, hubs)
    for url, html in pages.items():
        assert "meet.example.org" not in html, url
    assert "Online and at the hub" in pages[f"/book/testhub/sessions/{hubs.hybrid}"]
    assert (
        "We send the link to join when you book." in pages[f"/book/testhub/sessions/{hubs.online}"]
    )
    assert "Online" in pages[f"/book/testhub/sessions/{hubs.online}"]
    assert "LOCATION:Online" in pages["/book/testhub/timetable.ics"]
    assert "Online and at the hub" in pages["/book/testhub/"]
    published = [html for url, html in pages.items() if url.startswith("/openreferral/services/")]
    assert any("Online, or at Hall, Testhub Family Hub." in html for html in published)
    # In the family's language.
    polish = client.get(f"/book/testhub/sessions/{hubs.hybrid}?lang=pl").get_data(as_text=True)
    assert "Online i w centrum" in polish and "meet.example.org" not in polish


def test_the_confirmation_page_says_where_the_link_is_but_does_not_show_it(app, client, hubs):
    with app.app_context():
        booking = _book(hubs.online_next)
        token = make_link_token(
            app.config["SECRET_KEY"], MANAGE, booking.public_id, booking.link_version
        )
    for url in (f"/book/bookings/{token}", f"/book/bookings/{token}/manage"):
        html = client.get(url).get_data(as_text=True)
        assert "meet.example.org" not in html, url
    html = client.get(f"/book/bookings/{token}").get_data(as_text=True)
    assert "The link to join online is in your confirmation email or text message." in html


def test_the_kiosk_never_shows_the_link(app, client, hubs):
    pair_screen(app, client, hubs.hub_id)
    screen = Screen(client)
    screen.start("whats_on")
    for url in (
        "/kiosk/whats-on",
        f"/kiosk/whats-on/{hubs.online}",
        f"/kiosk/whats-on/{hubs.hybrid}",
    ):
        screen.open(url)
        assert "meet.example.org" not in screen.html, url
    assert "Online and at the hub" in screen.text


# --- nobody walks in to an online-only session ----------------------------------------------


def test_an_online_only_session_takes_no_drop_ins_whatever_its_booking_mode(app, hubs):
    with app.app_context():
        session = db.session.get_one(Session, hubs.online)
        session.series.booking_mode = "both"  # as an old row might say
        assert availability(session, NOW).drop_in is None
        assert availability(db.session.get_one(Session, hubs.hybrid), NOW).drop_in_now


def test_the_kiosk_offers_no_drop_in_or_check_in_for_an_online_only_session(app, client, hubs):
    with app.app_context():
        booking = _book(hubs.online)  # today's
        reference = booking.reference
    pair_screen(app, client, hubs.hub_id)
    screen = Screen(client)
    screen.start("drop_in")
    assert "Baby Chat" in screen.text and "Parent Talk" not in screen.text
    screen.open(f"/kiosk/whats-on/{hubs.online}")
    assert "I'm here for this now" not in screen.text
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    assert "This session is online" in screen.text
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            check_in_booking(booking.id, hub_id=hubs.hub_id, adults=1, child_bands=["0-1"], now=NOW)
        assert refused.value.code == "online_only"
        assert db.session.scalar(select(Visit.id)) is None


def test_booking_an_online_only_session_needs_somewhere_to_send_the_link(app, hubs):
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            _book(hubs.online_next, email="")
        assert refused.value.code == "online_needs_contact"
        db.session.rollback()
        # At a hybrid session a family may just come to the hub.
        here_only = _book(hubs.hybrid_next, email="")
        assert here_only.status == "confirmed"
        # Nor do staff move them to an online-only one: the link would reach no one.
        with pytest.raises(ServiceError) as refused:
            move_booking(here_only, hubs.online_next, now=clock.now())
        assert refused.value.code == "online_needs_contact"
        db.session.rollback()
        reachable = _book(hubs.hybrid_next, email="ola@example.com")
        move_booking(reachable, hubs.online_next, now=clock.now())
        assert reachable.session_id == hubs.online_next


# --- the timetable form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "words"),
    [
        ("http://meet.example.org/abc", "Enter a joining link that starts with https://"),
        ("javascript:alert(1)", "Enter a joining link that starts with https://"),
        ("https://meet example.org/abc", "Enter a joining link that starts with https://"),
        ("https://user@meet.example.org/abc", "Enter a joining link that starts with https://"),
        ("https://" + "a" * 500 + ".org", "Joining link is too long"),
        ("", "Enter the joining link families use to join online"),
    ],
)
def test_a_joining_link_that_is_not_https_is_refused_in_plain_words(app, signed_in, link, words):
    client = signed_in("lead@riverside.example")
    page = client.get(NEW).get_data(as_text=True)
    form = series_form(booking_mode="booking", delivery="online", joining_link=link)
    response = client.post(NEW, data={**form, "csrf_token": csrf_from(page)})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SessionSeries.id).filter_by(title="Toddler Yoga")) is None


def test_a_lead_saves_a_hybrid_series_and_its_sessions_say_so(app, signed_in):
    client = signed_in("lead@riverside.example")
    page = client.get(NEW).get_data(as_text=True)
    form = series_form(booking_mode="both", drop_in_places="2", delivery="hybrid",
                       joining_link=HYBRID_LINK)  # fmt: skip
    response = client.post(NEW, data={**form, "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        series = db.session.scalar(select(SessionSeries).filter_by(title="Toddler Yoga"))
        assert (series.delivery, series.joining_link) == ("hybrid", HYBRID_LINK)
        audit = db.session.scalar(
            select(AuditEvent).filter_by(action="series.create", subject_id=series.id)
        )
        assert "runs hybrid" in audit.detail


def test_an_online_session_has_no_room_and_takes_bookings_only(app, hubs):
    with app.app_context():
        room = db.session.scalar(select(Room.id))
        data = SeriesInput(
            hub_id=hubs.hub_id, title="Talk", weekdays=[1], start_date=TODAY,
            start_time=time(10), end_time=time(11), capacity=5, room_id=room,
            booking_mode="drop_in", delivery="online", joining_link=ONLINE_LINK,
        )  # fmt: skip
        assert {p.code for p in series_problems(data)} == {"online_no_room", "online_booking_only"}
        data.delivery = "hybrid"
        assert [p.code for p in series_problems(data)] == ["hybrid_needs_booking"]


# --- staff record who joined online -----------------------------------------------------------


def _riverside_online_session(app: Flask) -> tuple[int, int]:
    """An online series at the demo's Riverside today at 10:00, and a booking for it."""
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        series = SessionSeries()
        save_series(
            series,
            SeriesInput(
                hub_id=hub.id,
                title="Online Parent Talk",
                weekdays=[TODAY.weekday()],
                start_date=TODAY,
                start_time=time(10),
                end_time=time(11),
                capacity=5,
                booking_mode="booking",
                delivery="online",
                joining_link=ONLINE_LINK,
            ),
            today=TODAY,
        )
        db.session.commit()
        session_id = _session_of(series.id)
        result = book_session(
            session_id,
            Party(2, ("0-1",)),
            Contact("Amira", "Hassan", "amira@example.com"),
            now=NOW,
            source=BookingSource.STAFF,
        )
        result.booking.family_key = "fam-online"
        db.session.commit()
        return session_id, result.booking.id


def _reach(app: Flask, session_id: int) -> dict[str, int]:
    with app.app_context():
        session = db.session.get_one(Session, session_id)
        build_day(TODAY)
        db.session.commit()
        figure = reach_report([session.hub_id], TODAY, TODAY).figure("summary")
        assert figure is not None
        return {label: counts[0] for label, counts in figure.rows}


def _joined_online(client, session_id: int, booking_id: int):
    page = client.get(f"/admin/sessions/{session_id}/register").get_data(as_text=True)
    return client.post(
        f"/admin/bookings/{booking_id}/joined-online", data={"csrf_token": csrf_from(page)}
    )


def test_staff_record_a_family_joined_online_and_the_register_and_reach_count_it(
    app, demo, signed_in
):
    clock.freeze(NOW)
    session_id, booking_id = _riverside_online_session(app)
    before = _reach(app, session_id)
    client = signed_in("lead@riverside.example")
    action = f"/admin/bookings/{booking_id}/joined-online"
    register_page = client.get(f"/admin/sessions/{session_id}/register").get_data(as_text=True)
    assert action not in register_page  # not before it starts
    clock.freeze(NOW + timedelta(hours=1))  # 10:30, the session is on
    client = signed_in("lead@riverside.example")
    register_page = client.get(f"/admin/sessions/{session_id}/register").get_data(as_text=True)
    assert action in register_page
    response = _joined_online(client, session_id, booking_id)
    assert response.status_code == 302
    html = client.get(f"/admin/sessions/{session_id}/register").get_data(as_text=True)
    assert "Joined online" in html and "1 family, 3 people" in html
    with app.app_context():
        visit = db.session.scalar(select(Visit).filter_by(booking_id=booking_id))
        assert (visit.kind, visit.status) == ("online", "left")  # never on the board
        assert db.session.scalar(
            select(AuditEvent.id).filter_by(action="booking.joined_online", subject_id=booking_id)
        )
        register = load_register(db.session.get_one(Session, session_id), clock.now())
        assert register.dropped_in == [] and register.in_the_room == []
    after = _reach(app, session_id)
    assert after["Arrivals"] == before["Arrivals"] + 1
    assert after["Unique families"] == before["Unique families"] + 1
    # A second press says so in plain words, and counts nothing twice.
    again = _joined_online(client, session_id, booking_id)
    assert "They have already checked in" in again.get_data(as_text=True)
    assert _reach(app, session_id) == after


def test_joined_online_pressed_for_the_wrong_family_is_taken_back(app, demo, signed_in):
    """Undo on the register: the family is no longer counted as joining, the taking
    back is audited, and once the session is over the nightly job marks them
    "did not come" like any family who did not come."""
    clock.freeze(NOW)
    session_id, booking_id = _riverside_online_session(app)
    before = _reach(app, session_id)
    clock.freeze(NOW + timedelta(hours=1))
    client = signed_in("lead@riverside.example")
    assert _joined_online(client, session_id, booking_id).status_code == 302
    undo = f"/admin/bookings/{booking_id}/joined-online/undo"
    page = client.get(f"/admin/sessions/{session_id}/register").get_data(as_text=True)
    assert undo in page
    response = client.post(undo, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    html = client.get(f"/admin/sessions/{session_id}/register").get_data(as_text=True)
    assert "is no longer recorded as joining online" in html
    assert undo not in html and f"/admin/bookings/{booking_id}/joined-online" in html
    assert _reach(app, session_id) == before
    with app.app_context():
        assert db.session.scalar(select(Visit.id).filter_by(booking_id=booking_id)) is None
        assert db.session.scalar(
            select(AuditEvent.id).filter_by(
                action="booking.joined_online_undone", subject_id=booking_id
            )
        )
        assert mark_no_shows(NOW + timedelta(hours=2)) == {"marked": 1}
        db.session.commit()
    # A second press (a double submit) changes nothing and says why in plain words.
    again = client.post(undo, data={"csrf_token": csrf_from(html)})
    assert "They are not recorded as joining online" in again.get_data(as_text=True)
    with app.app_context():
        (visit,) = db.session.scalars(select(Visit).filter_by(booking_id=booking_id)).all()
        assert visit.status == "no_show"


def test_a_register_filled_in_after_the_no_show_job_turns_the_no_show_into_joined_online(
    app, demo, signed_in
):
    clock.freeze(NOW)
    session_id, booking_id = _riverside_online_session(app)
    with app.app_context():
        # The area the family gave when they booked (from a postcode, never kept).
        booking = db.session.get_one(Booking, booking_id)
        booking.postcode_district, booking.lsoa, booking.imd_decile = "E1", "E01000001", 3
        db.session.commit()
        assert mark_no_shows(NOW + timedelta(hours=2)) == {"marked": 1}
        db.session.commit()
    missed = _reach(app, session_id)
    clock.freeze(NOW + timedelta(hours=3))
    client = signed_in("lead@riverside.example")
    assert _joined_online(client, session_id, booking_id).status_code == 302
    numbers = _reach(app, session_id)
    with app.app_context():
        visits = db.session.scalars(select(Visit).filter_by(booking_id=booking_id)).all()
        assert [(v.kind, v.status) for v in visits] == [("online", "left")]
        # Counted in reach in the area they gave, as a family checked in at the door is.
        assert (visits[0].postcode_district, visits[0].lsoa, visits[0].imd_decile) == (
            "E1",
            "E01000001",
            3,
        )
    assert numbers["No-shows"] == missed["No-shows"] - 1
    assert numbers["Arrivals"] == missed["Arrivals"] + 1


def test_joined_online_is_refused_for_a_session_at_the_hub_and_before_the_start(
    app, demo, signed_in
):
    clock.freeze(NOW)
    session_id, booking_id = _riverside_online_session(app)
    client = signed_in("lead@riverside.example")
    early = _joined_online(client, session_id, booking_id).get_data(as_text=True)
    assert "That session has not started yet" in early
    with app.app_context():
        db.session.get_one(Session, session_id).series.delivery = "in_person"
        db.session.commit()
    clock.freeze(NOW + timedelta(hours=1))
    client = signed_in("lead@riverside.example")
    html = _joined_online(client, session_id, booking_id).get_data(as_text=True)
    assert "That session runs only at the hub, so no one can join it online" in html
    with app.app_context():
        assert db.session.scalar(select(Visit.id).filter_by(booking_id=booking_id)) is None


def test_booking_an_online_session_at_the_kiosk_asks_for_a_mobile_to_send_the_link(
    app, client, hubs
):
    pair_screen(app, client, hubs.hub_id)
    screen = Screen(client)
    screen.start("whats_on")
    screen.open(f"/kiosk/whats-on/{hubs.online_next}")
    screen.post("/kiosk/book", {"session": str(hubs.online_next)})
    screen.post("/kiosk/book/who", {"adults": "1", "next": "yes"})
    screen.post("/kiosk/book/details", {"first_name": "Ola"})
    assert "Enter a mobile number, so we can text you the link to join it" in screen.text
    assert "email" not in screen.text  # the kiosk's form has no email field
    with app.app_context():
        assert db.session.scalar(select(Booking.id)) is None
    screen.post("/kiosk/book/details", {"first_name": "Ola", "mobile": "07700 900123"})
    assert "You're booked, Ola." in screen.text
    assert "meet.example.org" not in screen.html  # the shared screen: the text has it
