"""The staff register: reading it (audited), and booking, cancelling, moving and
raising capacity on a family's behalf, through the real pages and forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from booking.contact import Contact, Party
from booking.services import book_session
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Booking,
    Hub,
    OutboxMessage,
    Session,
    SessionSeries,
    StaffUser,
)
from tests.conftest import csrf_from

LEAD = "lead@riverside.example"


def upcoming(app: Flask, hub: str = "riverside", title: str = "Baby Massage", n: int = 0) -> int:
    """The id of the hub's ``n``-th session of ``title`` starting more than a day from now."""
    with app.app_context():
        return db.session.scalars(
            select(Session.id)
            .join(Session.series)
            .join(Hub, Hub.id == Session.hub_id)
            .where(
                Hub.slug == hub,
                SessionSeries.title == title,
                Session.starts_at > clock.now() + timedelta(days=1),
            )
            .order_by(Session.starts_at)
        ).all()[n]


def set_capacity_directly(app: Flask, session_id: int, capacity: int) -> None:
    with app.app_context():
        db.session.get(Session, session_id).capacity = capacity
        db.session.commit()


def book(
    app: Flask,
    session_id: int,
    first: str,
    last: str = "",
    *,
    party: Party | None = None,
    waiting: bool = False,
    access: str = "",
    email: str | None = None,
) -> int:
    with app.app_context():
        contact = Contact(
            first,
            last_name=last,
            email=email if email is not None else f"{first.lower()}@example.com",
            access_needs=access,
        )
        result = book_session(
            session_id,
            party or Party(1, ("0-1",)),
            contact,
            now=clock.now(),
            source="staff",
            join_waiting_list=waiting,
        )
        db.session.commit()
        return result.booking.id


def booking(app: Flask, booking_id: int) -> Booking:
    with app.app_context():
        found = db.session.get(Booking, booking_id)
        db.session.expunge(found)
        return found


def html_of(response) -> str:
    return response.get_data(as_text=True)


def form_page(client, url: str) -> tuple[str, str]:
    """The page's CSRF token and (if any) booking-form nonce."""
    html = html_of(client.get(url))
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]*)"', html)
    return csrf_from(html), nonce.group(1) if nonce else ""


def post_form(client, page: str, data: dict, action: str | None = None, **kwargs):
    token, nonce = form_page(client, page)
    fields = {"nonce": nonce, **data} if nonce else data
    return client.post(action or page, data={**fields, "csrf_token": token}, **kwargs)


# --- the register -------------------------------------------------------------------------


def test_register_shows_first_name_initial_party_access_needs_and_the_waiting_list(app, signed_in):
    session_id = upcoming(app)
    set_capacity_directly(app, session_id, 2)
    book(
        app,
        session_id,
        "Amira",
        "Khan",
        party=Party(2, ("0-1", "1-3", "1-3")),
        access="Uses a wheelchair",
    )
    book(app, session_id, "Ben", "Jones", party=Party(1))
    book(app, session_id, "Cara", "Smith", waiting=True)
    book(app, session_id, "Dev", "Patel", waiting=True)
    client = signed_in(LEAD)

    response = client.get(f"/admin/sessions/{session_id}/register")

    html = html_of(response)
    assert response.status_code == 200
    assert "Amira K." in html and "Ben J." in html
    for private in ("Khan", "Jones", "Smith", "Patel", "amira@example.com"):
        assert private not in html
    assert "2 adults, 3 children (1 aged 0 to 1, 2 aged 1 to 3)" in html
    assert "Uses a wheelchair" in html
    assert "Baby Massage" in html and "Sensory room" in html
    waiting = html[html.index('id="waiting"') :]
    assert re.search(r">1</td>\s*<th[^>]*><bdi>Cara S\.</bdi></th>", waiting)
    assert re.search(r">2</td>\s*<th[^>]*><bdi>Dev P\.</bdi></th>", waiting)
    assert waiting.index("Cara S.") < waiting.index("Dev P.")


def test_the_register_shows_times_in_local_time(app, signed_in):
    session_id = upcoming(app)
    with app.app_context():
        starts = clock.local(db.session.get(Session, session_id).starts_at)
    html = html_of(signed_in(LEAD).get(f"/admin/sessions/{session_id}/register"))
    assert starts.strftime("%H:%M") == "13:30"
    assert f"{starts.day} {starts:%B %Y}, 13:30 to 14:30" in html


