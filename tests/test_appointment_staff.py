"""Staff with a family's appointment: reception, practitioners and managers see a
hub's booked appointments, open one (audited), cancel it with a reason or move it
to another free time; the family is told, and staff elsewhere see nothing."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from booking.appointments import book_appointment
from booking.contact import Contact, Party
from booking.slots import free_slots
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AppointmentType,
    AuditEvent,
    Booking,
    BookingSource,
    Hub,
    OutboxMessage,
    Role,
)
from frontdoor.staff import create_staff
from tests.appointment_fixtures import NOW, PASSWORD, TOMORROW, make_practice, utc
from tests.conftest import csrf_from, sign_in


@pytest.fixture
def booked(app, demo) -> int:
    """Amira K.'s appointment at Riverside's first free time: its id."""
    with app.app_context():
        kind = db.session.scalar(select(AppointmentType).join(AppointmentType.hub).limit(1))
        now = clock.now()
        slots = free_slots(kind.id, day_from=clock.today(), days=28, now=now)
        slot = next(slot for day in slots.values() for slot in day)
        result = book_appointment(
            kind.id,
            slot.practitioner_id,
            slot.starts_at,
            Party(1, ("0-1",)),
            Contact("Amira", "Khan", mobile="07700 900982", access_needs="Buggy"),
            now=now,
            source="staff",
        )
        db.session.commit()
        return result.booking.appointment_id


def _appointment(app, appointment_id: int) -> Appointment:
    with app.app_context():
        found = db.session.get(Appointment, appointment_id)
        db.session.expunge(found)
        return found


def _booking(app, appointment_id: int) -> Booking:
    with app.app_context():
        found = db.session.scalar(select(Booking).filter_by(appointment_id=appointment_id))
        db.session.expunge(found)
        return found


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_reception_finds_the_appointment_and_opening_it_is_audited(app, signed_in, booked):
    client = signed_in("reception@riverside.example")
    listing = client.get("/admin/appointments/booked")
    assert listing.status_code == 200
    assert "Amira K." in _text(listing) and "Khan" not in _text(listing)

    page = client.get(f"/admin/appointments/booked/{booked}")
    assert page.status_code == 200
    assert "07700 900982" in _text(page) and "Buggy" in _text(page)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).filter_by(action="appointment.view")).all()
        assert [(e.subject_type, e.subject_id) for e in events] == [
            ("booking", _booking(app, booked).id)
        ]
        assert "Amira" not in events[0].detail


def test_cancelling_needs_a_reason_then_frees_the_time_and_tells_the_family(app, signed_in, booked):
    client = signed_in("reception@riverside.example")
    url = f"/admin/appointments/booked/{booked}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    refused = client.post(f"{url}/cancel", data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 400
    assert "There is a problem" in _text(refused) and "Enter a reason" in _text(refused)
    assert _booking(app, booked).status == "confirmed"

    done = client.post(
        f"{url}/cancel", data={"csrf_token": token, "reason": "The practitioner is unwell"}
    )
    assert done.status_code == 302
    page = client.get(done.headers["Location"])
    assert "Appointment cancelled. They have been sent a message." in _text(page)
    assert "Cancelled" in _text(page) and "Cancel appointment" not in _text(page)
    booking = _booking(app, booked)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "The practitioner is unwell")
    appointment = _appointment(app, booked)
    assert appointment.status == "cancelled"
    with app.app_context():
        told = db.session.scalars(
            select(OutboxMessage).filter_by(booking_id=booking.id, template="cancelled")
        ).all()
        assert [m.recipient for m in told] == ["+447700900982"]
        free = free_slots(
            appointment.type_id,
            day_from=appointment.starts_at.date(),
            days=1,
            now=clock.now(),
            practitioner_id=appointment.practitioner_id,
        )
        assert appointment.starts_at in [s.starts_at for day in free.values() for s in day]


def test_moving_to_another_free_time_keeps_the_reference_and_tells_the_family(
    app, signed_in, booked
):
    client = signed_in("practitioner@riverside.example")
    before = _appointment(app, booked)
    reference = _booking(app, booked).reference
    url = f"/admin/appointments/booked/{booked}/move"
    page = client.get(url).get_data(as_text=True)
    choices = re.findall(r'name="slot" type="radio" value="([^"]+)"', page)
    assert choices and all("@" in c for c in choices)
    token = csrf_from(page)

    nonsense = client.post(url, data={"csrf_token": token, "slot": "12@tuesday"})
    assert nonsense.status_code == 400 and "Choose a new time" in _text(nonsense)

    moved = client.post(url, data={"csrf_token": token, "slot": choices[1]})
    assert moved.status_code == 302
    assert "Appointment moved." in _text(client.get(moved.headers["Location"]))
    after = _appointment(app, booked)
    assert after.starts_at != before.starts_at
    assert f"{after.practitioner_id}@{after.starts_at.isoformat()}" == html.unescape(choices[1])
    assert _booking(app, booked).reference == reference
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.template).filter_by(template="moved"))
        assert db.session.scalar(select(AuditEvent.id).filter_by(action="appointment.move"))


def test_a_time_taken_meanwhile_is_refused_in_plain_words(app, signed_in, booked):
    client = signed_in("manager@riverside.example")
    url = f"/admin/appointments/booked/{booked}/move"
    page = client.get(url).get_data(as_text=True)
    first = html.unescape(re.findall(r'name="slot" type="radio" value="([^"]+)"', page)[0])
    with app.app_context():  # the desk books that time for another family first
        staff_id, starts = first.split("@")
        kind = _appointment(app, booked).type_id
        from datetime import datetime

        book_appointment(
            kind,
            int(staff_id),
            datetime.fromisoformat(starts),
            Party(1, ()),
            Contact("Bea", email="bea@example.com"),
            now=clock.now(),
            # Staff are offered times inside the public minimum notice; so is the desk.
            source=BookingSource.STAFF,
        )
        db.session.commit()
    refused = client.post(url, data={"csrf_token": csrf_from(page), "slot": first})
    assert refused.status_code == 400
    assert "Someone has just booked that time" in _text(refused)


def test_staff_at_another_hub_cannot_open_it(app, signed_in, booked):
    client = signed_in("manager@northgate.example")
    assert client.get(f"/admin/appointments/booked/{booked}").status_code == 403
    assert client.get(f"/admin/appointments/booked/{booked}/move").status_code == 403


def test_staff_may_move_an_appointment_inside_the_minimum_notice_and_the_public_still_may_not(
    app, client
):
    with app.app_context():
        practice = make_practice()  # two hours' notice; 30 minutes and 10 free, from 09:00
        create_staff(
            organisation_id=db.session.get(Hub, practice.hub_id).organisation_id,
            email="reception@riverside.example",
            name="Tom Reid",
            password=PASSWORD,
            roles=[(practice.hub_id, Role.RECEPTION)],
        )
        booked = book_appointment(
            practice.type_id,
            practice.staff[0],
            utc(TOMORROW, 9),
            Party(1, ()),
            Contact("Amira", "Khan", email="amira@example.com"),
            now=clock.now(),
        )
        db.session.commit()
        appointment_id = booked.booking.appointment_id
    clock.freeze(utc(NOW.date(), 9, 10))  # the family rings at 09:10: can they come at 09:40?
    soon = utc(NOW.date(), 9, 40)
    sign_in(client, "reception@riverside.example", PASSWORD)
    url = f"/admin/appointments/booked/{appointment_id}/move"

    page = client.get(url).text
    choices = [
        html.unescape(c) for c in re.findall(r'name="slot" type="radio" value="([^"]+)"', page)
    ]
    chosen = f"{practice.staff[0]}@{soon.isoformat()}"
    assert chosen in choices
    moved = client.post(url, data={"csrf_token": csrf_from(page), "slot": chosen})

    assert moved.status_code == 302
    assert _appointment(app, appointment_id).starts_at == soon
    public = client.get(
        f"/book/{practice.slug}/appointments/{practice.type_id}/book"
        f"?practitioner={practice.staff[0]}&start=2026-11-24T10:20Z"
    )
    assert "too soon to book online" in public.text
