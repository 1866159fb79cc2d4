"""A follow-up booked on the spot: from a visit on the board, a practitioner books
the family an appointment (inside the public minimum notice if need be) or a place
at a session, in the family's language; a second press books nothing more; a full
session is refused in plain words."""

from __future__ import annotations

import email
import html
import re
from dataclasses import replace

import pytest
from flask import current_app
from sqlalchemy import func, select

from booking.contact import Contact, Party
from booking.services import book_session
from connections.follow_ups import sessions_to_book
from connections.services import Shared, make_connection
from frontdoor import clock
from frontdoor.channels import SmtpChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AuditEvent,
    Booking,
    BookingMode,
    BookingSource,
    HelpRequest,
    Hub,
    OutboxMessage,
    Session,
    Visit,
)
from frontdoor.outbox import Links
from tests.appointment_fixtures import NOW, PASSWORD, make_practice, utc
from tests.conftest import csrf_from, sign_in
from tests.message_servers import smtp_server
from tests.test_connections import _ids

LINKS = Links("https://hub.example", "test-secret-key")


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _visit(hub_id: int, language: str = "pl") -> int:
    visit = Visit(
        hub_id=hub_id,
        kind="walk_in",
        first_name="Amira",
        last_name="Nowak",
        language=language,
        arrived_at=clock.now(),
    )
    db.session.add(visit)
    db.session.commit()
    return visit.id


@pytest.fixture
def practice(app, client):
    """A practitioner with two hours' notice on their times, signed in at 09:10 with a
    Polish-speaking family on the board."""
    with app.app_context():
        made = make_practice()  # 30 minutes and 10 free, from 09:00, two hours' notice
        visit_id = _visit(made.hub_id)
    clock.freeze(utc(NOW.date(), 9, 10))
    sign_in(client, "p1@riverside.example", PASSWORD)
    return made, visit_id


def _form(page: str, **answers) -> dict[str, str]:
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page)
    assert nonce, "the form carries a nonce"
    return {"csrf_token": csrf_from(page), "nonce": nonce[1], "adults": "1", **answers}


def test_staff_book_an_appointment_inside_the_public_notice_in_the_familys_language(
    app, client, practice
):
    made, visit_id = practice
    board = client.get("/admin/arrivals?hub=riverside").get_data(as_text=True)
    link = re.search(r'data-follow-up href="([^"]+)"', board)
    assert link and link[1] == f"/admin/follow-up/visit/{visit_id}/appointment"
    page = client.get(link[1]).get_data(as_text=True)
    soon = f"{made.staff[0]}@{utc(NOW.date(), 9, 40).isoformat()}"  # 30 minutes away
    assert soon in html.unescape(page), "staff are offered times inside the minimum notice"
    assert 'value="Amira"' in page  # the visit's first name, filled in

    booked = client.post(
        link[1],
        data=_form(
            page, first_name="Amira", last_name="Nowak", slot=soon, email="amira@example.com"
        ),
    )

    assert booked.status_code == 302 and booked.location.startswith("/admin/arrivals")
    assert "Amira N. is booked: Money advice" in _text(client.get(booked.location))
    listing = _text(client.get("/admin/appointments/booked?hub=riverside"))
    assert "Amira N." in listing and "09:40" in listing
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert (booking.source, booking.language) == (BookingSource.STAFF, "pl")
        follow_up = db.session.scalar(select(AuditEvent).filter_by(action="booking.follow_up"))
        assert follow_up.subject_id == booking.id and follow_up.staff_id == made.staff[0]
        # The usual confirmation, in Polish, reaches a real mail server.
        with smtp_server() as (port, server):
            config = replace(current_app.config["FRONTDOOR"], smtp_port=port)
            channels = {"email": SmtpChannel(config)}
            sent = dispatch_outbox(clock.now(), channels=channels, links=LINKS)
    assert sent.sent == 1 and server.envelopes[0][1] == ["amira@example.com"]
    body = email.message_from_bytes(server.received[0]).get_payload(decode=True).decode()
    assert "Masz rezerwację na Money advice" in body


def test_a_second_press_of_the_same_form_books_once(app, client, practice):
    made, visit_id = practice
    url = f"/admin/follow-up/visit/{visit_id}/appointment"
    page = client.get(url).get_data(as_text=True)
    slot = f"{made.staff[0]}@{utc(NOW.date(), 9, 40).isoformat()}"
    answers = _form(page, first_name="Amira", slot=slot, mobile="07700 900982")

    first = client.post(url, data=answers)
    again = client.post(url, data=answers)

    assert first.status_code == again.status_code == 302
    assert "That follow-up was already booked" in _text(client.get(again.location))
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 1
        assert db.session.scalar(select(func.count(Appointment.id))) == 1
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # one confirmation


