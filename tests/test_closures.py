"""Days a hub is closed: no appointments then, bank holidays in one press, and a
manager's page that says which sessions still fall on the day."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.appointments import book_appointment
from booking.contact import Contact, Party
from booking.services import book_session
from booking.slots import free_slots
from frontdoor import clock
from frontdoor.bank_holidays import bank_holidays
from frontdoor.closures import add_bank_holidays, add_closure, closed_days, remove_closure
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Hub, HubClosure, OutboxMessage, Session, SessionSeries
from frontdoor.timetable import Recurrence
from tests.appointment_fixtures import NOW, TOMORROW, make_practice, utc
from tests.conftest import csrf_from

TODAY = NOW.date()  # Tuesday 24 November 2026


@pytest.fixture
def practice(app_context):
    return make_practice()


def _days_with_slots(practice, first: date, days: int) -> set[date]:
    found = free_slots(practice.type_id, day_from=first, days=days, now=clock.now())
    return {day for day, slots in found.items() if slots}


def test_a_closed_day_offers_no_appointments_and_booking_it_is_refused(practice):
    assert TOMORROW in _days_with_slots(practice, TOMORROW, 3)
    add_closure(practice.hub_id, TOMORROW, "Staff training", today=TODAY)

    assert TOMORROW not in _days_with_slots(practice, TOMORROW, 3)
    assert TOMORROW + timedelta(days=1) in _days_with_slots(practice, TOMORROW, 3)
    with pytest.raises(ServiceError) as refused:
        book_appointment(
            practice.type_id,
            practice.staff[0],
            utc(TOMORROW, 9),
            Party(1, ()),
            Contact("Ana", email="ana@example.com"),
            now=clock.now(),
        )
    assert refused.value.code == "hub_closed"


def test_opening_again_brings_the_times_back(practice):
    closure = add_closure(practice.hub_id, TOMORROW, "Staff training", today=TODAY)
    remove_closure(closure)
    assert TOMORROW in _days_with_slots(practice, TOMORROW, 1)


def test_a_closure_elsewhere_changes_nothing_here(practice):
    other = make_practice(slug="northgate")
    add_closure(other.hub_id, TOMORROW, "Staff training", today=TODAY)
    assert TOMORROW in _days_with_slots(practice, TOMORROW, 1)


@pytest.mark.parametrize(
    ("day", "reason", "code"),
    [
        (TODAY - timedelta(days=1), "Training", "day_past"),
        (TOMORROW, "   ", "reason_required"),
        (TOMORROW, "x" * 101, "reason_too_long"),
    ],
)
def test_closures_that_make_no_sense_are_refused(practice, day, reason, code):
    with pytest.raises(ServiceError) as refused:
        add_closure(practice.hub_id, day, reason, today=TODAY)
    assert refused.value.code == code
    assert (
        closed_days(practice.hub_id, TODAY - timedelta(days=7), TODAY + timedelta(days=7)) == set()
    )


def test_the_same_day_twice_is_refused(practice):
    add_closure(practice.hub_id, TOMORROW, "Training", today=TODAY)
    with pytest.raises(ServiceError) as refused:
        add_closure(practice.hub_id, TOMORROW, "Training again", today=TODAY)
    assert refused.value.code == "day_taken"


def test_bank_holidays_to_come_are_added_once(practice):
    added = add_bank_holidays(practice.hub_id, 2026, today=TODAY)
    # From 24 November 2026, only Christmas Day and the Boxing Day substitute remain.
    assert [(c.day, c.reason) for c in added] == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (substitute day)"),
    ]
    assert add_bank_holidays(practice.hub_id, 2026, today=TODAY) == []
    assert len(add_bank_holidays(practice.hub_id, 2027, today=TODAY)) == 8
    with pytest.raises(ServiceError) as refused:
        add_bank_holidays(practice.hub_id, 2031, today=TODAY)
    assert refused.value.code == "year_unknown"


def test_the_bank_holidays_are_govuks_with_their_substitute_days_in_any_year(practice):
    # From 24 November 2026 a manager can close on 2028's, which no one typed in.
    added = add_bank_holidays(practice.hub_id, 2028, today=TODAY)
    assert [(c.day, c.reason) for c in added] == [
        (date(2028, 1, 3), "New Year's Day (substitute day)"),  # 1 January is a Saturday
        (date(2028, 4, 14), "Good Friday"),
        (date(2028, 4, 17), "Easter Monday"),
        (date(2028, 5, 1), "Early May bank holiday"),
        (date(2028, 5, 29), "Spring bank holiday"),
        (date(2028, 8, 28), "Summer bank holiday"),
        (date(2028, 12, 25), "Christmas Day"),
        (date(2028, 12, 26), "Boxing Day"),
    ]
    # Christmas 2027 falls on a weekend: the bank holidays are the Monday and Tuesday.
    assert bank_holidays(2027)[-2:] == (
        (date(2027, 12, 27), "Christmas Day (substitute day)"),
        (date(2027, 12, 28), "Boxing Day (substitute day)"),
    )
    assert [day for day, _ in bank_holidays(2030)] == [
        date(2030, 1, 1),
        date(2030, 4, 19),
        date(2030, 4, 22),
        date(2030, 5, 6),
        date(2030, 5, 27),
        date(2030, 8, 26),
        date(2030, 12, 25),
        date(2030, 12, 26),
    ]


def test_a_series_skips_exactly_the_bank_holidays_a_hub_closes_on():
    every_day = Recurrence(weekdays=tuple(range(7)), interval_weeks=1, start_date=date(2028, 1, 1))
    year = [date(2028, 1, 1) + timedelta(days=n) for n in range(366)]
    skipped = set(year) - set(every_day.dates(year[0], year[-1]))
    # Saturday 1 January 2028 is New Year's Day, but the bank holiday is Monday the 3rd.
    assert skipped == {day for day, _ in bank_holidays(2028)}


# --- the manager's page ------------------------------------------------------------------


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _riverside_closures(app) -> list[tuple[date, str]]:
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        rows = db.session.scalars(select(HubClosure).filter_by(hub_id=hub.id)).all()
        return sorted((c.day, c.reason) for c in rows)


def test_a_manager_closes_the_hub_for_training_and_is_told_of_sessions_that_day(app, signed_in):
    client = signed_in("manager@riverside.example")
    before = _riverside_closures(app)
    url = "/admin/hubs/riverside/closed"
    token = csrf_from(client.get(url).get_data(as_text=True))
    # The demo's Riverside has Stay and Play on weekdays; pick next Wednesday.
    today = clock.today()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    form = {
        "csrf_token": token,
        "day": [str(wednesday.day), str(wednesday.month), str(wednesday.year)],
        "reason": "Staff training",
    }

    missing = client.post(url, data={**form, "reason": ""})
    assert missing.status_code == 400 and "Enter a reason" in _text(missing)
    bad_day = client.post(url, data={**form, "day": ["31", "2", str(wednesday.year)]})
    assert bad_day.status_code == 400 and "must be a real date" in _text(bad_day)
    assert _riverside_closures(app) == before

    done = client.post(url, data=form)
    assert done.status_code == 302
    page = _text(client.get(done.headers["Location"]))
    assert "Staff training" in page
    assert re.search(r"The timetable still has \d+ sessions? that day", page)
    assert (wednesday, "Staff training") in _riverside_closures(app)


def test_other_hubs_managers_and_reception_cannot_close_riverside(app, signed_in):
    assert (
        signed_in("manager@northgate.example").get("/admin/hubs/riverside/closed").status_code
        == 403
    )
    assert (
        signed_in("reception@riverside.example").get("/admin/hubs/riverside/closed").status_code
        == 403
    )


# --- cancelling the sessions on a closed day ---------------------------------------------------


@pytest.fixture
def monday_1_june_2026(app):
    """Before the demo loads, so its timetable lines up with known days."""
    clock.freeze(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))


def _sessions(app, day: date) -> list[tuple[int, str, str]]:
    with app.app_context():
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
        rows = db.session.scalars(
            select(Session).filter_by(hub_id=hub_id, occurrence_date=day).order_by(Session.id)
        )
        return [(s.id, s.status, s.cancel_reason) for s in rows]


def _cancellations(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (m.recipient, m.language, m.payload["reason"])
            for m in db.session.scalars(
                select(OutboxMessage).filter_by(template="session_cancelled")
            )
        ]


def test_closing_a_day_cancels_its_sessions_in_one_press_and_tells_each_family_once(
    app, monday_1_june_2026, signed_in
):
    tuesday, wednesday = date(2026, 6, 2), date(2026, 6, 3)
    with app.app_context():
        massage = db.session.scalar(
            select(Session.id)
            .join(SessionSeries)
            .where(SessionSeries.title == "Baby Massage", Session.occurrence_date == tuesday)
        )
        book_session(
            massage,
            Party(1, ("0-1",)),
            Contact("Ania", email="ania@example.com", language="pl"),
            now=clock.now(),
        )
        db.session.commit()
    on_tuesday, on_wednesday = _sessions(app, tuesday), _sessions(app, wednesday)
    assert massage in [s for s, _, _ in on_tuesday] and on_wednesday
    client = signed_in("manager@riverside.example")
    url = "/admin/hubs/riverside/closed"
    form = {"day": ["2", "6", "2026"], "reason": "Staff training"}

    closed = client.post(url, data={**form, "csrf_token": csrf_from(client.get(url).text)})
    assert closed.status_code == 302 and closed.location.endswith("/sessions")
    confirm = client.get(closed.location)
    page = _text(confirm)
    assert f"The timetable still has {len(on_tuesday)} sessions that day" in page
    assert "Baby Massage" in page
    assert all(status == "scheduled" for _, status, _ in _sessions(app, tuesday))  # not yet

    token = csrf_from(confirm.text)
    done = client.post(closed.location, data={"csrf_token": token})
    again = client.post(closed.location, data={"csrf_token": token})

    assert done.status_code == again.status_code == 302
    assert "No sessions were left to cancel" in _text(client.get(again.location))
    assert _sessions(app, tuesday) == [(s, "cancelled", "Staff training") for s, _, _ in on_tuesday]
    assert _sessions(app, wednesday) == on_wednesday
    assert _cancellations(app) == [("ania@example.com", "pl", "Staff training")]
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent.subject_id).filter_by(action="session.cancel")
        ).all()
    assert sorted(audited) == [s for s, _, _ in on_tuesday]