def test_viewing_a_register_is_audited_without_family_data(app, signed_in):
    session_id = upcoming(app)
    book(app, session_id, "Amira", "Khan")
    client = signed_in("reception@riverside.example")
    assert client.get(f"/admin/sessions/{session_id}/register").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(action="register.view"))
        reception = db.session.scalar(
            select(StaffUser).filter_by(email="reception@riverside.example")
        )
        session = db.session.get(Session, session_id)
        assert (event.subject_type, event.subject_id, event.staff_id, event.hub_id) == (
            "session",
            session_id,
            reception.id,
            session.hub_id,
        )
        assert "Amira" not in event.detail and "Khan" not in event.detail


def test_cancelled_bookings_are_folded_away(app, signed_in):
    session_id = upcoming(app)
    gone = book(app, session_id, "Amira", "Khan")
    client = signed_in(LEAD)
    page = f"/admin/sessions/{session_id}/register"
    post_form(client, page, {"reason": "Moved away"}, f"/admin/bookings/{gone}/cancel")
    html = html_of(client.get(page))
    assert "Cancelled bookings (1)" in html and "No one is booked yet" in html
    assert "Amira K." in html[html.index('id="cancelled"') :]
    assert "Moved away" in html


# --- booking on a family's behalf ------------------------------------------------------------


def test_staff_booking_family_after_family_from_one_desk_are_never_limited(app, signed_in):
    # The public site's limit is ten bookings an hour from one address; reception
    # booking for the families in front of them is not held to it.
    session_id = upcoming(app)
    set_capacity_directly(app, session_id, 20)
    client = signed_in("reception@riverside.example")
    page = f"/admin/sessions/{session_id}/book"
    for n in range(12):
        token, nonce = form_page(client, page)
        data = {"csrf_token": token, "nonce": nonce, "adults": "1", "children_0_1": "1"}
        data |= {"first_name": f"Parent{n}", "mobile": f"07700 900{n:03d}"}
        made = client.post(page, data=data, environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert made.status_code == 302, n
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Booking).filter_by(session_id=session_id)
            )
            == 12
        )


def test_staff_book_for_a_family_and_a_double_submit_makes_one_booking(app, signed_in):
    session_id = upcoming(app)
    client = signed_in("reception@riverside.example")
    page = f"/admin/sessions/{session_id}/book"
    token, nonce = form_page(client, page)
    data = {
        "csrf_token": token,
        "nonce": nonce,
        "adults": "1",
        "children_0_1": "1",
        "children_1_3": "2",
        "first_name": "Zoë",
        "last_name": "O'Brien",
        "mobile": "07700 900123",
        "access_needs": "Needs a quiet corner",
    }
    first = client.post(page, data=data)
    second = client.post(page, data=data)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(f"/admin/sessions/{session_id}/register")
    with app.app_context():
        made = db.session.scalars(select(Booking).filter_by(session_id=session_id)).all()
        assert len(made) == 1
        assert (made[0].source, made[0].status, made[0].people) == ("staff", "confirmed", 4)
        assert made[0].children == ["0-1", "1-3", "1-3"]
        assert made[0].mobile == "+447700900123"
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).filter_by(action="booking.create")
            )
            == 1
        )
    shown = html_of(client.get(first.headers["Location"]))
    assert "Zoë O. is booked" in shown and "Needs a quiet corner" in shown


