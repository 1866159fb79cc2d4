"""The public booking site, driven through the test client against a real database."""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from booking.calendar import CalendarEvent, calendar_file, escape_text, fold
from booking.contact import Contact, Party
from booking.references import show_reference
from booking.services import book_session
from booking.session_changes import cancel_session
from booking.tokens import CHECK_IN, MANAGE
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    Hub,
    OutboxMessage,
    ServiceCategory,
    Session,
    SessionSeries,
)
from frontdoor.tokens import make_link_token
from tests.booking_fixtures import NOW, make_session
from tests.conftest import DEMO_PASSWORD, csrf_from
from tests.oidc_fixtures import security_log  # noqa: F401  (a fixture)

# A Monday: the demo's Baby Massage at Riverside is on Tuesday 24th at 13:30 (UTC in November).
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY = date(2026, 11, 24)
SECRET = "test-secret-key"
PROBLEM = "There is a problem"
_NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


@pytest.fixture
def site(app):
    """The demo council, loaded with the clock frozen on a known Monday morning."""
    from frontdoor.demo import load_demo

    clock.freeze(MONDAY)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        db.session.commit()
        db.session.remove()
    return app


def session_id_of(app, title: str, day: date = TUESDAY, hub: str = "riverside") -> int:
    with app.app_context():
        return db.session.scalar(
            select(Session.id)
            .join(SessionSeries)
            .join(Hub, Hub.id == Session.hub_id)
            .where(SessionSeries.title == title, Session.occurrence_date == day, Hub.slug == hub)
        )


def small_session(app, **kwargs) -> tuple[str, int]:
    """A session next Tuesday from ``make_session`` (clock frozen at its NOW): (hub slug, id)."""
    with app.app_context():
        session_id = make_session(**kwargs)
        slug = db.session.get(Session, session_id).hub.slug
        db.session.remove()
    return slug, session_id


def book_url(hub: str, session_id: int) -> str:
    return f"/book/{hub}/sessions/{session_id}/book"


FAMILY = {
    "adults": "1",
    "child_1": "0-1",
    "first_name": "Ana",
    "last_name": "Silva",
    "reminders": "yes",
    "email": "ana@example.com",
    "mobile": "",
    "language": "en",
    "consent": "y",
}


def open_form(client, url: str) -> dict[str, str]:
    """GET the booking form; the hidden fields a browser would send back."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    hidden = {"csrf_token": csrf_from(html), "nonce": _NONCE.search(html).group(1)}
    if 'name="waiting_list" value="y"' in html:
        hidden["waiting_list"] = "y"
    return hidden


def post_booking(client, url: str, hidden: dict | None = None, **changes):
    hidden = hidden or open_form(client, url)
    data = {**FAMILY, **hidden, **changes}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden fields of a page's form, as a browser would send them back."""
    return {name: htmllib.unescape(value) for name, value in _HIDDEN.findall(html)}


def bookings(app) -> list[Booking]:
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        db.session.expunge_all()
        return rows


def count(app, model=Booking) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def token_for(booking: Booking, purpose: str = MANAGE) -> str:
    return make_link_token(SECRET, purpose, booking.public_id, booking.link_version)


def text_of(response) -> str:
    """The page's visible words, tags removed and spaces squeezed."""
    html = response.get_data(as_text=True)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def service_book(app, session_id: int, n: int, **kwargs) -> Booking:
    with app.app_context():
        result = book_session(
            session_id,
            Party(1),
            Contact(f"Parent{n}", email=f"parent{n}@example.com"),
            now=clock.now(),
            **kwargs,
        )
        db.session.commit()
        db.session.refresh(result.booking)
        db.session.expunge(result.booking)
        return result.booking


# --- choosing a hub ------------------------------------------------------------------------


