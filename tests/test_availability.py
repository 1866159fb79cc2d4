"""Can this session be booked, or dropped in to, now, and how many places are left?

The one rule (``booking/availability.py``), the services that book and check in
under it, and what families and staff see of it: the booking site, the kiosk and
the register. Next week's session is Tuesday 1 December 2026, 10:00 to 11:00
(UTC is London time in winter).
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from flask import Flask
from sqlalchemy import event, select

from arrivals.actions import act, check_in_by_hand
from arrivals.checkin import check_in_booking, check_in_drop_in
from booking.availability import State, Taken, availability
from booking.contact import Contact, Party
from booking.services import book_session, cancel_booking
from booking.session_changes import cancel_session
from booking.whats_on import whats_on
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Booking,
    BookingSource,
    Role,
    Session,
    SessionSeries,
    Visit,
)
from frontdoor.staff import create_staff
from frontdoor.timetable import SeriesInput, save_series
from tests.booking_fixtures import NOW, SESSION_DAY, make_session
from tests.conftest import sign_in
from tests.test_kiosk import Screen, pair_screen

WEEK = "2026-11-30"  # the booking site's week holding SESSION_DAY


def session(session_id: int) -> Session:
    return db.session.get(Session, session_id)


def book(session_id: int, n: int, party: Party | None = None, **kwargs) -> Booking:
    contact = Contact(f"Parent{n}", email=f"parent{n}@example.com")
    booking = book_session(session_id, party or Party(1), contact, now=NOW, **kwargs).booking
    db.session.commit()
    return booking


def walk_in(
    session_id: int, n: int, adults: int = 1, children: int = 0, minutes: int = -10, name=""
) -> Visit:
    """A family drops in at the kiosk ``minutes`` from the start."""
    found = session(session_id)
    visit = check_in_drop_in(
        session_id,
        hub_id=found.hub_id,
        first_name=name or f"Walker{n}",
        adults=adults,
        child_bands=("1-3",) * children,
        now=found.starts_at + timedelta(minutes=minutes),
    ).visit
    db.session.commit()
    return visit


def refused(call) -> str:
    with pytest.raises(ServiceError) as raised:
        call()
    db.session.rollback()
    return raised.value.code


def staff_member(session_id: int, role: Role = Role.SESSION_LEAD) -> int:
    hub = session(session_id).hub
    person = create_staff(
        organisation_id=hub.organisation_id,
        email=f"{role}@{hub.slug}.example",
        name="Grace Okafor",
        password="a-long-password",
        roles=[(hub.id, role)],
    )
    db.session.commit()
    return person.id


# --- the states a family is told ------------------------------------------------------


@pytest.mark.parametrize(
    ("after_start", "state", "code"),
    [
        (timedelta(days=-15), State.NOT_OPEN, "not_open"),
        (timedelta(days=-7), State.OPEN, None),
        (timedelta(minutes=-30), State.CLOSED, "closed"),
        (timedelta(minutes=1), State.STARTED, "too_late"),
        (timedelta(hours=1), State.FINISHED, "too_late"),
    ],
)
def test_online_booking_opens_two_weeks_ahead_and_closes_an_hour_before(
    app_context, after_start, state, code
):
    found = session(make_session())
    available = availability(found, found.starts_at + after_start, Taken())
    assert available.state == state
    refusal = available.booking_refusal()
    assert (refusal.code if refusal else None) == code


@pytest.mark.parametrize("source", [BookingSource.KIOSK, BookingSource.STAFF])
def test_the_kiosk_and_staff_can_book_outside_the_online_window_until_the_start(
    app_context, source
):
    found = session(make_session())
    for before in (timedelta(days=15), timedelta(minutes=30)):
        assert availability(found, found.starts_at - before, Taken(), source=source).state == (
            State.OPEN
        )
    started = availability(found, found.starts_at, Taken(), source=source)
    assert started.state == State.STARTED


def test_a_session_with_no_places_left_is_full_and_offers_the_waiting_list(app_context):
    found = session(make_session(capacity=2))
    assert availability(found, NOW, Taken(booked=1)).state == State.OPEN
    full = availability(found, NOW, Taken(booked=2))
    assert full.state == State.FULL and full.bookable and full.booking_refusal() is None
    assert full.places_to_book == 0


def test_a_cancelled_session_turns_away_bookings_and_walk_ins(app_context):
    session_id = make_session(capacity=4, mode="both", drop_in_places=1)
    cancel_session(session(session_id), "Room flooded", now=NOW)
    db.session.commit()
    found = session(session_id)
    at_start = availability(found, found.starts_at, Taken())
    assert (at_start.state, at_start.drop_in) == (State.CANCELLED, State.CANCELLED)
    assert at_start.booking_refusal().code == "cancelled_session"
    assert at_start.drop_in_refusal().code == "session_cancelled"


def test_a_drop_in_session_needs_no_booking(app_context):
    found = session(make_session(mode="drop_in"))
    available = availability(found, NOW, Taken())
    assert available.state == State.DROP_IN and not available.bookable
    assert available.booking_refusal().code == "drop_in_only"


@pytest.mark.parametrize(
    ("after_start", "drop_in", "code"),
    [
        (timedelta(minutes=-31), State.NOT_OPEN, "too_early"),
        (timedelta(minutes=-30), State.OPEN, None),
        (timedelta(minutes=59), State.OPEN, None),
        (timedelta(minutes=60), State.FINISHED, "session_over"),
    ],
)
def test_families_drop_in_from_half_an_hour_before_until_the_end(
    app_context, after_start, drop_in, code
):
    found = session(make_session(mode="drop_in"))
    available = availability(found, found.starts_at + after_start, Taken())
    assert available.drop_in == drop_in
    refusal = available.drop_in_refusal()
    assert (refusal.code if refusal else None) == code


def test_a_session_only_for_booking_turns_walk_ins_away(app_context):
    found = session(make_session())
    available = availability(found, found.starts_at, Taken())
    assert available.drop_in is None and available.drop_in_refusal().code == "not_drop_in"


def test_a_drop_in_with_every_place_taken_is_full(app_context):
    found = session(make_session(capacity=2, mode="drop_in"))
    assert availability(found, found.starts_at, Taken(dropped_in=2)).drop_in == State.FULL


# --- places in a session open to both booking and drop-in -----------------------------


def test_walk_ins_cannot_take_places_families_booked(app_context):
    # 4 places, 1 held for drop-in: three families book the other three.
    session_id = make_session(capacity=4, mode="both", drop_in_places=1)
    for n in range(3):
        book(session_id, n)
    walk_in(session_id, 1)
    assert refused(lambda: walk_in(session_id, 2)) == "full"
    assert availability(session(session_id), NOW).places_to_drop_in == 0


def test_families_cannot_book_the_places_held_for_walk_ins(app_context):
    session_id = make_session(capacity=3, mode="both", drop_in_places=2)
    book(session_id, 1)
    assert refused(lambda: book(session_id, 2)) == "full"
    walk_in(session_id, 1)
    walk_in(session_id, 2)  # both held places are still there for walk-ins


def test_walk_ins_may_use_places_nobody_booked_and_then_the_hub_cannot_book_them(app_context):
    session_id = make_session(capacity=4, mode="both", drop_in_places=1)
    book(session_id, 1)
    for n in range(3):  # the held place and two nobody booked
        walk_in(session_id, n)
    found = session(session_id)
    just_before = found.starts_at - timedelta(minutes=5)
    assert availability(found, just_before, source=BookingSource.STAFF).state == State.FULL
    late = Contact("Late")
    staff = BookingSource.STAFF
    assert refused(
        lambda: book_session(session_id, Party(1), late, now=just_before, source=staff)
    ) == ("full")


def test_a_drop_in_marked_not_here_frees_their_place(app_context):
    session_id = make_session(capacity=1, mode="drop_in")
    staff_id = staff_member(session_id)
    first = walk_in(session_id, 1)
    assert refused(lambda: walk_in(session_id, 2)) == "full"
    act("visit", first.id, "no_show", staff_id=staff_id, now=first.arrived_at)
    db.session.commit()
    walk_in(session_id, 2)


def test_walk_ins_reception_checks_in_to_a_drop_in_take_places_too(app_context):
    session_id = make_session(capacity=2, mode="drop_in")
    staff_id = staff_member(session_id, Role.RECEPTION)
    found = session(session_id)
    check_in_by_hand(
        found.hub_id,
        staff_id=staff_id,
        first_name="Ben",
        adults=1,
        child_bands=(),
        now=found.starts_at,
        session_id=session_id,
    )
    db.session.commit()
    walk_in(session_id, 1)
    assert refused(lambda: walk_in(session_id, 2)) == "full"


# --- the places families see ignore cancelled and waiting bookings ------------------------


def places_left_two_with_one_cancelled_and_one_waiting(app: Flask) -> tuple[str, int]:
    """4 places (people): a party of 2 booked, a party of 2 booked then cancelled,
    and a party of 3 waiting (too many for the 2 places left)."""
    with app.app_context():
        session_id = make_session(capacity=4, unit="people")
        book(session_id, 1, Party(2))
        cancelled = book(session_id, 2, Party(2))
        assert book(session_id, 3, Party(3), join_waiting_list=True).status == "waiting"
        cancel_booking(db.session.get(Booking, cancelled.id), now=NOW)
        db.session.commit()
        slug = session(session_id).hub.slug
        db.session.remove()
    return slug, session_id


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_booking_site_counts_only_confirmed_places(app, client):
    hub, session_id = places_left_two_with_one_cancelled_and_one_waiting(app)
    assert "Places left 2" in words(client.get(f"/book/{hub}/sessions/{session_id}"))
    listing = words(client.get(f"/book/{hub}/?week={WEEK}"))
    assert "Baby Massage 10:00 to 11:00, Hall Booking needed 2 places left" in listing


def test_the_kiosk_counts_only_confirmed_places(app, client):
    _, session_id = places_left_two_with_one_cancelled_and_one_waiting(app)
    with app.app_context():
        hub_id = session(session_id).hub_id
    pair_screen(app, client, hub_id)
    screen = Screen(client)
    screen.start("whats_on")
    assert "10:00 Baby Massage Book a place" in screen.text
    screen.open(f"/kiosk/whats-on/{session_id}")
    assert "2 places left." in screen.text


def test_the_whats_on_list_asks_the_database_the_same_few_times_however_many_sessions(
    app_context,
):
    def questions_for(hub_id: int) -> int:
        asked: list[str] = []
        catch = lambda *args: asked.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", catch)
        try:
            on = whats_on(hub_id, now=NOW, first_day=SESSION_DAY, days=1)
        finally:
            event.remove(db.engine, "before_cursor_execute", catch)
        assert on.available.keys() == {s.id for s in on.sessions}
        return len(asked)

    one = session(make_session(mode="both", drop_in_places=1)).hub_id
    many = session(make_session(mode="both", drop_in_places=1)).hub_id
    for n in range(9):
        another_series(many, f"Class {n}", mode="both")
    db.session.commit()
    assert questions_for(many) == questions_for(one)


def another_series(hub_id: int, title: str, mode: str) -> None:
    """A second weekly series at the hub, on the same day as ``make_session``'s."""
    save_series(
        SessionSeries(),
        SeriesInput(
            hub_id=hub_id,
            title=title,
            weekdays=[SESSION_DAY.weekday()],
            start_date=NOW.date(),
            start_time=time(10),
            end_time=time(11),
            capacity=5,
            booking_mode=mode,
            drop_in_places=1 if mode == "both" else 0,
        ),
        today=NOW.date(),
    )


