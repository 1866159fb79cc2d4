"""The appointment rules, called directly: no HTTP, a real database."""

from __future__ import annotations

import threading
import time as wall_clock
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

import booking.appointments as appointments
from booking import places
from booking.appointments import book_appointment, cancel_appointment, move_appointment
from booking.contact import Contact, Party
from booking.slots import free_slots
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AvailabilityException,
    Booking,
    OutboxMessage,
    Session,
    SessionSeries,
)
from frontdoor.timetable import SeriesInput, save_series
from tests.appointment_fixtures import (
    NOW,
    TOMORROW,
    add_window,
    make_hub,
    make_practice,
    make_type,
    utc,
)

pytestmark = pytest.mark.usefixtures("app_context")


def family(n: int = 1, **extra) -> Contact:
    return Contact(
        first_name=f"Parent{n}", last_name="Jones", email=f"parent{n}@example.com", **extra
    )


def book(practice, starts_at, n=1, *, practitioner=None, now=NOW, **kwargs) -> Booking:
    result = book_appointment(
        practice.type_id,
        practitioner or practice.staff[0],
        starts_at,
        Party(1, ("0-1",)),
        family(n),
        now=now,
        **kwargs,
    )
    db.session.commit()
    return result.booking


def code_of(call) -> str:
    with pytest.raises(ServiceError) as raised:
        call()
    db.session.rollback()
    return raised.value.code


def starts(practice, day=TOMORROW, *, now=NOW, days=1, **kwargs) -> list[datetime]:
    found = free_slots(practice.type_id, day_from=day, days=days, now=now, **kwargs)
    return [slot.starts_at for slots in found.values() for slot in slots]


def test_slots_are_cut_back_to_back_from_the_window_by_duration_plus_buffer():
    practice = make_practice()  # 09:00-12:00, 30 minutes and a 10 minute buffer
    found = free_slots(practice.type_id, day_from=TOMORROW, days=1, now=NOW)
    slots = found[TOMORROW]
    assert [s.starts_at for s in slots] == [
        utc(TOMORROW, 9),
        utc(TOMORROW, 9, 40),
        utc(TOMORROW, 10, 20),
        utc(TOMORROW, 11),
    ]
    # 11:40 would hold the practitioner until 12:20, after the window closes.
    assert slots[0].ends_at == utc(TOMORROW, 9, 30)
    assert slots[0].practitioner_id == practice.staff[0]
    assert slots[0].practitioner_first_name == "Pat1"
    assert slots[0].room_id is None
    assert all(s.starts_at.tzinfo is not None for s in slots)


def test_every_day_asked_for_is_a_key_and_only_window_weekdays_have_slots():
    practice = make_practice()  # Monday to Friday
    found = free_slots(practice.type_id, day_from=date(2026, 11, 27), days=4, now=NOW)
    assert list(found) == [
        date(2026, 11, 27),
        date(2026, 11, 28),
        date(2026, 11, 29),
        date(2026, 11, 30),
    ]
    assert [len(found[d]) for d in found] == [4, 0, 0, 4]  # Fri, Sat, Sun, Mon


def test_windows_are_used_only_between_their_valid_dates():
    practice = make_practice(window=(time(14), time(15)))
    add_window(
        practice.staff[0],
        practice.hub_id,
        weekdays=[1],
        start=time(9),
        end=time(10),
        valid_from=date(2026, 12, 1),
        valid_until=date(2026, 12, 8),
    )
    tuesdays = [date(2026, 11, 24) + timedelta(weeks=n) for n in range(4)]
    morning = {day: [s for s in starts(practice, day) if s.hour < 12] for day in tuesdays}
    assert morning == {
        date(2026, 11, 24): [],
        date(2026, 12, 1): [utc(date(2026, 12, 1), 9)],
        date(2026, 12, 8): [utc(date(2026, 12, 8), 9)],
        date(2026, 12, 15): [],
    }


def test_an_appointment_holds_the_practitioner_until_its_buffer_ends():
    practice = make_practice()
    # Another type, 20 minutes with a 30 minute buffer, at 09:40: held until 10:30.
    other = make_type(
        practice.hub_id, practice.staff, name="Review", duration_minutes=20, buffer_minutes=30
    )
    db.session.commit()
    book_appointment(other.id, practice.staff[0], utc(TOMORROW, 9), Party(1), family(1), now=NOW)
    db.session.commit()
    # 09:00-09:50 held (20 + 30): the 30 minute type's 09:00 and 09:40 are blocked,
    # 10:20 is free again.
    assert starts(practice) == [utc(TOMORROW, 10, 20), utc(TOMORROW, 11)]


