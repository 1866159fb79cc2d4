"""Subject access, erasure and correction of a family's record, and the audit log search."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.family import family_key_for_contact
from frontdoor.models import (
    AuditEvent,
    Booking,
    Connection,
    MessageStatus,
    OutboxMessage,
    StaffUser,
    Visit,
)
from reports.figures import reach_report
from reports.periods import quarter
from reports.totals import build_days
from tests.conftest import csrf_from, sign_in
from tests.reach_fixtures import arrive, at, book, hub, series_led_by, session_on

Q3 = quarter("2026Q3")
DAY = date(2026, 8, 4)
EMAIL, MOBILE = "amira@example.com", "+447700900982"
MANAGER = "manager@riverside.example"


def _family(app: Flask, *, tomorrow: bool = False) -> dict[str, object]:
    """Amira's family at Riverside: two bookings (one by text), three visits (one a
    drop-in known by their family key), a connection to a colleague and a sent
    email; optionally a booking tomorrow. Another family shares the session."""
    with app.app_context():
        riverside = hub("riverside")
        key = family_key_for_contact(mobile=MOBILE, organisation_id=riverside.organisation_id)
        series = series_led_by("lead@riverside.example")
        first, second = session_on(series, DAY), session_on(series, DAY + timedelta(days=7))
        booked = book(first, key)
        by_text = book(second, key)
        by_text.email, by_text.mobile = "", MOBILE
        for booking, session in ((booked, first), (by_text, second)):
            arrive(riverside.id, session.starts_at, key=key, session=session, booking=booking,
                   bands=("0-1",), district="RG1")  # fmt: skip
        visit = arrive(riverside.id, at(DAY, 15), key=key, bands=("0-1",))
        other = book(first, "fam-other")
        other.first_name, other.email = "Ben", "ben@example.com"
        arrive(riverside.id, first.starts_at, key="fam-other", session=first, booking=other)
        sam = db.session.scalar(select(StaffUser).filter_by(email="practitioner@riverside.example"))
        db.session.add(
            Connection(
                hub_id=riverside.id,
                visit_id=visit.id,
                made_by_id=sam.id,
                to_staff_id=sam.id,
                consent_asked_by_id=sam.id,
                consent_at=at(DAY, 15),
                shared_first_name="Amira",
                shared_contact_method="text",
                shared_contact=MOBILE,
                shared_reason="Money worries",
                link_ref="x1",
            ),
        )
        db.session.add(
            OutboxMessage(
                idempotency_key="t1",
                hub_id=riverside.id,
                booking_id=booked.id,
                channel="email",
                recipient=EMAIL,
                template="booked",
                payload={"first_name": "Amira"},
                status=MessageStatus.SENT,
            ),
        )
        if tomorrow:
            soon = session_on(series, clock.today() + timedelta(days=1))
            book(soon, key, status="waiting")
        db.session.commit()
        build_days(Q3.first, Q3.last)
        db.session.commit()
        made = {"reference": booked.reference, "hub_id": riverside.id, "other": other.id}
        db.session.remove()
    return made


def _find(client: FlaskClient, subject: str):
    page = client.get("/admin/data-protection").text
    return client.post(
        "/admin/data-protection", data={"subject": subject, "csrf_token": csrf_from(page)}
    )


def _post(client: FlaskClient, action: str, data: dict):
    page = client.get("/admin/data-protection").text
    return client.post(
        f"/admin/data-protection/{action}", data={**data, "csrf_token": csrf_from(page)}
    )


@pytest.fixture
def manager(client, demo) -> FlaskClient:
    sign_in(client, MANAGER)
    return client


def _sections(response) -> dict[str, int]:
    text = response.text
    return {
        key: text.split(f'data-section="{key}"')[1].split("</section>")[0].count("<dl")
        for key in ("bookings", "visits", "connections", "messages")
    }


@pytest.mark.parametrize("typed", [EMAIL, "07700 900982", "reference"])
def test_a_family_is_found_from_their_email_mobile_or_reference(app, manager, typed):
    made = _family(app)
    found = _find(manager, made["reference"] if typed == "reference" else typed)
    assert found.status_code == 200
    assert _sections(found) == {"bookings": 2, "visits": 3, "connections": 1, "messages": 1}
    assert "Ben" not in found.text and "ben@example.com" not in found.text
    assert "Money worries" in found.text


def test_a_family_who_booked_with_a_mobile_from_abroad_is_found_by_it(app, manager):
    _family(app)
    with app.app_context():  # the booking by text was made with a Polish mobile
        for booking in db.session.scalars(select(Booking).filter_by(mobile=MOBILE)):
            booking.mobile = "+48512345678"
        db.session.commit()
    found = _find(manager, "0048 512 345 678")  # as the family reads it out
    assert found.status_code == 200
    assert _sections(found)["bookings"] == 2  # that booking, and the one its family key finds


def test_what_cannot_be_a_family_detail_asks_for_a_mobile_from_anywhere(app, manager):
    _family(app)
    unread = html.unescape(_find(manager, "call me").text)
    assert "Enter an email address, a mobile number or a booking reference" in unread
    assert "UK mobile" not in unread


def test_the_downloaded_file_holds_what_the_page_shows(app, manager):
    made = _family(app)
    shown = _find(manager, made["reference"]).text
    file = _post(manager, "download", {"subject": made["reference"]})
    assert file.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in file.headers["Cache-Control"]
    document = json.loads(file.text)
    assert [len(document[k]) for k in ("bookings", "visits", "connections")] == [2, 3, 1]
    for rows in document.values():
        for row in rows:
            for value in row.values():
                if value not in (None, ""):
                    assert html.escape(str(value)) in shown, value


def test_a_search_that_matches_nobody_says_so_and_shows_nothing_else(app, manager):
    _family(app)
    found = _find(manager, "nobody@example.com")
    assert "No records match" in found.text
    assert "data-section" not in found.text and "Amira" not in found.text


def test_another_hubs_manager_finds_nothing(app, client, demo):
    _family(app)
    sign_in(client, "manager@northgate.example")
    assert "No records match" in _find(client, EMAIL).text


def test_the_email_never_travels_in_an_address(app, manager):
    _family(app)
    asked = manager.get("/admin/data-protection", query_string={"subject": EMAIL})
    assert "Amira" not in asked.text  # a GET searches nothing


def _reach(app: Flask, hub_id: int):
    with app.app_context():
        build_days(Q3.first, Q3.last)
        db.session.commit()
        report = reach_report([hub_id], Q3.first, Q3.last)
        db.session.remove()
    return report


def test_erasure_removes_personal_data_and_keeps_the_counts(app, manager):
    made = _family(app)
    before = _reach(app, made["hub_id"])
    done = _post(manager, "erase", {"subject": EMAIL, "reason": "Asked by phone"})
    assert done.status_code == 200 and "erased" in done.text
    assert _reach(app, made["hub_id"]) == before
    with app.app_context():
        assert not db.session.scalars(select(Booking).where(Booking.first_name == "Amira")).all()
        named = select(Visit.family_key).where(Visit.first_name != "")
        assert list(db.session.scalars(named)) == ["fam-other"]
        (connection,) = db.session.scalars(select(Connection)).all()
        assert (connection.shared_contact, connection.shared_reason) == ("", "")
        assert db.session.scalar(select(OutboxMessage.recipient)) == ""
        assert db.session.get_one(Booking, made["other"]).first_name == "Ben"
        (event,) = db.session.scalars(select(AuditEvent).filter_by(action="subject_access.erase"))
        assert "Amira" not in event.detail and EMAIL not in event.detail
        db.session.remove()
    assert "No records match" in _find(manager, EMAIL).text


def test_erasure_is_refused_while_a_booking_is_still_to_come(app, manager):
    _family(app, tomorrow=True)
    refused = _post(manager, "erase", {"subject": EMAIL, "reason": "Asked by phone"})
    assert refused.status_code == 400
    assert "Cancel them from the register first" in refused.text
    with app.app_context():
        assert db.session.scalar(select(Booking.email).filter_by(first_name="Amira")) == EMAIL
        db.session.remove()


def test_correction_puts_a_mobile_right_with_a_reason(app, manager):
    made = _family(app)
    no_reason = _post(manager, "correct", {"subject": made["reference"], "mobile": "07700900111"})
    assert no_reason.status_code == 400
    done = _post(
        manager,
        "correct",
        {"subject": made["reference"], "mobile": "07700 900111", "reason": "New phone"},
    )
    assert "Corrected: mobile" in done.text
    with app.app_context():
        mobiles = set(db.session.scalars(select(Booking.mobile).filter_by(first_name="Amira")))
        assert mobiles == {"+447700900111"}
        (event,) = db.session.scalars(select(AuditEvent).filter_by(action="subject_access.correct"))
        assert "900111" not in event.detail
        db.session.remove()


def test_every_look_and_download_is_audited(app, manager):
    made = _family(app)
    _find(manager, EMAIL)
    _post(manager, "download", {"subject": made["reference"]})
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        details = " ".join(db.session.scalars(select(AuditEvent.detail)))
        db.session.remove()
    assert actions[-2:] == ["subject_access.view", "subject_access.download"]
    assert EMAIL not in details and made["reference"] not in details


# --- the audit log page ------------------------------------------------------------------


def _events_shown(client: FlaskClient, **query) -> list[str]:
    page = client.get("/admin/audit", query_string=query).text
    return [part.split('"')[0] for part in page.split('data-action="')[1:]]


def test_the_audit_log_filters_by_person_action_dates_and_family(app, manager):
    made = _family(app)
    _find(manager, EMAIL)
    with app.app_context():
        me = db.session.scalar(select(StaffUser.id).filter_by(email=MANAGER))
        db.session.remove()
    assert "subject_access.view" in _events_shown(manager, person=me)
    _post(manager, "download", {"subject": EMAIL})
    shown = _events_shown(manager, action="subject_access.download")
    assert shown == ["subject_access.download"]
    today, yesterday = clock.today(), clock.today() - timedelta(days=1)
    as_typed = lambda day: [str(day.day), str(day.month), str(day.year)]  # noqa: E731
    assert "subject_access.view" in _events_shown(
        manager, first=as_typed(today), last=as_typed(today)
    )
    assert _events_shown(manager, first=as_typed(yesterday), last=as_typed(yesterday)) == []
    assert _events_shown(manager, family=made["reference"]) == [
        "subject_access.download",
        "subject_access.view",
    ]


def test_a_manager_never_sees_another_hubs_events(app, manager):
    _family(app)
    _find(manager, EMAIL)
    northgate, admin = app.test_client(), app.test_client()
    sign_in(northgate, "manager@northgate.example")
    sign_in(admin, "admin@council.example")
    assert "subject_access.view" not in _events_shown(northgate)
    assert "subject_access.view" in _events_shown(admin)


@pytest.mark.parametrize("page", ["²", "٣", "99999", "-1", "0", "abc"])
def test_a_page_number_that_is_not_one_shows_the_first_page(app, manager, page):
    _family(app)
    _find(manager, EMAIL)
    answer = manager.get("/admin/audit", query_string={"page": page, "person": "²"})
    assert answer.status_code == 200
    assert "subject_access.view" in answer.text