def test_a_time_taken_meanwhile_is_refused_in_plain_words(app, client, practice):
    made, visit_id = practice
    url = f"/admin/follow-up/visit/{visit_id}/appointment"
    page = client.get(url).get_data(as_text=True)
    slot = f"{made.staff[0]}@{utc(NOW.date(), 9, 40).isoformat()}"
    client.post(url, data=_form(page, first_name="Amira", slot=slot))
    page = client.get(url).get_data(as_text=True)  # a new form: a new nonce

    refused = client.post(url, data=_form(page, first_name="Bea", slot=slot))

    assert refused.status_code == 400
    assert "Someone has just booked that time. Choose another" in _text(refused)


# --- a place at a session -------------------------------------------------------------------


@pytest.fixture
def riverside(app, signed_in):
    """The demo council: the practitioner at Riverside, and a family on the board."""
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        visit_id = _visit(hub.id, language="en")
        session = next(
            s
            for s, available in sessions_to_book(hub.id, clock.now())
            if s.series.booking_mode == BookingMode.BOOKING and available.state == "open"
        )
        session_id = session.id
    return signed_in("practitioner@riverside.example"), visit_id, session_id


def test_a_practitioner_books_a_place_and_it_is_on_the_register(app, riverside):
    client, visit_id, session_id = riverside
    url = f"/admin/follow-up/visit/{visit_id}/session"
    page = client.get(url).get_data(as_text=True)
    assert f'name="session" type="radio" value="{session_id}"' in page

    booked = client.post(url, data=_form(page, first_name="Amira", session=str(session_id)))

    assert booked.status_code == 302
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert (booking.session_id, booking.source) == (session_id, BookingSource.STAFF)


def test_a_full_session_is_refused_in_plain_words(app, riverside):
    client, visit_id, session_id = riverside
    url = f"/admin/follow-up/visit/{visit_id}/session"
    page = client.get(url).get_data(as_text=True)
    with app.app_context():  # meanwhile the last place goes
        session = db.session.get(Session, session_id)
        session.capacity, session.capacity_overridden = 1, True
        book_session(
            session_id,
            Party(1),
            Contact("Bea", email="bea@example.com"),
            now=clock.now(),
            source=BookingSource.STAFF,
        )
        db.session.commit()

    refused = client.post(url, data=_form(page, first_name="Amira", session=str(session_id)))

    assert refused.status_code == 400
    assert "That session is full" in _text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 1  # Bea's only


def test_reception_cannot_book_a_follow_up(app, riverside):
    _, visit_id, _ = riverside
    client = app.test_client()
    sign_in(client, "reception@riverside.example")
    assert client.get(f"/admin/follow-up/visit/{visit_id}/session").status_code == 403


def test_a_visit_at_another_hub_is_not_booked_here(app, riverside):
    client, _, _ = riverside
    with app.app_context():
        northgate = db.session.scalar(select(Hub).filter_by(slug="northgate"))
        elsewhere = _visit(northgate.id)
    assert client.get(f"/admin/follow-up/visit/{elsewhere}/appointment").status_code == 403
    assert client.get(f"/admin/follow-up/visit/{elsewhere + 1}/session").status_code == 404


def test_the_contact_a_family_shared_when_connected_is_filled_in_and_audited(app, riverside):
    client, _, _ = riverside
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        asked = HelpRequest(hub_id=hub.id, topic="money", first_name="Amara", created_at=NOW)
        db.session.add(asked)
        db.session.flush()
        ids = {**_ids(), "help_request_id": asked.id}
        shared = Shared("Amara", contact_method="email", contact="amara@example.com")
        make_connection(consent=True, now=clock.now(), shared=shared, **ids)
        db.session.commit()
        help_id = asked.id

    page = client.get(f"/admin/follow-up/help/{help_id}/session").get_data(as_text=True)

    assert 'value="amara@example.com"' in page and 'value="Amara"' in page
    with app.app_context():
        shown = db.session.scalar(select(AuditEvent).filter_by(action="follow_up.contact_shown"))
        assert (shown.subject_type, shown.subject_id) == ("help_request", help_id)