def test_the_chosen_hub_is_remembered_in_a_long_lived_cookie(site, client):
    page = client.get("/book/")
    assert page.status_code == 200
    assert 'href="/book/riverside/"' in page.get_data(as_text=True)

    response = client.get("/book/riverside/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("frontdoor_hub=riverside;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie

    again = client.get("/book/")
    assert again.status_code == 302 and again.headers["Location"] == "/book/riverside/"
    changing = client.get("/book/?change=1")
    assert changing.status_code == 200 and "Your hub" in changing.get_data(as_text=True)
    assert 'href="/book/?change=1"' in response.get_data(as_text=True)


def test_an_unknown_hub_is_not_found(site, client):
    assert client.get("/book/nowhere/").status_code == 404
    client.set_cookie("frontdoor_hub", "nowhere")
    assert client.get("/book/").status_code == 200  # a stale cookie is ignored


# --- what's on -----------------------------------------------------------------------------


def titles(response) -> list[str]:
    found = re.findall(
        r'class="govuk-link" href="/book/[^"]+/sessions/\d+">([^<]+)</a>',
        response.get_data(as_text=True),
    )
    return [htmllib.unescape(title) for title in found]


def test_whats_on_lists_the_weeks_sessions_by_day_with_places(site, client):
    response = client.get("/book/riverside/")
    page = text_of(response)
    assert response.status_code == 200
    assert "Week starting Monday 23 November" in page
    assert "Tuesday 24 November" in page
    assert "Baby Massage 13:30 to 14:30, Sensory room Booking needed 8 places left" in page
    assert "Stay and Play 10:00 to 11:30, Main hall Drop in, no need to book" in page
    assert "Northgate" not in " ".join(titles(response))
    assert "Previous week" not in page

    later = client.get("/book/riverside/?week=2026-12-02")  # any day picks its week
    assert "Week starting Monday 30 November" in text_of(later)
    assert "Previous week" in text_of(later)


def test_whats_on_filters_by_age_group_category_and_words(site, client):
    pregnancy = titles(client.get("/book/riverside/?age=pregnancy"))
    assert set(pregnancy) == {"Antenatal group", "Breastfeeding Café"}

    two_bands = titles(client.get("/book/riverside/?age=pregnancy&age=11-19"))
    assert set(two_bands) == {"Antenatal group", "Breastfeeding Café", "Youth club"}

    with site.app_context():
        youth = db.session.scalar(select(ServiceCategory.id).filter_by(name="Youth"))
    assert set(titles(client.get(f"/book/riverside/?category={youth}"))) == {"Youth club"}

    assert set(titles(client.get("/book/riverside/?q=MASSAGE"))) == {"Baby Massage"}
    # Words match the description too, whatever their case.
    assert set(titles(client.get("/book/riverside/?q=bacon+ROLLS"))) == {"Dads' group"}
    empty = client.get("/book/riverside/?q=zzzz")
    assert titles(empty) == [] and "No sessions this week match" in text_of(empty)
    # Nonsense in the query is ignored, not an error.
    assert client.get("/book/riverside/?age=toddler&category=x&week=soon").status_code == 200


def test_htmx_filtering_gets_only_the_results(site, client):
    response = client.get("/book/riverside/?q=massage", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "Baby Massage" in html
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" in client.get("/book/riverside/?q=massage").get_data(as_text=True)


def test_full_and_cancelled_sessions_say_so_in_the_list(app, client):
    hub, session_id = small_session(app, capacity=1)
    service_book(app, session_id, 1)
    with app.app_context():
        session = db.session.get(Session, session_id)
        other = db.session.scalar(
            select(Session)
            .where(
                Session.series_id == session.series_id,
                Session.id != session_id,
                Session.starts_at > NOW,
            )
            .order_by(Session.starts_at.desc())
        )
        cancel_session(other, "Room flooded", now=NOW)
        db.session.commit()
        other_week = other.occurrence_date.isoformat()
    page = text_of(client.get(f"/book/{hub}/?week=2026-12-01"))
    assert "Baby Massage 10:00 to 11:00, Hall Full \u2013 join the waiting list" in page
    assert "Cancelled" in text_of(client.get(f"/book/{hub}/?week={other_week}"))


# --- the session page --------------------------------------------------------------------


def test_session_page_shows_what_families_need_to_know(site, client):
    session_id = session_id_of(site, "Baby Massage")
    response = client.get(f"/book/riverside/sessions/{session_id}")
    page = text_of(response)
    assert "Five gentle weeks of baby massage" in page
    assert "Tuesday 24 November, 13:30 to 14:30" in page
    assert "Sensory room, Riverside Family Hub" in page
    assert "Who runs it Sam Kowalski" in page
    assert "Step-free entrance from the car park" in page
    assert "Places left 8" in page
    assert f'href="/book/riverside/sessions/{session_id}/book"' in response.get_data(as_text=True)
    # Another hub's address for the same session is not found.
    assert client.get(f"/book/northgate/sessions/{session_id}").status_code == 404
    assert client.get("/book/riverside/sessions/999999").status_code == 404


def test_session_page_says_why_it_cannot_be_booked(site, client):
    later = session_id_of(site, "Baby Massage", TUESDAY + timedelta(weeks=3))
    page = text_of(client.get(f"/book/riverside/sessions/{later}"))
    assert "Booking opens on Tuesday 1 December" in page
    assert client.get(book_url("riverside", later)).status_code == 302

    drop_in = session_id_of(site, "Money advice")
    assert "You do not need to book. Just come along." in text_of(
        client.get(f"/book/riverside/sessions/{drop_in}")
    )

    massage = session_id_of(site, "Baby Massage")
    clock.freeze(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))  # 30 minutes before the start
    assert "Online booking has closed" in text_of(client.get(f"/book/riverside/sessions/{massage}"))

    with site.app_context():
        cancel_session(db.session.get(Session, massage), "Staff illness", now=clock.now())
        db.session.commit()
    page = text_of(client.get(f"/book/riverside/sessions/{massage}"))
    assert "This session has been cancelled. The reason: Staff illness" in page


def test_a_session_cancelled_after_a_family_opened_its_form_is_no_longer_offered(site, client):
    # Opening the form makes this worker remember the session, its hub, series and
    # room (``frontdoor.remembered``); the cancellation's commit makes it forget.
    massage = session_id_of(site, "Baby Massage")
    url = book_url("riverside", massage)
    hidden = open_form(client, url)
    with site.app_context():
        cancel_session(db.session.get(Session, massage), "Staff illness", now=clock.now())
        db.session.commit()
    assert client.get(url).status_code == 302  # to the session page, which says why
    page = text_of(client.get(f"/book/riverside/sessions/{massage}"))
    assert "This session has been cancelled. The reason: Staff illness" in page
    assert "has been cancelled" in text_of(post_booking(client, url, hidden))
    with site.app_context():
        assert db.session.scalar(select(func.count()).where(Booking.session_id == massage)) == 0


# --- booking ----------------------------------------------------------------------------------


def test_a_family_books_and_gets_a_reference_a_qr_code_and_a_calendar_file(site, client):
    session_id = session_id_of(site, "Baby Massage")
    response = post_booking(client, book_url("riverside", session_id), access_needs="A ramp")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/book/bookings/")
    assert "ana" not in location.lower() and "example" not in location  # nothing personal

    [booking] = bookings(site)
    assert (booking.status, booking.source, booking.adults, booking.children) == (
        "confirmed",
        "public",
        1,
        ["0-1"],
    )
    assert (booking.first_name, booking.email, booking.reminders) == (
        "Ana",
        "ana@example.com",
        True,
    )
    assert booking.access_needs == "A ramp"
    assert location == f"/book/bookings/{token_for(booking)}"

    page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Booking confirmed" in html
    assert show_reference(booking.reference) in html
    assert '<svg class="fd-qr__image"' in html and 'role="img"' in html
    assert "1 adult and 1 child" in text_of(page)
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert html.count("<script") == html.count(f'nonce="{nonce}"')
    assert " on" + "click=" not in html and "style=" not in html

    ics = client.get(f"{location}/calendar.ics")
    body = ics.get_data(as_text=True)
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar"
    assert ics.headers["Cache-Control"] == "no-store"
    assert "attachment" in ics.headers["Content-Disposition"]
    assert "DTSTART:20261124T133000Z\r\n" in body and "DTEND:20261124T143000Z\r\n" in body
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert f"UID:booking-{booking.reference}@" in unfolded
    assert "LOCATION:Sensory room\\, Riverside Family Hub\\, 12 Mill Lane\\, Riverside" in unfolded
    assert show_reference(booking.reference) in unfolded

    with site.app_context():
        sent = db.session.scalars(select(OutboxMessage.template)).all()
    assert sent == ["booked"]


def test_booking_for_the_waiting_list_when_full_shows_the_position(app, client):
    hub, session_id = small_session(app, capacity=1)
    service_book(app, session_id, 1)
    url = book_url(hub, session_id)
    form = client.get(url)
    assert "Join the waiting list" in text_of(form)

    first = post_booking(client, url, email="first@example.com")
    assert "You are number 1 on the waiting list" in text_of(client.get(first.headers["Location"]))
    second = post_booking(client, url, email="second@example.com")
    page = client.get(second.headers["Location"])
    assert "You are number 2 on the waiting list" in text_of(page)
    assert "fd-qr__image" not in page.get_data(as_text=True)  # no check-in code while waiting
    assert [b.status for b in bookings(app)] == ["confirmed", "waiting", "waiting"]


def test_the_last_place_going_while_a_family_fills_the_form_offers_the_waiting_list(app, client):
    hub, session_id = small_session(app, capacity=1)
    url = book_url(hub, session_id)
    hidden = open_form(client, url)
    assert "waiting_list" not in hidden
    service_book(app, session_id, 1)  # someone else takes the last place

    refused = post_booking(client, url, hidden, access_needs="A quiet corner")
    assert refused.status_code == 200
    assert "Sorry, this session is now full" in text_of(refused)
    assert "You have not been booked" in text_of(refused)
    assert "You would be number 1 on the waiting list" in text_of(refused)
    assert count(app) == 1

    # One press joins the waiting list with everything the family typed.
    carried = hidden_inputs(refused.get_data(as_text=True))
    assert carried["waiting_list"] == "y" and carried["nonce"] == hidden["nonce"]
    joined = client.post(url, data=carried)
    assert joined.status_code == 302
    assert [b.status for b in bookings(app)] == ["confirmed", "waiting"]
    waiting = bookings(app)[1]
    assert (waiting.first_name, waiting.email, waiting.children) == (
        "Ana",
        "ana@example.com",
        ["0-1"],
    )
    assert waiting.access_needs == "A quiet corner"
    again = client.post(url, data=carried)  # a second press: the same booking
    assert again.headers["Location"] == joined.headers["Location"] and count(app) == 2


def test_a_press_that_got_the_last_place_is_shown_its_booking_when_pressed_again(app, client):
    hub, session_id = small_session(app, capacity=1)
    url = book_url(hub, session_id)
    hidden = open_form(client, url)
    first = post_booking(client, url, hidden)
    second = post_booking(client, url, hidden)  # now the session is full
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app) == 1


