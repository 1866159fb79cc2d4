"""Appointment pages through HTTP: a family finds and books a time; staff set up
types, weekly times and leave, each only where their role allows."""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.appointments import book_appointment
from booking.contact import Contact, Party
from booking.slots import free_slots
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AppointmentType,
    Availability,
    AvailabilityException,
    Booking,
    StaffUser,
)
from tests.appointment_fixtures import NOW, TOMORROW, Practice, make_practice, make_type, utc
from tests.conftest import csrf_from, sign_in, submit

# --- a family booking ---------------------------------------------------------------------------


@pytest.fixture
def practice(app: Flask) -> Practice:
    with app.app_context():
        made = make_practice(practitioners=2)
        db.session.remove()
    return made


def _links(page: str, pattern: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page) if re.search(pattern, h)]


def _book_url(practice: Practice, start: str = "2026-11-25T09:00Z", who: int | None = None):
    person = practice.staff[0] if who is None else who
    return (
        f"/book/{practice.slug}/appointments/{practice.type_id}/book"
        f"?practitioner={person}&start={start}"
    )


FAMILY = {
    "adults": "1",
    "child_1": "0-1",
    "first_name": "Amira",
    "last_name": "Khan",
    "email": "amira@example.com",
    "mobile": "",
    "access_needs": "Buggy",
}


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    return {"csrf_token": csrf_from(page), "nonce": nonce}


def _bookings(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking))


def test_a_family_finds_a_time_and_books_it(app, client, practice):
    listing = client.get(f"/book/{practice.slug}/appointments")
    assert listing.status_code == 200
    slots_url = f"/book/{practice.slug}/appointments/{practice.type_id}"
    assert slots_url in listing.get_data(as_text=True)

    week = client.get(slots_url).get_data(as_text=True)
    assert "Wednesday 25 November" in week and "With Pat1" in week and "With Pat2" in week
    links = _links(week, r"/book\?")
    assert _book_url(practice) in links
    # Today, now 09:00: only times at least two hours ahead.
    assert "start=2026-11-24T10:20Z" not in week and "start=2026-11-24T11:00Z" in week

    url = _book_url(practice)
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Wednesday 25 November, 09:00 to 09:30" in text and "Pat1" in text
    assert "Person1" not in text  # families see the practitioner's first name only

    hidden = _form(client, url)
    response = client.post(url, data={**FAMILY, **hidden})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/book/bookings/")
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.appointment.starts_at == utc(TOMORROW, 9)
        assert booking.children == ["0-1"] and booking.access_needs == "Buggy"
        assert booking.email == "amira@example.com" and booking.source == "public"

    # The same form again (a double click, a refresh): the same booking.
    again = client.post(url, data={**FAMILY, **hidden})
    assert again.headers["Location"] == response.headers["Location"]
    assert _bookings(app) == 1
    # And the time has gone from the list.
    assert url not in _links(client.get(slots_url).get_data(as_text=True), r"/book\?")


def test_the_slot_finder_pages_through_weeks_up_to_the_furthest_day(client, practice):
    base = f"/book/{practice.slug}/appointments/{practice.type_id}"
    first = client.get(base).get_data(as_text=True)
    assert "Earlier times" not in first
    later = _links(first, r"from=2026-12-01")
    assert later, "a link to the next seven days"
    second = client.get(later[0]).get_data(as_text=True)
    assert "Tuesday 1 December" in second and "Earlier times" in second
    # 28 days ahead is the furthest; a page asked for beyond it shows the last days.
    far = client.get(f"{base}?from=2027-06-01").get_data(as_text=True)
    assert "Tuesday 22 December" in far and "Later times" not in far
    # Nonsense in the address is read as "from today".
    for typed in ("yesterday", "2026-13-45", "", "x" * 500):
        assert client.get(f"{base}?from={typed}").status_code == 200
    # Only one practitioner's times, when a family chooses.
    chosen = client.get(f"{base}?practitioner={practice.staff[1]}").get_data(as_text=True)
    assert "With Pat2" in chosen and "With Pat1" not in chosen
    assert client.get(f"{base}?practitioner=abc").status_code == 200