def test_the_slot_buffer_may_not_run_into_a_later_appointment():
    practice = make_practice()
    # An hour-long appointment of another type at 10:00.
    other = make_type(
        practice.hub_id, practice.staff, name="Long", duration_minutes=60, buffer_minutes=0
    )
    db.session.commit()
    book_appointment(other.id, practice.staff[0], utc(TOMORROW, 10), Party(1), family(1), now=NOW)
    db.session.commit()
    # 09:40 would be held until 10:20, into the 10:00 appointment: not offered.
    assert starts(practice) == [utc(TOMORROW, 9), utc(TOMORROW, 11)]


def test_nothing_sooner_than_the_minimum_notice():
    practice = make_practice(min_notice_minutes=120)
    now = utc(TOMORROW, 8)
    assert starts(practice, now=now) == [utc(TOMORROW, 10, 20), utc(TOMORROW, 11)]
    assert code_of(lambda: book(practice, utc(TOMORROW, 9, 40), now=now)) == "too_soon"
    # Staff at the desk may book inside the notice, but never in the past.
    staff_booking = book(practice, utc(TOMORROW, 9, 40), now=now, source="staff")
    assert staff_booking.source == "staff"
    assert (
        code_of(
            lambda: book(practice, utc(TOMORROW, 9), 2, now=utc(TOMORROW, 9, 1), source="staff")
        )
        == "too_soon"
    )


def test_nothing_later_than_the_furthest_day_ahead():
    practice = make_practice(max_days_ahead=7)
    found = free_slots(practice.type_id, day_from=NOW.date(), days=14, now=NOW)
    last_day = NOW.date() + timedelta(days=7)  # Tuesday 1 December
    assert found[last_day] and not any(found[d] for d in found if d > last_day)
    assert code_of(lambda: book(practice, utc(date(2026, 12, 2), 9))) == "too_far"


def test_leave_and_training_block_slots():
    practice = make_practice()
    thursday = date(2026, 11, 26)
    db.session.add(
        AvailabilityException(
            staff_id=practice.staff[0],
            starts_at=utc(thursday, 10),
            ends_at=utc(thursday, 14),
            reason="Training",
        )
    )
    db.session.commit()
    # 09:40 is held until 10:20, into the training.
    assert starts(practice, thursday) == [utc(thursday, 9)]
    assert code_of(lambda: book(practice, utc(thursday, 10, 20))) == "slot_taken"


def _session_in_room(hub_id: int, room_id: int, day: date, start: time, end: time) -> Session:
    series = SessionSeries()
    save_series(
        series,
        SeriesInput(
            hub_id=hub_id,
            title="Stay and Play",
            weekdays=[day.weekday()],
            start_date=day,
            until_date=day,
            start_time=start,
            end_time=end,
            capacity=10,
            room_id=room_id,
        ),
        today=NOW.date(),
    )
    return db.session.scalar(select(Session).filter_by(series_id=series.id))


def test_a_room_in_use_by_a_session_or_another_appointment_blocks_the_slot():
    practice = make_practice(room=True)
    session = _session_in_room(practice.hub_id, practice.room_id, TOMORROW, time(10), time(11))
    db.session.commit()
    assert starts(practice) == [utc(TOMORROW, 9), utc(TOMORROW, 11)]
    session.status = "cancelled"
    db.session.commit()
    assert len(starts(practice)) == 4
    # A colleague working in the same room: once one books 09:00 the room is taken.
    colleague = make_practice(slug="other", practitioners=1)
    add_window(colleague.staff[0], practice.hub_id, weekdays=[2], room_id=practice.room_id)
    feeding = make_type(practice.hub_id, [colleague.staff[0]], name="Feeding")
    db.session.commit()
    booking = book(practice, utc(TOMORROW, 9))
    assert booking.appointment.room_id == practice.room_id
    colleague_starts = [
        s.starts_at for s in free_slots(feeding.id, day_from=TOMORROW, days=1, now=NOW)[TOMORROW]
    ]
    assert colleague_starts == [utc(TOMORROW, 9, 40), utc(TOMORROW, 10, 20), utc(TOMORROW, 11)]


def test_a_room_only_matters_when_the_window_names_one():
    practice = make_practice(room=False)
    _session_in_room(practice.hub_id, practice.room_id, TOMORROW, time(9), time(12))
    db.session.commit()
    assert len(starts(practice)) == 4