def test_with_javascript_the_form_answers_in_place_and_sends_the_browser_on(app, client):
    hub, session_id = small_session(app, capacity=1)
    url = book_url(hub, session_id)
    hidden = open_form(client, url)
    htmx = {"HX-Request": "true"}
    problem = client.post(url, data={**FAMILY, **hidden, "first_name": ""}, headers=htmx)
    html = problem.get_data(as_text=True)
    assert problem.status_code == 200 and "<html" not in html  # the form area only
    assert PROBLEM in html and "Enter your first name" in html and "<title>Error:" in html
    other = open_form(client, url)  # another family, typing while the place goes
    booked = client.post(url, data={**FAMILY, **hidden}, headers=htmx)
    assert booked.status_code == 200 and booked.headers["HX-Redirect"].startswith("/book/bookings/")
    late = client.post(url, data={**FAMILY, **other, "email": "b@example.com"}, headers=htmx)
    assert "<html" not in late.get_data(as_text=True)
    assert "Sorry, this session is now full" in text_of(late)
    assert "Join the waiting list" in text_of(late) and count(app) == 1


def test_the_same_form_sent_twice_makes_one_booking_and_shows_it_both_times(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    hidden = open_form(client, url)
    first = post_booking(client, url, hidden)
    second = post_booking(client, url, hidden)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(site) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"adults": "0", "child_1": ""}, "Tell us who is coming: at least 1 adult or child"),
        ({"adults": "-1"}, "Enter the number of adults as a whole number"),
        ({"adults": "3.5"}, "Enter the number of adults as a whole number"),
        ({"adults": "9999"}, "Enter a number of adults from 0 to 10"),
        ({"adults": "abc"}, "Enter the number of adults as a whole number"),
        ({"adults": ""}, "Enter the number of adults coming, or 0"),
        ({"child_1": "toddler"}, "Choose an age group for each child from the list"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"email": "", "mobile": "0121 496 0000"}, "Enter a mobile number, not a landline"),
        ({"first_name": "   "}, "Enter your first name"),
        ({"first_name": None}, "Enter your first name"),
        ({"first_name": "A" * 101}, "Names must be 100 characters or fewer"),
        ({"email": ""}, "Enter an email address or a mobile number, or choose 'No'"),
        ({"reminders": None}, "Choose yes if you would like a confirmation and reminders"),
        ({"reminders": "maybe"}, "Choose yes if you would like a confirmation and reminders"),
        ({"consent": None}, "Tick the box to say you agree"),
        ({"language": "xx"}, "Choose a language from the list"),
        # Passes the form; the service says no (the hub allows 10 people).
        ({"adults": "10", "child_2": "1-3"}, "You can book for up to 10 people in total"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(site, client, changes, message):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    response = post_booking(client, url, **changes)
    page = text_of(response)
    assert response.status_code == 200
    assert PROBLEM in page and message in page
    assert "Error: Book a place" in page  # the page title says so too
    assert count(site) == 0 and count(site, OutboxMessage) == 0


def test_declining_messages_needs_no_contact_and_keeps_none(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    response = post_booking(client, url, reminders="no", email="typed@example.com")
    assert response.status_code == 302
    [booking] = bookings(site)
    assert (booking.email, booking.mobile, booking.reminders) == ("", "", False)
    assert count(site, OutboxMessage) == 0
    assert "We will not send you any messages" in text_of(client.get(response.headers["Location"]))


def test_names_are_kept_as_typed_and_shown_as_text_never_markup(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    name = "Zoë O'Brien-<b>نور</b> 👶"
    refused = post_booking(client, url, first_name=name, email="bad")
    html = refused.get_data(as_text=True)
    assert "<b>نور</b>" not in html and "&lt;b&gt;نور&lt;/b&gt;" in html

    booked = post_booking(client, url, first_name=name, last_name="D'Arcy <i>x</i>")
    [booking] = bookings(site)
    assert booking.first_name == name and booking.last_name == "D'Arcy <i>x</i>"
    html = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "<b>نور</b>" not in html and "<i>x</i>" not in html
    assert "&lt;b&gt;نور&lt;/b&gt; 👶" in html


def test_booking_twice_with_one_email_says_so_without_showing_the_booking(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    post_booking(client, url)
    [first] = bookings(site)
    again = post_booking(client, url, first_name="Someone", email="ANA@example.com")
    page = text_of(again)
    assert PROBLEM in page and "You have already booked this session" in page
    assert first.reference not in page and show_reference(first.reference) not in page
    assert 'href="#email"' in again.get_data(as_text=True)
    assert count(site) == 1


def test_the_service_has_the_last_word_on_the_booking_window(site, client):
    session_id = session_id_of(site, "Baby Massage")
    url = book_url("riverside", session_id)
    hidden = open_form(client, url)
    clock.freeze(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))  # closes an hour before 13:30
    response = post_booking(client, url, hidden)
    assert "Online booking for this session has closed" in text_of(response)
    assert 'href="#form-problem"' in response.get_data(as_text=True)
    assert count(site) == 0


# --- the confirmation and manage pages ------------------------------------------------------


def test_a_tampered_or_wrong_kind_of_token_is_not_found(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    location = post_booking(client, url).headers["Location"]
    [booking] = bookings(site)
    assert client.get(location).status_code == 200
    token = location.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/book/bookings/{tampered}").status_code == 404
    assert client.get(f"/book/bookings/{token_for(booking, CHECK_IN)}").status_code == 404
    assert client.get(f"/book/bookings/{tampered}/calendar.ics").status_code == 404
    stale = make_link_token(SECRET, MANAGE, "no-such-booking", 1)
    assert client.get(f"/book/bookings/{stale}").status_code == 404


def test_the_manage_link_ends_kindly_when_the_session_is_over(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    location = post_booking(client, url).headers["Location"]
    clock.freeze(datetime(2026, 11, 24, 14, 30, tzinfo=UTC))  # the session's end
    page = client.get(location)
    assert page.status_code == 200 and "This session has finished" in text_of(page)
    assert "Cancel" not in text_of(page)
    assert "This session has finished" in text_of(client.get(f"{location}/manage"))
    assert client.get(f"{location}/calendar.ics").status_code == 404


def manage_and_cancel(client, location: str):
    manage = client.get(f"{location}/manage")
    assert manage.status_code == 200 and manage.headers["Cache-Control"] == "no-store"
    token = csrf_from(manage.get_data(as_text=True))
    return client.post(f"{location}/cancel", data={"csrf_token": token})


def test_cancelling_frees_the_place_for_the_first_family_waiting(app, client):
    hub, session_id = small_session(app, capacity=1)
    url = book_url(hub, session_id)
    booked = post_booking(client, url).headers["Location"]
    waiting = post_booking(client, url, first_name="Bea", email="bea@example.com")
    waiting = waiting.headers["Location"]
    assert "You are number 1 on the waiting list" in text_of(client.get(waiting))

    cancelled = manage_and_cancel(client, booked)
    assert cancelled.status_code == 302
    booked = cancelled.headers["Location"]  # the link before the cancel has stopped
    page = text_of(client.get(booked))
    assert "Your booking has been cancelled" in page and "This booking was cancelled" in page
    assert "Manage your booking" not in page

    first, second = bookings(app)
    assert (first.status, second.status) == ("cancelled", "confirmed")
    with app.app_context():
        promoted = db.session.scalars(
            select(OutboxMessage).filter_by(booking_id=second.id, template="promoted")
        ).all()
    assert [m.recipient for m in promoted] == ["bea@example.com"]
    assert "Booking confirmed" in text_of(client.get(waiting))
    # A second cancel of the same booking changes nothing.
    again = client.post(
        f"{booked}/cancel",
        data={"csrf_token": csrf_from(client.get("/book/find").get_data(as_text=True))},
    )
    assert again.status_code == 200 and "This booking was cancelled" in text_of(again)


def test_a_family_who_has_checked_in_cannot_cancel_online(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    location = post_booking(client, url).headers["Location"]
    manage = client.get(f"{location}/manage").get_data(as_text=True)
    [booking] = bookings(site)
    with site.app_context():
        db.session.get(Booking, booking.id).checked_in_at = clock.now()
        db.session.commit()
    refused = client.post(f"{location}/cancel", data={"csrf_token": csrf_from(manage)})
    assert refused.status_code == 200
    assert PROBLEM in text_of(refused)
    assert "You have already checked in, so ask at reception." in text_of(refused)
    assert bookings(site)[0].status == "confirmed"


def test_cancelling_too_close_to_the_start_is_refused_in_plain_words(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    location = post_booking(client, url).headers["Location"]
    manage = client.get(f"{location}/manage").get_data(as_text=True)
    clock.freeze(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    refused = client.post(f"{location}/cancel", data={"csrf_token": csrf_from(manage)})
    assert "It is too late to do this online. Please contact the hub." in text_of(refused)
    assert bookings(site)[0].status == "confirmed"


def test_a_cancel_without_the_forms_token_is_refused(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    location = post_booking(client, url).headers["Location"]
    assert client.post(f"{location}/cancel", data={}).status_code == 400
    assert bookings(site)[0].status == "confirmed"


def test_changing_who_is_coming_within_the_places_left(app, client):
    hub, session_id = small_session(app, capacity=3, unit="people")
    location = post_booking(client, book_url(hub, session_id), child_1="").headers["Location"]
    manage = client.get(f"{location}/manage")
    assert re.search(r'name="adults" type="text"[^>]* value="1"', manage.get_data(as_text=True))
    token = csrf_from(manage.get_data(as_text=True))

    changed = client.post(
        f"{location}/party", data={"csrf_token": token, "adults": "2", "child_1": "1-3"}
    )
    assert changed.status_code == 302
    location = changed.headers["Location"]  # the link before the change has stopped
    assert "Your booking has been changed" in text_of(client.get(location))
    token = csrf_from(client.get(f"{location}/manage").get_data(as_text=True))
    [booking] = bookings(app)
    assert (booking.adults, booking.children, booking.people) == (2, ["1-3"], 3)

    too_many = client.post(
        f"{location}/party",
        data={"csrf_token": token, "adults": "2", "child_1": "1-3", "child_2": "0-1"},
    )
    assert "Sorry, there are not enough places for everyone" in text_of(too_many)
    assert PROBLEM in text_of(too_many)
    bad = client.post(f"{location}/party", data={"csrf_token": token, "adults": "two"})
    assert "Enter the number of adults as a whole number" in text_of(bad)
    assert bookings(app)[0].people == 3


# --- finding a booking ----------------------------------------------------------------------


def test_find_a_booking_by_reference_and_contact(site, client):
    url = book_url("riverside", session_id_of(site, "Baby Massage"))
    location = post_booking(client, url, mobile="07700 900123").headers["Location"]
    [booking] = bookings(site)
    typed = show_reference(booking.reference).lower()

    def find(reference, contact, address="192.0.2.1"):
        page = client.get("/book/find")
        assert page.headers["Cache-Control"] == "no-store"
        return client.post(
            "/book/find",
            environ_base={"REMOTE_ADDR": address},
            data={
                "csrf_token": csrf_from(page.get_data(as_text=True)),
                "reference": reference,
                "contact": contact,
            },
        )

    found = find(typed, "ANA@example.com")
    assert found.status_code == 302 and found.headers["Location"] == location
    assert find(booking.reference, "+44 7700 900123").headers["Location"] == location

    same = "We could not find a booking with those details"
    for reference, contact in [
        (booking.reference, "other@example.com"),
        ("ZZZZZZZZ", "ana@example.com"),
        ("<script>", "ana@example.com"),
        (booking.reference, "07700 900999"),
    ]:
        refused = find(reference, contact)
        assert refused.status_code == 200 and same in text_of(refused)
        assert PROBLEM in text_of(refused)
    missing = find("", "")
    assert "Enter your booking reference" in text_of(missing)


def test_find_a_booking_allows_ten_tries_in_fifteen_minutes_from_one_address(site, client):
    page = client.get("/book/find").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "reference": "ABCD2345", "contact": "a@example.com"}

    def attempt(address):
        return client.post("/book/find", data=data, environ_base={"REMOTE_ADDR": address})

    for _ in range(10):
        assert attempt("198.51.100.7").status_code == 200
    blocked = attempt("198.51.100.7")
    assert blocked.status_code == 429 and "Too many attempts" in text_of(blocked)
    assert attempt("203.0.113.9").status_code == 200  # someone else is not blocked
    clock.freeze(MONDAY + timedelta(minutes=16))
    assert attempt("198.51.100.7").status_code == 200


def _book_from(client, url: str, address: str, n: int):
    """One family at ``address`` books (or joins the waiting list) with its own email."""
    data = {**FAMILY, **open_form(client, url), "email": f"parent{n}@example.com"}
    return client.post(url, data=data, environ_base={"REMOTE_ADDR": address})


def test_one_address_makes_ten_bookings_an_hour_then_is_asked_calmly_to_wait(
    app,
    client,
    security_log,  # noqa: F811  (a fixture)
):
    hub, session_id = small_session(app, capacity=8)
    url = book_url(hub, session_id)
    for n in range(10):  # eight places, then two on the waiting list
        assert _book_from(client, url, "198.51.100.7", n).status_code == 302
    refused = _book_from(client, url, "198.51.100.7", 10)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    assert "Too many bookings" in text_of(refused)
    assert "please try again in 60 minutes" in text_of(refused)
    assert "ask at the hub's reception or phone them" in text_of(refused)
    assert count(app) == 10
    events = [json.loads(line) for line in security_log]
    assert [e["event"] for e in events] == ["public_booking_throttled"]
    assert "198.51.100.7" not in security_log[0] and "parent10" not in security_log[0]

    assert _book_from(client, url, "203.0.113.9", 11).status_code == 302  # another household
    clock.freeze(clock.now() + timedelta(minutes=61))
    assert _book_from(client, url, "198.51.100.7", 12).status_code == 302
    assert count(app) == 12
    assert "internet address for 60 minutes" in text_of(client.get("/book/privacy"))


# --- about the service ----------------------------------------------------------------------


def test_privacy_and_accessibility_are_linked_from_every_public_page(site, client):
    session_id = session_id_of(site, "Baby Massage")
    location = post_booking(client, book_url("riverside", session_id)).headers["Location"]
    pages = [
        "/book/",
        "/book/riverside/",
        f"/book/riverside/sessions/{session_id}",
        book_url("riverside", session_id),
        location,
        f"{location}/manage",
        "/book/find",
        "/book/privacy",
        "/book/accessibility",
    ]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert 'href="/book/privacy"' in html, url
        assert 'href="/book/accessibility"' in html, url

    privacy = text_of(client.get("/book/privacy"))
    assert "13 months after the session" in privacy
    assert "data protection officer" in privacy and "Information Commissioner" in privacy
    accessibility = text_of(client.get("/book/accessibility"))
    assert "WCAG) version 2.2 at level AA" in accessibility
    assert "Equality and Human Rights Commission" in accessibility


def test_the_privacy_notice_gives_the_chosen_hubs_retention(app, client):
    hub, _ = small_session(app, hub_settings={"retention_months": 6})
    client.get(f"/book/{hub}/")
    assert "6 months after the session" in text_of(client.get("/book/privacy"))


# --- the calendar file, on its own --------------------------------------------------------------


def test_calendar_text_is_escaped_and_long_lines_folded_without_splitting_characters():
    assert escape_text("a,b;c\\d\né") == "a\\,b\\;c\\\\d\\né"
    line = "DESCRIPTION:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line

    event = CalendarEvent(
        uid="x@example",
        stamp=NOW,
        starts_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC),
        summary="Stay, play; sing",
    )
    text = calendar_file(event)
    assert "SUMMARY:Stay\\, play\\; sing\r\n" in text
    assert "DTSTAMP:20261124T090000Z\r\n" in text and "LOCATION" not in text


def test_an_appointment_booking_uses_the_same_confirmation_and_manage_pages(app, client):
    from booking.appointments import book_appointment
    from tests.appointment_fixtures import TOMORROW, make_practice, utc

    with app.app_context():
        practice = make_practice(slug="practice")
        result = book_appointment(
            practice.type_id,
            practice.staff[0],
            utc(TOMORROW, 9),
            Party(1, ("0-1",)),
            Contact("Cai", email="cai@example.com"),
            now=clock.now(),
        )
        db.session.commit()
        location = f"/book/bookings/{token_for(result.booking)}"

    page = text_of(client.get(location))
    assert "Booking confirmed" in page and "Appointment Money advice" in page
    assert "With Pat1" in page and "Person1" not in page  # the practitioner's first name only
    ics = client.get(f"{location}/calendar.ics").get_data(as_text=True)
    assert "DTSTART:20261125T090000Z" in ics and "DTEND:20261125T093000Z" in ics

    manage = client.get(f"{location}/manage")
    assert "Change who is coming" not in text_of(manage)
    token = csrf_from(manage.get_data(as_text=True))
    assert client.post(f"{location}/party", data={"csrf_token": token}).status_code == 404
    cancelled = client.post(f"{location}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 302
    assert "This booking was cancelled" in text_of(client.get(cancelled.headers["Location"]))
    assert bookings(app)[0].status == "cancelled"