def test_wrong_addresses_are_not_found(app, client, practice):
    with app.app_context():
        other = make_practice(slug="northgate")
        stranger = other.staff[0]
        hidden = make_type(practice.hub_id, practice.staff, name="Withdrawn", active=False).id
        db.session.commit()
    base = f"/book/{practice.slug}/appointments"
    for url in (
        "/book/nowhere/appointments",
        f"{base}/{other.type_id}",  # another hub's type
        f"{base}/{hidden}",  # withdrawn
        f"{base}/999999",
        f"{base}/{practice.type_id}/book",  # no time or practitioner
        _book_url(practice, start="not-a-time"),
        _book_url(practice, start="2026-11-25T09:00"),  # no time zone
        _book_url(practice, start="2026-11-25T09:00Z") + "x",  # practitioner id with junk
        _book_url(practice, who=stranger),  # does not offer this type
        _book_url(practice, who=999999),
        f"/book/{other.slug}/appointments/{practice.type_id}/book"
        f"?practitioner={practice.staff[0]}&start=2026-11-25T09:00Z",
    ):
        response = client.get(url)
        assert response.status_code == 404, url


@pytest.mark.parametrize(
    ("start", "words"),
    [
        ("2026-11-23T09:00Z", "too soon to book online"),  # yesterday
        ("2026-11-25T09:05Z", "That time is not available"),  # not one of the times
        ("2026-11-28T09:00Z", "That time is not available"),  # a Saturday
        ("2027-01-06T09:00Z", "too far ahead"),
    ],
)
def test_times_that_cannot_be_booked_say_so_plainly(client, practice, start, words):
    response = client.get(_book_url(practice, start=start))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert words in text and "Choose another time" in text


def test_mistakes_in_the_form_are_listed_and_nothing_is_booked(app, client, practice):
    url = _book_url(practice)
    hidden = _form(client, url)
    bad = {
        **FAMILY,
        "adults": "two",
        "child_1": "toddler",
        "first_name": "",
        "email": "nope",
        "mobile": "0121 496 0000",
    }
    response = client.post(url, data={**bad, **hidden})
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "There is a problem" in text
    for words in (
        "Enter the number of adults as a whole number",
        "Enter your first name",
        "Enter an email address in the correct format",
        "Enter a mobile number, not a landline",
        "Choose an age group for each child",
    ):
        assert words in text
    no_contact = client.post(url, data={**FAMILY, "email": "", **hidden})
    assert (
        "Enter an email address or a mobile number, so we can confirm your appointment."
        in no_contact.get_data(as_text=True)
    )
    nobody = client.post(url, data={**FAMILY, "adults": "0", "child_1": "", **hidden})
    assert "at least 1 adult or child" in html.unescape(nobody.get_data(as_text=True))
    too_many = client.post(url, data={**FAMILY, "adults": "10", "child_2": "1-3", **hidden})
    assert "up to 10 people" in too_many.get_data(as_text=True)
    assert _bookings(app) == 0


def test_a_family_books_an_appointment_with_a_mobile_from_abroad(app, client, practice):
    url = _book_url(practice)
    page = client.get(url).get_data(as_text=True)
    assert "Give an email address, a mobile number, or both." in page
    assert "UK mobile" not in page
    hidden = _form(client, url)
    landline = client.post(
        url, data={**FAMILY, "email": "", "mobile": "+48 22 123 45 67", **hidden}
    )
    assert "Enter a mobile number, not a landline" in landline.get_data(as_text=True)
    booked = client.post(url, data={**FAMILY, "email": "", "mobile": "+48 512 345 678", **hidden})
    assert booked.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Booking.mobile)) == "+48512345678"


def test_a_time_taken_while_the_family_was_typing(app, client, practice):
    url = _book_url(practice)
    hidden = _form(client, url)
    with app.app_context():
        book_appointment(
            practice.type_id,
            practice.staff[0],
            utc(TOMORROW, 9),
            Party(1),
            Contact("Other", email="other@example.com"),
            now=NOW,
        )
        db.session.commit()
    response = client.post(url, data={**FAMILY, **hidden})
    assert response.status_code == 200
    assert "someone has just booked that time" in response.get_data(as_text=True)
    assert _bookings(app) == 1


def test_the_booking_form_needs_its_csrf_token(app, client, practice):
    url = _book_url(practice)
    hidden = _form(client, url)
    response = client.post(url, data={**FAMILY, "nonce": hidden["nonce"]})
    assert response.status_code == 400
    assert _bookings(app) == 0