def test_an_appointment_at_another_hub_blocks_the_practitioner_here():
    practice = make_practice()  # Riverside, 09:00-12:00: 09:00, 09:40, 10:20, 11:00
    person = practice.staff[0]
    elsewhere = make_hub("northgate")
    add_window(person, elsewhere.id, weekdays=[2], start=time(9, 30), end=time(12))
    visit = make_type(
        elsewhere.id, [person], name="Home visit", duration_minutes=45, buffer_minutes=15
    )
    db.session.commit()
    # Booked at Northgate, another type: 10:30-11:15, held until 11:30.
    book_appointment(visit.id, person, utc(TOMORROW, 10, 30), Party(1), family(7), now=NOW)
    db.session.commit()
    assert starts(practice) == [utc(TOMORROW, 9), utc(TOMORROW, 9, 40)]
    assert code_of(lambda: book(practice, utc(TOMORROW, 11))) == "slot_taken"
    # And the other way round: Riverside's 09:40 (held to 10:20) blocks Northgate's 09:30.
    book(practice, utc(TOMORROW, 9, 40))
    northgate = free_slots(visit.id, day_from=TOMORROW, days=1, now=NOW)[TOMORROW]
    assert northgate == []


def test_slots_are_09_00_on_the_wall_clock_on_both_sides_of_the_march_clock_change():
    practice = make_practice(max_days_ahead=365, min_notice_minutes=0)
    add_window(practice.staff[0], practice.hub_id, weekdays=[5, 6], start=time(9), end=time(10))
    db.session.commit()
    now = datetime(2027, 3, 20, 12, tzinfo=UTC)
    found = free_slots(practice.type_id, day_from=date(2027, 3, 26), days=4, now=now)
    firsts = {day: slots[0].starts_at for day, slots in found.items()}
    assert firsts == {
        date(2027, 3, 26): datetime(2027, 3, 26, 9, tzinfo=UTC),  # GMT
        date(2027, 3, 27): datetime(2027, 3, 27, 9, tzinfo=UTC),
        date(2027, 3, 28): datetime(2027, 3, 28, 8, tzinfo=UTC),  # BST from 01:00 UTC
        date(2027, 3, 29): datetime(2027, 3, 29, 8, tzinfo=UTC),
    }
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    assert {s.astimezone(london).strftime("%H:%M") for s in firsts.values()} == {"09:00"}
    # And a booking made across the change lands at 09:00 local too.
    booking = book(practice, datetime(2027, 3, 29, 8, tzinfo=UTC), now=now)
    assert booking.appointment.starts_at.astimezone(london).hour == 9


def test_booking_takes_the_slot_and_queues_a_confirmation():
    practice = make_practice()
    booking = book(practice, utc(TOMORROW, 9, 40))
    assert booking.status == "confirmed" and len(booking.reference) == 8
    assert booking.session_id is None
    appointment = booking.appointment
    assert (appointment.starts_at, appointment.ends_at, appointment.held_until) == (
        utc(TOMORROW, 9, 40),
        utc(TOMORROW, 10, 10),
        utc(TOMORROW, 10, 20),
    )
    assert appointment.status == "booked" and appointment.hub_id == practice.hub_id
    assert utc(TOMORROW, 9, 40) not in starts(practice)
    message = db.session.scalar(select(OutboxMessage).filter_by(booking_id=booking.id))
    assert (message.template, message.channel, message.recipient) == (
        "booked",
        "email",
        "parent1@example.com",
    )
    assert message.payload["title"] == "Money advice"
    assert message.payload["practitioner"] == "Pat1"
    assert message.payload["reference"] == booking.reference
    assert message.payload["starts_at"] == utc(TOMORROW, 9, 40).isoformat()
    assert message.hub_id == practice.hub_id


def test_the_second_family_for_the_same_slot_is_told_it_is_taken():
    practice = make_practice()
    book(practice, utc(TOMORROW, 9))
    assert code_of(lambda: book(practice, utc(TOMORROW, 9), 2)) == "slot_taken"
    count = db.session.scalar(select(func.count()).select_from(Appointment))
    assert count == 1