def test_a_full_session_offers_the_waiting_list(app, signed_in):
    session_id = upcoming(app)
    set_capacity_directly(app, session_id, 1)
    book(app, session_id, "Amira", "Khan")
    client = signed_in(LEAD)
    page = f"/admin/sessions/{session_id}/book"
    full = post_form(client, page, {"adults": "1", "first_name": "Ben"})
    html = html_of(full)
    assert full.status_code == 200
    assert "There is a problem" in html and "This session is full" in html
    assert 'href="#join_waiting_list"' in html
    waited = post_form(client, page, {"adults": "1", "first_name": "Ben", "join_waiting_list": "y"})
    assert waited.status_code == 302
    with app.app_context():
        ben = db.session.scalar(select(Booking).filter_by(first_name="Ben"))
        assert ben.status == "waiting"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"adults": "", "first_name": "Ann"}, "Enter how many adults are coming"),
        ({"adults": "lots", "first_name": "Ann"}, "as a number like 1"),
        ({"adults": "1", "first_name": ""}, "Enter their first name"),
        ({"adults": "0", "first_name": "Ann"}, "Enter at least 1 person"),
        ({"adults": "1", "children_0_1": "-2", "first_name": "Ann"}, "between 0 and 20"),
        ({"adults": "9", "children_1_3": "5", "first_name": "Ann"}, "up to 10 people"),
        ({"adults": "1", "first_name": "Ann", "email": "not-an-email"}, "correct format"),
        ({"adults": "1", "first_name": "Ann", "mobile": "0121 496 0000"}, "not a landline"),
        ({"adults": "1", "first_name": "Ann", "reminders": "y"}, "to send reminders to"),
        ({"adults": "1", "first_name": "A" * 101}, "100 characters or fewer"),
        ({"adults": "1", "first_name": "Ann", "nonce": "<script>"}, None),
    ],
)
def test_bad_booking_inputs_are_explained_never_a_crash(app, signed_in, data, message):
    session_id = upcoming(app)
    client = signed_in(LEAD)
    response = post_form(client, f"/admin/sessions/{session_id}/book", data)
    if message is None:  # a mangled nonce is replaced, and the booking is made
        assert response.status_code == 302
        return
    html = html_of(response)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert "<title>Error:" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_the_same_family_twice_is_told_their_reference(app, signed_in):
    session_id = upcoming(app)
    first = booking(app, book(app, session_id, "Amira", email="amira@example.com"))
    client = signed_in(LEAD)
    response = post_form(
        client,
        f"/admin/sessions/{session_id}/book",
        {"adults": "1", "first_name": "Amira", "email": "AMIRA@example.com"},
    )
    assert response.status_code == 200
    assert f"already has a booking for this session (reference {first.reference})" in (
        html_of(response)
    )


def test_a_drop_in_session_has_no_booking_form(app, signed_in):
    session_id = upcoming(app, title="Stay and Play")
    client = signed_in(LEAD)
    page = html_of(client.get(f"/admin/sessions/{session_id}/book"))
    assert "drop-in only" in page and 'name="first_name"' not in page
    token = csrf_from(page)
    response = client.post(
        f"/admin/sessions/{session_id}/book",
        data={"csrf_token": token, "adults": "1", "first_name": "Ann"},
    )
    assert response.status_code == 200
    assert "drop-in only" in html_of(response)


# --- cancelling ---------------------------------------------------------------------------------