def test_staff_moving_a_booking_are_offered_only_sessions_they_can_book(app, client):
    with app.app_context():
        session_id = make_session(capacity=3)
        staff_member(session_id, Role.RECEPTION)
        amira = book(session_id, 1).id
        found = session(session_id)
        later = db.session.scalars(
            select(Session.id)
            .where(Session.series_id == found.series_id, Session.starts_at > found.starts_at)
            .order_by(Session.starts_at)
        ).all()
        book(later[0], 2, source=BookingSource.STAFF)
        cancel_session(session(later[1]), "Room flooded", now=NOW)
        another_series(found.hub_id, "Stay and Play", mode="drop_in")
        db.session.commit()
        slug = found.hub.slug
    sign_in(client, f"reception@{slug}.example", "a-long-password")

    response = client.get(f"/admin/bookings/{amira}/move")
    form = response.get_data(as_text=True)

    assert "Baby Massage, Tuesday 8 December 2026, 10:00, Hall (2 places left)" in words(response)
    assert f'value="{later[0]}"' in form and f'value="{later[2]}"' in form
    assert f'value="{later[1]}"' not in form  # cancelled
    assert "Stay and Play" not in form  # drop-in only


# --- the register lists everyone who came ----------------------------------------------


def test_a_drop_in_register_lists_the_families_who_came_with_their_times(app, client):
    with app.app_context():
        session_id = make_session(capacity=20, mode="drop_in")
        lead = staff_member(session_id)
        found = session(session_id)
        start = found.starts_at
        walk_in(session_id, 1, adults=1, children=2, minutes=-5, name="Amira")
        ben = check_in_by_hand(
            found.hub_id, staff_id=lead, first_name="Ben", last_name="Jones", adults=1,
            child_bands=(), now=start + timedelta(minutes=5), session_id=session_id,
        ).visit  # fmt: skip
        cara = walk_in(session_id, 3, minutes=10)
        act("visit", cara.id, "no_show", staff_id=lead, now=start + timedelta(minutes=20))
        act("visit", ben.id, "done", staff_id=lead, now=start + timedelta(minutes=40))
        db.session.commit()
        slug = found.hub.slug
    clock.freeze(start + timedelta(minutes=45))  # signed in then: a sign-in idles out
    sign_in(client, f"session_lead@{slug}.example", "a-long-password")

    response = client.get(f"/admin/sessions/{session_id}/register")

    page = words(response)
    assert response.status_code == 200
    assert "Booked (" not in page
    assert "Dropped in 2 families, 4 people" in page
    assert "In the room now 1 family, 3 people" in page
    listed = page[page.index("Dropped in (2)") :]
    assert "Amira 1 adult, 2 children (2 aged 1 to 3) 09:55 Kiosk" in listed
    assert "Ben J. 1 adult 10:05, left 10:40 Reception" in listed
    assert "Walker3 Not here" in listed
    assert "Jones" not in response.get_data(as_text=True)
    with app.app_context():
        viewed = db.session.scalar(select(AuditEvent).filter_by(action="register.view"))
        assert (viewed.subject_type, viewed.subject_id) == ("session", session_id)