def test_the_same_form_submitted_twice_makes_one_booking():
    practice = make_practice()
    first = book(practice, utc(TOMORROW, 9), idempotency_key="nonce-0123456789abcdef")
    again = book_appointment(
        practice.type_id,
        practice.staff[0],
        utc(TOMORROW, 9),
        Party(1),
        family(1),
        now=NOW,
        idempotency_key="nonce-0123456789abcdef",
    )
    assert again.created is False and again.booking.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_what_cannot_be_booked():
    practice = make_practice()
    stranger = make_practice(slug="elsewhere")
    assert code_of(lambda: book(practice, utc(TOMORROW, 9), practitioner=stranger.staff[0])) == (
        "not_offered"
    )
    assert code_of(lambda: book(practice, utc(TOMORROW, 9, 5))) == "not_offered"  # off the grid
    assert code_of(lambda: book(practice, utc(TOMORROW, 13))) == "not_offered"  # outside hours
    assert code_of(lambda: book(practice, utc(date(2026, 11, 28), 9))) == "not_offered"  # Sat
    assert code_of(lambda: book(practice, utc(TOMORROW, 9), practitioner=999999)) == "not_found"
    assert (
        code_of(
            lambda: book_appointment(
                999999, practice.staff[0], utc(TOMORROW, 9), Party(1), family(1), now=NOW
            )
        )
        == "not_found"
    )
    assert (
        code_of(
            lambda: book_appointment(
                practice.type_id,
                practice.staff[0],
                datetime(2026, 11, 25, 9),
                Party(1),
                family(1),
                now=NOW,
            )
        )
        == "not_offered"
    )  # naive time
    assert (
        code_of(
            lambda: book_appointment(
                practice.type_id, practice.staff[0], utc(TOMORROW, 9), Party(0), family(1), now=NOW
            )
        )
        == "party_empty"
    )
    assert (
        code_of(
            lambda: book_appointment(
                practice.type_id,
                practice.staff[0],
                utc(TOMORROW, 9),
                Party(1),
                Contact(""),
                now=NOW,
            )
        )
        == "first_name_required"
    )
    from frontdoor.models import AppointmentType

    db.session.get(AppointmentType, practice.type_id).active = False
    db.session.commit()
    assert code_of(lambda: book(practice, utc(TOMORROW, 9))) == "not_found"
    assert (
        code_of(lambda: free_slots(practice.type_id, day_from=TOMORROW, days=1, now=NOW))
        == "not_found"
    )


def test_cancelling_frees_the_practitioner_and_tells_the_family():
    practice = make_practice()
    booking = book(practice, utc(TOMORROW, 9))
    cancel_appointment(booking, now=NOW)
    db.session.commit()
    assert booking.status == "cancelled" and booking.appointment.status == "cancelled"
    assert utc(TOMORROW, 9) in starts(practice)
    assert book(practice, utc(TOMORROW, 9), 2).status == "confirmed"  # the index allows it
    templates = db.session.scalars(
        select(OutboxMessage.template).filter_by(booking_id=booking.id).order_by(OutboxMessage.id)
    )
    assert list(templates) == ["booked", "cancelled"]
    assert code_of(lambda: cancel_appointment(booking, now=NOW)) == "already_cancelled"


def test_a_family_cannot_cancel_after_checking_in_or_starting_but_staff_can():
    practice = make_practice()
    booking = book(practice, utc(TOMORROW, 9))
    booking.checked_in_at = utc(TOMORROW, 8, 55)
    db.session.commit()
    assert code_of(lambda: cancel_appointment(booking, now=utc(TOMORROW, 8, 56))) == "checked_in"
    assert (
        code_of(lambda: cancel_appointment(booking, now=utc(TOMORROW, 8, 56), by_staff=True))
        == "reason_required"
    )
    cancel_appointment(booking, now=utc(TOMORROW, 8, 56), by_staff=True, reason="Unwell")
    db.session.commit()
    assert booking.cancel_reason == "Unwell"
    late = book(practice, utc(TOMORROW, 9, 40), 2)
    assert code_of(lambda: cancel_appointment(late, now=utc(TOMORROW, 9, 41))) == "too_late"


def test_moving_keeps_the_reference_and_frees_the_old_slot():
    practice = make_practice(practitioners=2)
    booking = book(practice, utc(TOMORROW, 9))
    reference = booking.reference
    move_appointment(booking, utc(TOMORROW, 10, 20), now=NOW)
    db.session.commit()
    assert booking.reference == reference
    assert booking.appointment.starts_at == utc(TOMORROW, 10, 20)
    assert booking.appointment.held_until == utc(TOMORROW, 11)
    mine = starts(practice, practitioner_id=practice.staff[0])
    assert utc(TOMORROW, 9) in mine and utc(TOMORROW, 10, 20) not in mine
    # To a colleague, and into its own old buffer time is fine.
    move_appointment(booking, utc(TOMORROW, 9), now=NOW, practitioner_id=practice.staff[1])
    db.session.commit()
    assert booking.appointment.practitioner_id == practice.staff[1]
    moved = db.session.scalars(select(OutboxMessage).filter_by(template="moved")).all()
    assert len(moved) == 2 and moved[-1].payload["practitioner"] == "Pat2"
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    # Not onto someone else's appointment, nor to where it already is.
    other = book(practice, utc(TOMORROW, 9, 40), 2, practitioner=practice.staff[1])
    assert code_of(lambda: move_appointment(other, utc(TOMORROW, 9), now=NOW)) == "slot_taken"
    assert code_of(lambda: move_appointment(booking, utc(TOMORROW, 9), now=NOW)) == "same_slot"