def test_cancelling_with_a_reason_tells_the_family_and_promotes_the_waiting_list(app, signed_in):
    session_id = upcoming(app)
    set_capacity_directly(app, session_id, 1)
    amira = book(app, session_id, "Amira", "Khan")
    ben = book(app, session_id, "Ben", "Jones", waiting=True)
    client = signed_in(LEAD)

    response = post_form(
        client,
        f"/admin/sessions/{session_id}/register",
        {"reason": "Baby is poorly"},
        f"/admin/bookings/{amira}/cancel",
    )

    assert response.status_code == 302
    assert booking(app, amira).status == "cancelled"
    assert booking(app, ben).status == "confirmed"
    with app.app_context():
        told = db.session.scalar(
            select(OutboxMessage).filter_by(booking_id=amira, template="cancelled")
        )
        assert told.recipient == "amira@example.com"
        assert told.payload["reason"] == "Baby is poorly"
        assert db.session.scalar(
            select(OutboxMessage).filter_by(booking_id=ben, template="promoted")
        )
        assert db.session.scalar(
            select(AuditEvent).filter_by(action="booking.cancel", subject_id=amira)
        )
    shown = html_of(client.get(response.headers["Location"]))
    assert "Cancelled the booking for Amira K." in shown
    assert "From the waiting list, Ben J. now has a place" in shown


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_cancelling_needs_a_reason(app, signed_in, reason):
    session_id = upcoming(app)
    amira = book(app, session_id, "Amira")
    client = signed_in(LEAD)
    response = post_form(
        client,
        f"/admin/sessions/{session_id}/register",
        {"reason": reason},
        f"/admin/bookings/{amira}/cancel",
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "There is a problem" in html and f'href="#reason-{amira}"' in html
    assert booking(app, amira).status == "confirmed"


def test_cancelling_twice_says_so(app, signed_in):
    session_id = upcoming(app)
    amira = book(app, session_id, "Amira")
    client = signed_in(LEAD)
    page = f"/admin/sessions/{session_id}/register"
    post_form(client, page, {"reason": "Ill"}, f"/admin/bookings/{amira}/cancel")
    again = post_form(client, page, {"reason": "Ill"}, f"/admin/bookings/{amira}/cancel")
    assert again.status_code == 200
    assert "already been cancelled" in html_of(again)


# --- moving -----------------------------------------------------------------------------------


def test_moving_a_booking_to_next_week_moves_the_waiting_list_up(app, signed_in):
    session_id, next_week = upcoming(app, n=0), upcoming(app, n=1)
    set_capacity_directly(app, session_id, 1)
    amira = book(app, session_id, "Amira", "Khan")
    ben = book(app, session_id, "Ben", waiting=True)
    client = signed_in("reception@riverside.example")
    page = f"/admin/bookings/{amira}/move"
    form = html_of(client.get(page))
    assert f'value="{next_week}"' in form and f'value="{session_id}"' not in form

    response = post_form(client, page, {"session": str(next_week)})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/sessions/{session_id}/register")
    assert booking(app, amira).session_id == next_week
    assert booking(app, ben).status == "confirmed"
    with app.app_context():
        assert db.session.scalar(
            select(OutboxMessage).filter_by(booking_id=amira, template="moved")
        )
    shown = html_of(client.get(response.headers["Location"]))
    assert "Moved Amira K. to Baby Massage" in shown


@pytest.mark.parametrize("choice", ["", "abc", "999999", "own"])
def test_bad_move_choices_are_explained(app, signed_in, choice):
    session_id = upcoming(app)
    amira = book(app, session_id, "Amira")
    client = signed_in(LEAD)
    value = str(session_id) if choice == "own" else choice
    response = post_form(client, f"/admin/bookings/{amira}/move", {"session": value})
    html = html_of(response)
    assert response.status_code == 200
    assert "There is a problem" in html and "Choose the session to move them to" in html
    assert booking(app, amira).session_id == session_id


def test_moving_into_a_full_session_is_refused(app, signed_in):
    session_id, next_week = upcoming(app, n=0), upcoming(app, n=1)
    set_capacity_directly(app, next_week, 1)
    book(app, next_week, "Cara")
    amira = book(app, session_id, "Amira")
    client = signed_in(LEAD)
    response = post_form(client, f"/admin/bookings/{amira}/move", {"session": str(next_week)})
    assert response.status_code == 200
    assert "That session is full" in html_of(response)
    assert booking(app, amira).session_id == session_id


def test_a_waiting_booking_cannot_be_moved(app, signed_in):
    session_id = upcoming(app)
    set_capacity_directly(app, session_id, 1)
    book(app, session_id, "Amira")
    ben = book(app, session_id, "Ben", waiting=True)
    client = signed_in(LEAD)
    page = html_of(client.get(f"/admin/bookings/{ben}/move"))
    assert "Only a booking with a place can be moved" in page
    token = csrf_from(page)
    response = client.post(
        f"/admin/bookings/{ben}/move",
        data={"csrf_token": token, "session": str(upcoming(app, n=1))},
    )
    assert response.status_code == 200
    assert booking(app, ben).session_id == session_id


# --- capacity -----------------------------------------------------------------------------------


def test_raising_capacity_promotes_the_waiting_list_and_names_them(app, signed_in):
    session_id = upcoming(app)
    set_capacity_directly(app, session_id, 1)
    book(app, session_id, "Amira", "Khan")
    ben = book(app, session_id, "Ben", "Jones", waiting=True)
    cara = book(app, session_id, "Cara", "Smith", waiting=True)
    dev = book(app, session_id, "Dev", "Patel", waiting=True)
    client = signed_in(LEAD)
    page = f"/admin/sessions/{session_id}/register"

    response = post_form(client, page, {"capacity": "3"}, f"/admin/sessions/{session_id}/capacity")

    assert response.status_code == 302
    assert [booking(app, b).status for b in (ben, cara, dev)] == [
        "confirmed",
        "confirmed",
        "waiting",
    ]
    shown = html_of(client.get(page))
    assert "Capacity is now 3. From the waiting list, Ben J. and Cara S. now have a place" in shown
    assert "Jones" not in shown and "Smith" not in shown
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(OutboxMessage.template == "promoted")) == 2
        )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the new capacity"),
        ("ten", "as a whole number"),
        ("0", "between 1 and 500"),
        ("501", "between 1 and 500"),
        ("1", "less than the 2 places already booked"),
    ],
)
def test_bad_capacities_are_explained(app, signed_in, value, message):
    session_id = upcoming(app)
    book(app, session_id, "Amira")
    book(app, session_id, "Ben")
    client = signed_in(LEAD)
    response = post_form(
        client,
        f"/admin/sessions/{session_id}/register",
        {"capacity": value},
        f"/admin/sessions/{session_id}/capacity",
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html and 'href="#capacity"' in html
    with app.app_context():
        assert db.session.get(Session, session_id).capacity == 8


# --- who may do what ------------------------------------------------------------------------------


def test_reception_at_riverside_cannot_see_or_change_northgate(app, signed_in):
    northgate = upcoming(app, hub="northgate")
    theirs = book(app, northgate, "Nia", "Owen")
    client = signed_in("reception@riverside.example")
    token = csrf_from(html_of(client.get(f"/admin/sessions/{upcoming(app)}/register")))
    assert client.get(f"/admin/sessions/{northgate}/register").status_code == 403
    assert client.get(f"/admin/sessions/{northgate}/book").status_code == 403
    assert client.get(f"/admin/bookings/{theirs}/move").status_code == 403
    cancel = client.post(
        f"/admin/bookings/{theirs}/cancel", data={"csrf_token": token, "reason": "No"}
    )
    assert cancel.status_code == 403
    assert booking(app, theirs).status == "confirmed"
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).filter_by(subject_id=northgate)
            )
            == 0
        )