def test_a_register_open_to_both_shows_who_booked_who_dropped_in_and_when_they_came(app, client):
    with app.app_context():
        session_id = make_session(capacity=5, mode="both", drop_in_places=2)
        staff_member(session_id)
        booked = book(session_id, 1, Party(1, ("0-1",)))
        book(session_id, 2)
        found = session(session_id)
        check_in_booking(
            booked.id, hub_id=found.hub_id, adults=1, child_bands=("1-3",), now=found.starts_at
        )
        walk_in(session_id, 1, children=1)
        db.session.commit()
        slug, start = found.hub.slug, found.starts_at
    clock.freeze(start + timedelta(minutes=15))  # signed in then: a sign-in idles out
    sign_in(client, f"session_lead@{slug}.example", "a-long-password")

    page = words(client.get(f"/admin/sessions/{session_id}/register"))

    assert "Held for drop-in 2" in page
    assert "Places left to book 1 of 3" in page
    assert "Places left to drop in 2" in page
    assert "Booked 2 families, 3 people" in page and "Dropped in 1 family, 2 people" in page
    assert "In the room now 2 families, 4 people" in page
    assert re.search(
        r"Parent1 Here 1 adult, 1 child \(1 aged 0 to 1\) None given Online \S+ 10:00", page
    )
    assert re.search(r"Parent2 1 adult None given Online \S+ Not yet", page)
    assert (
        "Dropped in (1)" in page and "Walker1 1 adult, 1 child (1 aged 1 to 3) 09:50 Kiosk" in page
    )
    # Those who came, by the bands they checked in with (not the bands they booked).
    assert "Children who came 2 children (2 aged 1 to 3)" in page