def test_free_slots_loads_what_it_needs_in_a_few_queries():
    practice = make_practice(practitioners=5, room=True)
    # They share a room, so each books a different time.
    times = [utc(TOMORROW, 9) + timedelta(minutes=40 * n) for n in range(4)]
    for n, (person, at) in enumerate(
        zip(practice.staff, [*times, utc(date(2026, 11, 26), 9)], strict=True)
    ):
        book(practice, at, n + 1, practitioner=person)
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = db.engine
    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = free_slots(practice.type_id, day_from=NOW.date(), days=30, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sum(len(v) for v in found.values()) > 100
    assert len(statements) <= 10, statements


# --- two families at once -------------------------------------------------------------------


def _race(app, monkeypatch, attempts):
    """Run each attempt in its own thread and app context, with a pause between
    the check and the write so an unlocked race would surely interleave."""
    checked = appointments.check_slot

    def slow_check(*args, **kwargs):
        slot = checked(*args, **kwargs)
        wall_clock.sleep(0.3)
        return slot

    monkeypatch.setattr(appointments, "check_slot", slow_check)
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(type_id, person, starts_at, n):
        with app.app_context():
            barrier.wait()
            try:
                book_appointment(type_id, person, starts_at, Party(1), family(n), now=NOW)
                db.session.commit()
                result = "booked"
            except ServiceError as error:
                db.session.rollback()
                result = error.code
            except IntegrityError:
                db.session.rollback()
                result = "integrity"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(*a, n)) for n, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _live_appointments(person: int) -> list[tuple[datetime, datetime]]:
    db.session.expire_all()
    return db.session.execute(
        select(Appointment.starts_at, Appointment.held_until)
        .where(Appointment.practitioner_id == person, Appointment.status == "booked")
        .order_by(Appointment.starts_at)
    ).all()


def test_two_families_booking_the_same_slot_at_once_one_wins(app, monkeypatch):
    practice = make_practice()
    person = practice.staff[0]
    outcomes = _race(app, monkeypatch, [(practice.type_id, person, utc(TOMORROW, 9))] * 2)
    assert outcomes == ["booked", "slot_taken"]
    assert len(_live_appointments(person)) == 1


def _two_types_that_overlap(practice):
    """60 minutes (09:00, 10:00, 11:00) and 45 minutes (09:00, 09:45, 10:30, 11:15)."""
    long = make_type(
        practice.hub_id, practice.staff, name="Long", duration_minutes=60, buffer_minutes=0
    )
    short = make_type(
        practice.hub_id, practice.staff, name="Short", duration_minutes=45, buffer_minutes=0
    )
    db.session.commit()
    return [
        (long.id, practice.staff[0], utc(TOMORROW, 10)),
        (short.id, practice.staff[0], utc(TOMORROW, 9, 45)),
    ]


def test_overlapping_times_of_two_types_at_once_cannot_both_be_booked(app, monkeypatch):
    practice = make_practice()
    outcomes = _race(app, monkeypatch, _two_types_that_overlap(practice))
    assert outcomes == ["booked", "slot_taken"]
    assert len(_live_appointments(practice.staff[0])) == 1


def test_without_the_practitioner_lock_the_race_is_real(app, monkeypatch):
    """Proves the test above can fail: the lock, not luck, keeps them apart."""
    practice = make_practice()
    monkeypatch.setattr(places, "LOCKING", False)
    outcomes = _race(app, monkeypatch, _two_types_that_overlap(practice))
    assert outcomes == ["booked", "booked"]
    booked = _live_appointments(practice.staff[0])
    assert booked[0][1] > booked[1][0]  # double-booked: they overlap


def test_a_window_with_a_room_books_that_room():
    practice = make_practice(room=True)
    booking = book(practice, utc(TOMORROW, 9))
    assert booking.appointment.room.name == "Interview room"
    assert booking.appointment.held_until - booking.appointment.ends_at == timedelta(minutes=10)
    assert booking.appointment.starts_at.tzinfo == UTC