def test_practitioners_read_the_register_but_change_nothing(app, signed_in):
    session_id = upcoming(app)
    amira = book(app, session_id, "Amira")
    client = signed_in("practitioner@riverside.example")
    html = html_of(client.get(f"/admin/sessions/{session_id}/register"))
    assert "Amira" in html
    assert "Book a family" not in html and "Cancel booking" not in html
    assert "Change capacity" not in html
    assert client.get(f"/admin/sessions/{session_id}/book").status_code == 403
    assert client.get(f"/admin/bookings/{amira}/move").status_code == 403


def test_reception_books_but_does_not_change_capacity(app, signed_in):
    session_id = upcoming(app)
    client = signed_in("reception@riverside.example")
    html = html_of(client.get(f"/admin/sessions/{session_id}/register"))
    assert "Book a family" in html and "Change capacity" not in html
    response = client.post(
        f"/admin/sessions/{session_id}/capacity",
        data={"csrf_token": csrf_from(html), "capacity": "20"},
    )
    assert response.status_code == 403


def test_unknown_records_are_not_found(app, signed_in):
    client = signed_in(LEAD)
    assert client.get("/admin/sessions/999999/register").status_code == 404
    assert client.get("/admin/sessions/999999/book").status_code == 404
    assert client.get("/admin/bookings/999999/move").status_code == 404


def test_forms_without_a_csrf_token_are_refused(app, signed_in):
    session_id = upcoming(app)
    amira = book(app, session_id, "Amira")
    client = signed_in(LEAD)
    for url, data in [
        (f"/admin/sessions/{session_id}/book", {"adults": "1", "first_name": "Ann"}),
        (f"/admin/bookings/{amira}/cancel", {"reason": "Ill"}),
        (f"/admin/bookings/{amira}/move", {"session": str(upcoming(app, n=1))}),
        (f"/admin/sessions/{session_id}/capacity", {"capacity": "20"}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    assert booking(app, amira).status == "confirmed"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