# --- staff ------------------------------------------------------------------------------------


def _staff_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).filter_by(email=email))


SAM = "practitioner@riverside.example"
GRACE = "lead@riverside.example"
WINDOW = {
    "weekday": "1",
    "start_time": "14:00",
    "end_time": "16:30",
    "room_id": "",
    "valid_from": ["", "", ""],
    "valid_until": ["", "", ""],
}


def _windows(app: Flask, email: str) -> list[tuple[int, time, time]]:
    with app.app_context():
        person = _staff_id(app, email)
        return db.session.execute(
            select(Availability.weekday, Availability.start_time, Availability.end_time)
            .where(Availability.staff_id == person)
            .order_by(Availability.weekday)
        ).all()


def test_a_practitioner_sets_their_own_weekly_times(app, signed_in):
    client = signed_in(SAM)
    page = client.get("/admin/appointments/availability?hub=riverside")
    assert page.status_code == 200
    assert "09:30 to 12:30" in page.get_data(as_text=True)  # the demo's times
    before = len(_windows(app, SAM))
    response = submit(client, "/admin/appointments/availability?hub=riverside", WINDOW)
    assert response.status_code == 302
    assert (1, time(14), time(16, 30)) in _windows(app, SAM)
    assert len(_windows(app, SAM)) == before + 1
    # Overlapping times, and nonsense, are refused in plain words.
    again = submit(
        client,
        "/admin/appointments/availability?hub=riverside",
        {**WINDOW, "start_time": "15:00", "end_time": "17:00"},
    )
    assert "overlap another window" in again.get_data(as_text=True)
    wrong = submit(
        client,
        "/admin/appointments/availability?hub=riverside",
        {**WINDOW, "start_time": "25:00", "end_time": "09:00", "valid_from": ["31", "2", "2027"]},
    )
    text = wrong.get_data(as_text=True)
    assert "From must be a time like 10:00" in text and "must be a real date" in text
    backwards = submit(
        client,
        "/admin/appointments/availability?hub=riverside",
        {**WINDOW, "weekday": "5", "start_time": "16:00", "end_time": "09:00"},
    )
    assert "The end must be after the start" in backwards.get_data(as_text=True)
    assert len(_windows(app, SAM)) == before + 1
    # And removes one.
    with app.app_context():
        window = db.session.scalar(
            select(Availability.id).where(
                Availability.staff_id == _staff_id(app, SAM), Availability.weekday == 1
            )
        )
    removed = submit(
        client,
        "/admin/appointments/availability?hub=riverside",
        {},
        action=f"/admin/appointments/availability/{window}/delete",
    )
    assert removed.status_code == 302
    assert len(_windows(app, SAM)) == before


def test_a_practitioner_cannot_change_a_colleagues_times(app, signed_in):
    client = signed_in(SAM)
    grace = _staff_id(app, GRACE)
    assert (
        client.get(f"/admin/appointments/availability?hub=riverside&staff={grace}").status_code
        == 403
    )
    assert client.get(f"/admin/appointments/leave?staff={grace}").status_code == 403
    with app.app_context():
        window = db.session.scalar(select(Availability.id).where(Availability.staff_id == grace))
    token = csrf_from(client.get("/admin/appointments/availability").get_data(as_text=True))
    posted = client.post(
        f"/admin/appointments/availability/{window}/delete", data={"csrf_token": token}
    )
    assert posted.status_code == 403
    add = client.post(
        f"/admin/appointments/availability?hub=riverside&staff={grace}",
        data={**WINDOW, "csrf_token": token},
    )
    assert add.status_code == 403
    with app.app_context():
        assert db.session.get(Availability, window) is not None
    # Nor another hub's, where they do not work.
    assert client.get("/admin/appointments/availability?hub=northgate").status_code == 403


