"""Checking in and asking for help, called directly: no HTTP, a real database."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from arrivals.checkin import (
    CheckIn,
    check_in_booking,
    check_in_drop_in,
    drop_ins_now,
    find_todays_bookings,
)
from arrivals.help_requests import request_help
from booking.contact import Contact, Party
from booking.services import book_session
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import ArrivalAction, Booking, HelpRequest, Role, Session, Visit
from frontdoor.staff import create_staff
from tests.booking_fixtures import NOW, make_session

pytestmark = pytest.mark.usefixtures("app_context")


def booked(session_id: int, name: str = "Amira", last: str = "Hassan") -> Booking:
    result = book_session(
        session_id, Party(1, ("0-1",)), Contact(name, last_name=last), now=NOW, source="staff"
    )
    db.session.commit()
    return result.booking


def at_start(session_id: int, minutes: int = 0):
    return db.session.get(Session, session_id).starts_at + timedelta(minutes=minutes)


def code_of(call) -> str:
    with pytest.raises(ServiceError) as raised:
        call()
    db.session.rollback()
    return raised.value.code


def test_check_in_records_one_visit_and_says_who_greets():
    session_id = make_session()
    booking = booked(session_id)
    hub_id = db.session.get(Session, session_id).hub_id
    result = check_in_booking(
        booking.id,
        hub_id=hub_id,
        adults=1,
        child_bands=("1-3",),
        now=at_start(session_id, -10),
        nonce="n1",
    )
    db.session.commit()
    assert result.created and result.visit.display_name == "Amira H."
    assert result.wait_in == "Hall"
    assert db.session.get(Booking, booking.id).checked_in_at is not None
    again = check_in_booking(
        booking.id,
        hub_id=hub_id,
        adults=1,
        child_bands=("1-3",),
        now=at_start(session_id, -9),
        nonce="n1",
    )
    assert again.created is False and again.visit.id == result.visit.id
    assert (
        code_of(
            lambda: check_in_booking(
                booking.id,
                hub_id=hub_id,
                adults=1,
                child_bands=(),
                now=at_start(session_id, -8),
                nonce="n2",
            )
        )
        == "already_checked_in"
    )
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


@pytest.mark.parametrize(
    ("minutes", "code"), [(-61, "too_early"), (60, "session_over"), (-60 * 24, "not_today")]
)
def test_check_in_outside_its_window_is_refused_kindly(minutes, code):
    session_id = make_session()
    booking = booked(session_id)
    hub_id = db.session.get(Session, session_id).hub_id
    assert (
        code_of(
            lambda: check_in_booking(
                booking.id,
                hub_id=hub_id,
                adults=1,
                child_bands=(),
                now=at_start(session_id, minutes),
            )
        )
        == code
    )


def test_other_hub_cancelled_and_waiting_bookings_are_refused():
    session_id = make_session(capacity=1)
    other_hub = make_session()
    booking = booked(session_id)
    waiting = book_session(
        session_id, Party(1), Contact("Ola", email="o@example.com"), now=NOW, join_waiting_list=True
    ).booking
    db.session.commit()
    hub_id = db.session.get(Session, session_id).hub_id
    other_hub_id = db.session.get(Session, other_hub).hub_id
    when = at_start(session_id, -5)
    assert (
        code_of(
            lambda: check_in_booking(
                booking.id, hub_id=other_hub_id, adults=1, child_bands=(), now=when
            )
        )
        == "other_hub"
    )
    assert (
        code_of(
            lambda: check_in_booking(waiting.id, hub_id=hub_id, adults=1, child_bands=(), now=when)
        )
        == "waiting_list"
    )
    db.session.get(Booking, booking.id).status = "cancelled"
    db.session.commit()
    assert (
        code_of(
            lambda: check_in_booking(booking.id, hub_id=hub_id, adults=1, child_bands=(), now=when)
        )
        == "cancelled"
    )


def test_two_kiosks_checking_in_the_same_booking_make_one_visit(app: Flask):
    session_id = make_session()
    booking_id = booked(session_id).id
    hub_id = db.session.get(Session, session_id).hub_id
    when = at_start(session_id, -5)
    db.session.remove()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def kiosk(n: int) -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            try:
                check_in_booking(
                    booking_id,
                    hub_id=hub_id,
                    adults=1,
                    child_bands=(),
                    now=when,
                    nonce=f"kiosk-{n}",
                )
                db.session.commit()
                outcomes.append("checked_in")
            except ServiceError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["already_checked_in", "checked_in"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def _is_lock_on(table: str, statement: str) -> bool:
    """The row lock's statement: PostgreSQL's SELECT ... FOR UPDATE, SQLite's UPDATE."""
    return bool(
        re.match(rf"UPDATE {table} SET id=", statement)
        or re.search(rf"\bFROM {table}\b.*\bFOR (NO KEY )?UPDATE", statement, re.S)
    )


def _second_tap_while_the_first_holds_the_lock(app: Flask, first, second, table: str):
    """The first tap has taken the row lock and recorded its visit, not yet
    committed; the second tap (same screen, same nonce) starts in another thread.
    Once the second tap is about to take the lock, the first commits. Returns the
    first's answer and the second's (or what it raised)."""
    made = first()
    answers: list[object] = []
    at_the_lock = threading.Event()
    tapping = threading.Thread(target=lambda: None)  # replaced below

    def heard(_conn, _cursor, statement, *_args) -> None:
        if threading.get_ident() == tapping.ident and _is_lock_on(table, statement):
            at_the_lock.set()

    def tap() -> None:
        with app.app_context():
            try:
                answers.append(second())
                db.session.commit()
            except Exception as error:  # what the family's second tap would meet
                db.session.rollback()
                answers.append(error)
            finally:
                db.session.remove()

    event.listen(db.engine, "before_cursor_execute", heard)
    try:
        tapping = threading.Thread(target=tap)
        tapping.start()
        assert at_the_lock.wait(30), answers  # the second tap reached the lock
        db.session.commit()  # the first tap's answer is in
        tapping.join(60)
    finally:
        event.remove(db.engine, "before_cursor_execute", heard)
    return made, answers[0]


