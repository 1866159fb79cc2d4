"""The booking rules, called directly: no HTTP, a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from booking.availability import availability
from booking.contact import Contact, Party
from booking.finding import find_booking
from booking.services import (
    book_session,
    cancel_booking,
    change_party,
    move_booking,
    waiting_position,
)
from booking.session_changes import cancel_session, set_capacity
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Booking, OutboxMessage, Session
from tests.booking_fixtures import NOW, make_session

pytestmark = pytest.mark.usefixtures("app_context")


def family(n: int, **extra) -> Contact:
    return Contact(first_name=f"Parent{n}", email=f"parent{n}@example.com", **extra)


ONE_WITH_BABY = Party(1, ("0-1",))


def book(session_id, n, party=ONE_WITH_BABY, **kwargs):
    result = book_session(session_id, party, family(n), now=NOW, **kwargs)
    db.session.commit()
    return result.booking


def code_of(call) -> str:
    with pytest.raises(ServiceError) as raised:
        call()
    db.session.rollback()
    return raised.value.code


def test_booking_takes_a_place_and_queues_a_confirmation():
    session_id = make_session(capacity=5)
    booking = book(session_id, 1)
    assert booking.status == "confirmed"
    assert len(booking.reference) == 8
    assert availability(db.session.get(Session, session_id), NOW).places_to_book == 4
    message = db.session.scalar(select(OutboxMessage).filter_by(booking_id=booking.id))
    assert (message.template, message.channel, message.recipient) == (
        "booked",
        "email",
        "parent1@example.com",
    )
    assert message.payload["reference"] == booking.reference
    assert message.payload["title"] == "Baby Massage"


def test_email_and_mobile_each_get_a_message():
    session_id = make_session()
    result = book_session(
        session_id, Party(1), Contact("Ana", email="a@example.com", mobile="07700 900123"), now=NOW
    )
    db.session.commit()
    channels = db.session.scalars(
        select(OutboxMessage.channel).filter_by(booking_id=result.booking.id)
    ).all()
    assert sorted(channels) == ["email", "sms"]
    assert result.booking.mobile == "+447700900123"


def test_full_session_says_full_then_offers_the_waiting_list_in_order():
    session_id = make_session(capacity=2)
    book(session_id, 1)
    book(session_id, 2)
    assert code_of(lambda: book_session(session_id, Party(1), family(3), now=NOW)) == "full"
    first = book(session_id, 3, join_waiting_list=True)
    second = book(session_id, 4, join_waiting_list=True)
    assert first.status == second.status == "waiting"
    assert (waiting_position(first), waiting_position(second)) == (1, 2)


def test_cancelling_promotes_the_first_family_waiting_and_tells_them():
    session_id = make_session(capacity=1)
    booked = book(session_id, 1)
    waiting = book(session_id, 2, join_waiting_list=True)
    promoted = cancel_booking(booked, now=NOW)
    db.session.commit()
    assert [b.id for b in promoted] == [waiting.id]
    assert db.session.get(Booking, waiting.id).status == "confirmed"
    templates = db.session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id))
    assert list(templates) == ["booked", "waiting", "cancelled", "promoted"]


def test_smaller_party_fills_a_gap_only_where_the_hub_allows_it():
    for fill_gaps, expected in ((True, ["waiting", "confirmed"]), (False, ["waiting", "waiting"])):
        session_id = make_session(
            capacity=3, unit="people", hub_settings={"waiting_list_fill_gaps": fill_gaps}
        )
        big = book(session_id, 1, Party(2, ("0-1",)))  # 3 people: full
        too_big = book(session_id, 2, Party(2, ("0-1",)), join_waiting_list=True)
        small = book(session_id, 3, Party(1), join_waiting_list=True)
        change_party(big, Party(1, ("0-1",)), now=NOW)  # frees 1 place
        db.session.commit()
        statuses = [db.session.get(Booking, b.id).status for b in (too_big, small)]
        assert statuses == expected


def test_promotion_stops_at_the_cut_off_before_the_start():
    session_id = make_session(capacity=1)
    booked = book(session_id, 1)
    waiting = book(session_id, 2, join_waiting_list=True)
    session = db.session.get(Session, session_id)
    late = session.starts_at - timedelta(minutes=119)
    cancel_booking(booked, now=late, by_staff=True, reason="Poorly")
    db.session.commit()
    assert db.session.get(Booking, waiting.id).status == "waiting"


def test_one_live_booking_per_contact_shows_the_first():
    session_id = make_session()
    first = book(session_id, 1)
    with pytest.raises(ServiceError) as raised:
        book_session(session_id, Party(1), Contact("Same", email="PARENT1@example.com"), now=NOW)
    assert raised.value.code == "duplicate"
    assert raised.value.details["booking"].reference == first.reference


def test_the_same_form_submitted_twice_makes_one_booking():
    session_id = make_session()
    first = book(session_id, 1, idempotency_key="form-nonce-1")
    again = book_session(
        session_id, Party(1, ("0-1",)), family(1), now=NOW, idempotency_key="form-nonce-1"
    )
    assert again.created is False and again.booking.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_booking_window_and_session_state():
    session_id = make_session()
    session = db.session.get(Session, session_id)
    assert (
        code_of(
            lambda: book_session(
                session_id, Party(1), family(1), now=session.starts_at - timedelta(days=15)
            )
        )
        == "not_open"
    )
    assert (
        code_of(
            lambda: book_session(
                session_id, Party(1), family(1), now=session.starts_at - timedelta(minutes=30)
            )
        )
        == "closed"
    )
    assert (
        code_of(
            lambda: book_session(
                session_id, Party(1), family(1), now=session.starts_at + timedelta(minutes=1)
            )
        )
        == "too_late"
    )
    # The kiosk and staff may book after the public window closes, until the start.
    ok = book_session(
        session_id,
        Party(1),
        family(1),
        source="staff",
        now=session.starts_at - timedelta(minutes=30),
    )
    assert ok.booking.status == "confirmed"
    db.session.rollback()
    assert code_of(lambda: book_session(999999, Party(1), family(1), now=NOW)) == "not_found"


def test_cancelled_and_drop_in_sessions_cannot_be_booked():
    session_id = make_session()
    cancel_session(db.session.get(Session, session_id), "Room flooded", now=NOW)
    db.session.commit()
    assert code_of(lambda: book_session(session_id, Party(1), family(1), now=NOW)) == (
        "cancelled_session"
    )
    drop_in = make_session(mode="drop_in")
    assert code_of(lambda: book_session(drop_in, Party(1), family(1), now=NOW)) == "drop_in_only"


@pytest.mark.parametrize(
    ("party", "code"),
    [
        (Party(0), "party_empty"),
        (Party(-1), "party_empty"),
        (Party(11), "party_too_large"),
        (Party(1, ("toddler",)), "child_age_band"),
    ],
)
def test_bad_parties_are_refused(party, code):
    session_id = make_session()
    assert code_of(lambda: book_session(session_id, party, family(1), now=NOW)) == code


@pytest.mark.parametrize(
    ("contact", "code"),
    [
        (Contact(""), "first_name_required"),
        (Contact("A" * 101), "name_too_long"),
        (Contact("Ann", email="not-an-email"), "invalid_email"),
        (Contact("Ann", mobile="0121 496 0000"), "invalid_mobile"),
        (Contact("Ann", reminders=True), "reminders_need_contact"),
    ],
)
def test_bad_contact_details_are_refused(contact, code):
    session_id = make_session()
    assert code_of(lambda: book_session(session_id, Party(1), contact, now=NOW)) == code


def test_names_are_stored_exactly_as_typed():
    session_id = make_session()
    name = "Zoë O'Brien-<b>نور</b> 👶"
    booking = book_session(session_id, Party(1), Contact(name, last_name="D'Arcy"), now=NOW).booking
    db.session.commit()
    assert db.session.get(Booking, booking.id).first_name == name
    assert booking.display_name == f"{name} D."


def test_places_held_for_drop_in_are_not_bookable():
    session_id = make_session(capacity=3, mode="both", drop_in_places=2)
    book(session_id, 1)
    assert code_of(lambda: book_session(session_id, Party(1), family(2), now=NOW)) == "full"


def test_capacity_in_people_counts_everyone():
    session_id = make_session(capacity=4, unit="people")
    book(session_id, 1, Party(2, ("0-1",)))
    assert code_of(lambda: book_session(session_id, Party(1, ("1-3",)), family(2), now=NOW)) == (
        "full"
    )
    book(session_id, 3, Party(1))
    assert availability(db.session.get(Session, session_id), NOW).places_to_book == 0


def test_party_bigger_than_the_session_is_told_so_not_put_on_the_list():
    session_id = make_session(capacity=3, unit="people")
    assert (
        code_of(
            lambda: book_session(
                session_id, Party(2, ("0-1", "1-3")), family(1), now=NOW, join_waiting_list=True
            )
        )
        == "party_too_large"
    )


def test_change_party_within_capacity_only():
    session_id = make_session(capacity=3, unit="people")
    booking = book(session_id, 1, Party(1))
    change_party(booking, Party(2, ("0-1",)), now=NOW)
    db.session.commit()
    assert booking.people == 3
    assert code_of(lambda: change_party(booking, Party(3, ("0-1",)), now=NOW)) == "full"


def test_raising_capacity_moves_the_waiting_list():
    session_id = make_session(capacity=1)
    book(session_id, 1)
    waiting = book(session_id, 2, join_waiting_list=True)
    set_capacity(db.session.get(Session, session_id), 2, now=NOW)
    db.session.commit()
    assert db.session.get(Booking, waiting.id).status == "confirmed"


def test_staff_move_a_booking_and_the_old_sessions_list_moves_up():
    session_id = make_session(capacity=1)
    other = db.session.scalar(
        select(Session.id).where(
            Session.series_id == db.session.get(Session, session_id).series_id,
            Session.id != session_id,
            Session.starts_at > NOW,
        )
    )
    booking = book(session_id, 1)
    waiting = book(session_id, 2, join_waiting_list=True)
    move_booking(booking, other, now=NOW)
    db.session.commit()
    assert db.session.get(Booking, booking.id).session_id == other
    assert db.session.get(Booking, waiting.id).status == "confirmed"
    assert db.session.scalar(select(func.count()).where(OutboxMessage.template == "moved")) == 1


def test_cancelling_a_session_tells_every_family():
    session_id = make_session(capacity=1)
    book(session_id, 1)
    book(session_id, 2, join_waiting_list=True)
    told = cancel_session(db.session.get(Session, session_id), "Staff illness", now=NOW)
    db.session.commit()
    assert told == 2
    reasons = db.session.scalars(
        select(OutboxMessage.payload).filter_by(template="session_cancelled")
    ).all()
    assert [r["reason"] for r in reasons] == ["Staff illness", "Staff illness"]


def test_public_cannot_cancel_after_check_in_or_the_cut_off():
    session_id = make_session()
    booking = book(session_id, 1)
    session = db.session.get(Session, session_id)
    assert (
        code_of(lambda: cancel_booking(booking, now=session.starts_at - timedelta(minutes=30)))
        == "too_late"
    )
    booking = db.session.get(Booking, booking.id)
    booking.checked_in_at = NOW
    db.session.commit()
    assert code_of(lambda: cancel_booking(booking, now=NOW)) == "checked_in"


def test_find_booking_needs_the_contact_it_was_made_with():
    session_id = make_session()
    booking = book_session(
        session_id, Party(1), Contact("Ann", email="ann@example.com", mobile="07700900123"), now=NOW
    ).booking
    db.session.commit()
    assert find_booking(booking.reference, "ANN@example.com").id == booking.id
    assert find_booking(booking.reference, "+44 7700 900123").id == booking.id
    assert find_booking(booking.reference, "other@example.com") is None
    assert find_booking("ZZZZZZZZ", "ann@example.com") is None
    assert find_booking(booking.reference, "") is None


@pytest.mark.parametrize(
    ("capacity", "code"),
    [(1, "capacity_below_bookings"), (0, "capacity_range"), (501, "capacity_range")],
)
def test_capacity_cannot_go_below_the_places_booked_or_over_500(capacity, code):
    session_id = make_session(capacity=5)
    book(session_id, 1)
    book(session_id, 2)
    assert (
        code_of(lambda: set_capacity(db.session.get(Session, session_id), capacity, now=NOW))
        == code
    )
    assert db.session.get(Session, session_id).capacity == 5
    set_capacity(db.session.get(Session, session_id), 2, now=NOW)
    assert db.session.get(Session, session_id).capacity == 2