def test_a_manager_sets_a_practitioners_times_and_leave(app, signed_in):
    client = signed_in("manager@riverside.example")
    sam = _staff_id(app, SAM)
    page = client.get(f"/admin/appointments/availability?hub=riverside&staff={sam}")
    assert page.status_code == 200 and "Sam Kowalski: weekly times" in page.get_data(as_text=True)
    url = f"/admin/appointments/availability?hub=riverside&staff={sam}"
    assert submit(client, url, WINDOW).status_code == 302
    assert (1, time(14), time(16, 30)) in _windows(app, SAM)
    leave = submit(
        client,
        f"/admin/appointments/leave?staff={sam}",
        {
            "starts_on": ["1", "3", "2027"],
            "start_time": "",
            "ends_on": ["5", "3", "2027"],
            "end_time": "",
            "reason": "Annual leave",
        },
    )
    assert leave.status_code == 302
    with app.app_context():
        away = db.session.scalar(select(AvailabilityException).filter_by(reason="Annual leave"))
        assert away.staff_id == sam
        assert away.starts_at == utc(date(2027, 3, 1), 0)
        assert away.ends_at == utc(date(2027, 3, 6), 0)  # to the end of the last day
    # A manager at another hub is not Sam's manager.
    other = client.application.test_client()
    sign_in(other, "manager@northgate.example")
    assert other.get(f"/admin/appointments/leave?staff={sam}").status_code == 403
    assert (
        other.get(f"/admin/appointments/availability?hub=riverside&staff={sam}").status_code == 403
    )