def test_a_double_tap_at_check_in_gets_the_first_taps_visit_through_its_nonce(app: Flask):
    session_id = make_session()
    booking_id = booked(session_id).id
    hub_id = db.session.get(Session, session_id).hub_id
    when = at_start(session_id, -5)

    def tap():
        return check_in_booking(
            booking_id, hub_id=hub_id, adults=1, child_bands=(), now=when, nonce="k1.screen"
        )

    first, second = _second_tap_while_the_first_holds_the_lock(app, tap, tap, "booking")
    assert isinstance(second, CheckIn), second  # not "You are already checked in"
    assert second.created is False and second.visit_id == first.visit_id
    assert second.wait_in == first.wait_in == "Hall"
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_a_double_tap_at_a_drop_in_gets_the_first_taps_visit_through_its_nonce(app: Flask):
    session_id = make_session(mode="drop_in")
    hub_id = db.session.get(Session, session_id).hub_id
    when = at_start(session_id)

    def tap():
        return check_in_drop_in(
            session_id,
            hub_id=hub_id,
            first_name="Kai",
            adults=1,
            child_bands=("1-3",),
            now=when,
            nonce="k1.screen",
        )

    first, second = _second_tap_while_the_first_holds_the_lock(app, tap, tap, "session")
    assert isinstance(second, CheckIn), second  # not a clash on the nonce
    assert second.created is False and second.visit_id == first.visit_id
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_a_desk_double_submit_at_a_drop_in_makes_one_visit_with_one_undo(app: Flask):
    from arrivals.actions import check_in_by_hand

    session_id = make_session(mode="drop_in")
    session = db.session.get(Session, session_id)
    desk = create_staff(
        organisation_id=session.hub.organisation_id,
        email="desk@test.example",
        name="Tom Reid",
        password="a-long-password",
        roles=[(session.hub_id, Role.RECEPTION)],
    )
    db.session.commit()
    hub_id, desk_id, when = session.hub_id, desk.id, at_start(session_id)

    def submit():
        return check_in_by_hand(
            hub_id,
            staff_id=desk_id,
            first_name="Ola",
            last_name="Nowak",
            adults=1,
            child_bands=(),
            now=when,
            session_id=session_id,
            nonce="desk:form",
        )

    first, second = _second_tap_while_the_first_holds_the_lock(app, submit, submit, "session")
    assert not isinstance(second, Exception), second
    assert second.created is False and second.action_id == first.action_id
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert db.session.scalar(select(func.count()).select_from(ArrivalAction)) == 1


def test_find_me_matches_only_todays_bookings_here_and_shows_little():
    session_id = make_session()
    booked(session_id, "Amira", "Hassan")
    booked(session_id, "Ben", "Jones")
    clock.freeze(at_start(session_id, -20))
    hub_id = db.session.get(Session, session_id).hub_id
    found = find_todays_bookings(hub_id, " amira ", now=clock.now())
    assert [(f.name, f.title) for f in found] == [("Amira H.", "Baby Massage")]
    assert (found[0].people, found[0].booked_at) == (None, None)  # only to tell twins apart
    assert find_todays_bookings(hub_id, "Zed", now=clock.now()) == []
    # Tomorrow's bookings are not offered today.
    assert find_todays_bookings(hub_id, "amira", now=at_start(session_id, -60 * 24)) == []


def test_drop_in_check_in_counts_places_and_offers_next_times_when_full():
    session_id = make_session(capacity=2, mode="drop_in")
    hub_id = db.session.get(Session, session_id).hub_id
    when = at_start(session_id, 5)
    assert [s.id for s in drop_ins_now(hub_id, when)] == [session_id]
    for n in range(2):
        check_in_drop_in(
            session_id,
            hub_id=hub_id,
            first_name=f"P{n}",
            adults=1,
            child_bands=("1-3",),
            now=when,
            first_time=True,
            nonce=f"d{n}",
        )
    db.session.commit()
    with pytest.raises(ServiceError) as raised:
        check_in_drop_in(
            session_id, hub_id=hub_id, first_name="Late", adults=1, child_bands=(), now=when
        )
    assert raised.value.code == "full"
    assert raised.value.details["next_times"]
    assert all(s.starts_at > when for s in raised.value.details["next_times"])


@pytest.mark.parametrize(("adults", "children"), [(0, 0), (-1, 2), (21, 0)])
def test_drop_in_party_out_of_range_is_refused(adults, children):
    session_id = make_session(mode="drop_in")
    hub_id = db.session.get(Session, session_id).hub_id
    assert (
        code_of(
            lambda: check_in_drop_in(
                session_id,
                hub_id=hub_id,
                first_name="A",
                adults=adults,
                child_bands=("1-3",) * children,
                now=at_start(session_id),
            )
        )
        == "party_size"
    )


def test_help_request_double_tap_makes_one_request():
    session_id = make_session()
    hub_id = db.session.get(Session, session_id).hub_id
    first = request_help(hub_id, topic="money", now=NOW, urgent=True, nonce="h1")
    second = request_help(hub_id, topic="money", now=NOW, urgent=True, nonce="h1")
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 1
    assert code_of(lambda: request_help(hub_id, topic="<b>", now=NOW)) == "unknown_topic"