def test_a_practitioner_records_and_removes_their_own_leave(app, signed_in):
    client = signed_in(SAM)
    response = submit(
        client,
        "/admin/appointments/leave",
        {
            "starts_on": ["10", "3", "2027"],
            "start_time": "13:00",
            "ends_on": ["10", "3", "2027"],
            "end_time": "17:00",
            "reason": "Training",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        away = db.session.scalar(
            select(AvailabilityException).where(
                AvailabilityException.starts_at == utc(date(2027, 3, 10), 13)
            )
        )
        assert away.ends_at == utc(date(2027, 3, 10), 17)
    backwards = submit(
        client,
        "/admin/appointments/leave",
        {
            "starts_on": ["10", "3", "2027"],
            "start_time": "13:00",
            "ends_on": ["9", "3", "2027"],
            "end_time": "",
            "reason": "",
        },
    )
    assert "The end must be after the start" in backwards.get_data(as_text=True)
    missing = submit(client, "/admin/appointments/leave", {"reason": "x"})
    assert "Enter the first day away" in missing.get_data(as_text=True)
    removed = submit(
        client,
        "/admin/appointments/leave",
        {},
        action=f"/admin/appointments/leave/{away.id}/delete",
    )
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(AvailabilityException, away.id) is None


def test_only_managers_set_up_appointment_types(app, signed_in, client):
    signed_in("reception@riverside.example")
    assert client.get("/admin/appointments/types?hub=riverside").status_code == 403
    assert client.get("/admin/appointments/types/new").status_code == 403
    client.post(
        "/admin/sign-out",
        data={"csrf_token": csrf_from(client.get("/admin/sign-in").get_data(as_text=True))},
    )
    signed_in(SAM)
    assert client.get("/admin/appointments/types").status_code == 403
    with app.app_context():
        kind = db.session.scalar(select(AppointmentType.id))
    assert client.get(f"/admin/appointments/types/{kind}").status_code == 403


def test_a_manager_adds_and_changes_an_appointment_type(app, signed_in):
    client = signed_in("manager@riverside.example")
    listing = client.get("/admin/appointments/types?hub=riverside").get_data(as_text=True)
    assert "Money advice" in listing and "Health visitor review" in listing
    sam, grace = _staff_id(app, SAM), _staff_id(app, GRACE)
    url = "/admin/appointments/types/new?hub=riverside"
    form = {
        "name": "Speech and language",
        "description": "Talk to a therapist",
        "duration_minutes": "3",
        "buffer_minutes": "200",
        "min_notice_minutes": "60",
        "max_days_ahead": "0",
        "practitioner_ids": [str(sam)],
        "active": "y",
    }
    refused = submit(client, url, form).get_data(as_text=True)
    for words in (
        "Length must be between 5 and 480",
        "Time kept free afterwards must be between 0 and 120",
        "Furthest ahead must be between 1 and 365",
    ):
        assert words in refused
    taken = submit(
        client,
        url,
        {
            **form,
            "name": "Money advice",
            "duration_minutes": "40",
            "buffer_minutes": "5",
            "max_days_ahead": "14",
        },
    )
    assert "already has an appointment type with that name" in taken.get_data(as_text=True)
    made = submit(
        client,
        url,
        {**form, "duration_minutes": "40", "buffer_minutes": "5", "max_days_ahead": "14"},
    )
    assert made.status_code == 302
    with app.app_context():
        kind = db.session.scalar(select(AppointmentType).filter_by(name="Speech and language"))
        assert (kind.duration_minutes, kind.buffer_minutes, kind.max_days_ahead) == (40, 5, 14)
        assert [p.id for p in kind.practitioners] == [sam]
        kind_id = kind.id
    edit = f"/admin/appointments/types/{kind_id}"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Speech and language"' in page
    changed = submit(
        client,
        edit,
        {
            **form,
            "duration_minutes": "50",
            "buffer_minutes": "0",
            "max_days_ahead": "21",
            "practitioner_ids": [str(sam), str(grace)],
        },
    )
    assert changed.status_code == 302
    with app.app_context():
        kind = db.session.get(AppointmentType, kind_id)
        assert kind.duration_minutes == 50 and kind.active
        assert {p.id for p in kind.practitioners} == {sam, grace}
    # Someone who is not a practitioner here cannot be chosen.
    outsider = _staff_id(app, "lead@northgate.example")
    wrong = submit(
        client,
        edit,
        {
            **form,
            "duration_minutes": "50",
            "buffer_minutes": "0",
            "max_days_ahead": "21",
            "practitioner_ids": [str(outsider)],
        },
    )
    assert wrong.status_code == 200
    assert "Choose practitioners who work at this hub" in wrong.get_data(as_text=True)
    # Northgate's manager cannot touch Riverside's types.
    other = client.application.test_client()
    sign_in(other, "manager@northgate.example")
    assert other.get(edit).status_code == 403
    assert other.get("/admin/appointments/types?hub=riverside").status_code == 403


def test_a_practitioner_sees_their_appointments_with_first_name_and_initial(app, signed_in):
    with app.app_context():
        sam = _staff_id(app, SAM)
        kind = db.session.scalar(select(AppointmentType).filter_by(name="Money advice"))
        now = clock.now()
        slots = free_slots(kind.id, day_from=now.date(), days=28, now=now, practitioner_id=sam)
        slot = next(s for day in slots.values() for s in day)
        book_appointment(
            kind.id,
            sam,
            slot.starts_at,
            Party(1, ("1-3",)),
            Contact(
                "Amira",
                last_name="Khan",
                email="amira@example.com",
                access_needs="Step-free access",
            ),
            now=now,
        )
        db.session.commit()
    client = signed_in(SAM)
    page = client.get("/admin/appointments/mine")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Amira K." in text and "Khan" not in text
    assert "Money advice" in text and "Step-free access" in text
    # Grace has none.
    grace = client.application.test_client()
    sign_in(grace, GRACE)
    assert "No appointments booked with you" in grace.get("/admin/appointments/mine").get_data(
        as_text=True
    )


def test_the_appointments_home_links_to_what_each_person_can_do(app, signed_in):
    client = signed_in("manager@riverside.example")
    text = client.get("/admin/appointments/").get_data(as_text=True)
    assert "Appointment types at Riverside Family Hub" in text
    assert "Sam Kowalski" in text and "Grace Okafor" in text


def test_the_demo_has_appointments_to_book(app, demo, client):
    with app.app_context():
        kinds = db.session.scalars(select(AppointmentType).order_by(AppointmentType.name)).all()
        assert [k.name for k in kinds] == [
            "Health visitor review",
            "Infant feeding support",
            "Money advice",
        ]
        assert {p.email for p in kinds[0].practitioners} == {SAM, GRACE}
        now = clock.now()
        found = free_slots(kinds[2].id, day_from=now.date(), days=14, now=now)
        assert sum(len(v) for v in found.values()) > 10
        assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
    assert client.get("/book/riverside/appointments").status_code == 200


def test_appointments_count_towards_the_bookings_one_address_may_make(
    app, client, practice, one_booking_an_hour
):
    first = _book_url(practice)
    assert client.post(first, data={**FAMILY, **_form(client, first)}).status_code == 302
    second = _book_url(practice, who=practice.staff[1])
    refused = client.post(
        second,
        data={**FAMILY, **_form(client, second), "email": "bea@example.com"},
        headers={"Accept-Language": "pl"},
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    page = refused.get_data(as_text=True)
    assert "Za dużo rezerwacji" in page and "spróbuj ponownie za 60 min." in page
    assert _bookings(app) == 1
