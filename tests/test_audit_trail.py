"""Every staff change is in the audit log, with who made it; and the log is append-only."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from booking.session_changes import cancel_session, move_session, set_capacity
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.hubs import (
    create_category,
    create_room,
    delete_category,
    delete_room,
    update_category,
    update_room,
)
from frontdoor.models import AuditEvent, Hub, KioskDevice, Session, SessionSeries, StaffUser
from frontdoor.staff import create_staff
from frontdoor.timetable import keep_as_is, restore_session, save_series
from tests.booking_fixtures import SESSION_DAY, make_session
from tests.conftest import sign_in, submit
from tests.test_manage import HUB_SETTINGS
from tests.test_timetable_service import series_input

MANAGER = "manager@riverside.example"


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def only(action: str) -> AuditEvent:
    (event,) = events(action)
    return event


def _lead(hub_id: int) -> int:
    hub = db.session.get_one(Hub, hub_id)
    lead = create_staff(
        organisation_id=hub.organisation_id,
        email="lead@example.com",
        name="Lee",
        password="a long enough password 1",
    )
    return lead.id


def test_each_change_to_a_session_names_the_member_of_staff(app_context):
    session = db.session.get_one(Session, make_session())
    lead = _lead(session.hub_id)
    set_capacity(session, 9, now=clock.now(), staff_id=lead)
    move_session(
        session, day=SESSION_DAY, start=time(11), end=time(12), room_id=None,
        now=clock.now(), staff_id=lead,
    )  # fmt: skip
    keep_as_is(session, staff_id=lead)
    cancel_session(session, "Leader ill", now=clock.now(), staff_id=lead)
    restore_session(session, staff_id=lead)

    for action in ("capacity", "move", "keep", "cancel", "restore"):
        event = only(f"session.{action}")
        assert (event.staff_id, event.subject_id) == (lead, session.id)
        assert event.hub_id == session.hub_id
    assert "Capacity 5 to 9" in only("session.capacity").detail


def test_saving_a_series_is_recorded_as_an_addition_then_a_change(app_context):
    hub = db.session.get_one(Hub, db.session.get_one(Session, make_session()).hub_id)
    lead = _lead(hub.id)
    series = SessionSeries()
    save_series(series, series_input(hub), today=clock.today(), staff_id=lead)
    save_series(series, series_input(hub, title="Rhyme time"), today=clock.today(), staff_id=lead)

    added = [e for e in events("series.create") if e.staff_id == lead]
    assert [e.subject_id for e in added] == [series.id]
    assert only("series.update").detail.startswith("Rhyme time")
    assert only("series.update").staff_id == lead


def test_rooms_and_categories_changes_are_audited(app_context):
    hub = db.session.get_one(Hub, db.session.get_one(Session, make_session()).hub_id)
    lead = _lead(hub.id)
    room = create_room(hub, name="Garden room", staff_id=lead)
    update_room(room, name="Garden", capacity=10, description="", active=True, staff_id=lead)
    delete_room(room, staff_id=lead)
    category = create_category(organisation_id=hub.organisation_id, name="Play", staff_id=lead)
    update_category(category, name="Play and learn", icon="", active=True, staff_id=lead)
    delete_category(category, staff_id=lead)

    for action in ("room.create", "room.update", "room.delete"):
        assert (only(action).staff_id, only(action).hub_id) == (lead, hub.id)
    assert only("category.update").detail == "Changed Play and learn"
    assert only("category.delete").staff_id == lead


def _ids(app, model, **where) -> int:
    with app.app_context():
        found = db.session.scalar(select(model.id).filter_by(**where))
        db.session.remove()
    return found


def _events(app, action: str) -> list[tuple[int | None, int | None, str]]:
    with app.app_context():
        found = [(e.staff_id, e.subject_id, e.detail) for e in events(action)]
        db.session.remove()
    return found


def test_hub_settings_kiosks_added_and_revoked_are_audited(app, client, demo):
    sign_in(client, MANAGER)
    manager = _ids(app, StaffUser, email=MANAGER)
    hub = _ids(app, Hub, slug="riverside")
    submit(client, "/admin/hubs/riverside", {**HUB_SETTINGS, "retention_months": "20"})
    submit(client, "/admin/kiosks/new", {"hub_id": str(hub), "name": "Side door"})
    device = _ids(app, KioskDevice, name="Side door")
    submit(client, "/admin/kiosks", {}, action=f"/admin/kiosks/{device}/code")
    submit(client, "/admin/kiosks", {}, action=f"/admin/kiosks/{device}/revoke")

    ((who, _, detail),) = _events(app, "hub.update")
    assert who == manager
    assert "retention_months" in detail
    assert [e[:2] for e in _events(app, "kiosk.add")] == [(manager, device)]
    assert [e[:2] for e in _events(app, "kiosk.new_code")] == [(manager, device)]
    assert [e[:2] for e in _events(app, "kiosk.revoke")] == [(manager, device)]


def test_signing_in_is_audited(app, client, demo):
    sign_in(client, MANAGER)
    manager = _ids(app, StaffUser, email=MANAGER)
    assert [e[0] for e in _events(app, "sign_in")] == [manager]


def _first_event_id() -> int:
    from frontdoor import audit

    event = audit.record("test.event", staff_id=None, subject_type="hub", subject_id=None)
    db.session.commit()
    return event.id


def test_the_audit_log_refuses_changes_and_deletions(app_context):
    event_id = _first_event_id()
    for statement in (
        "UPDATE audit_event SET detail = 'rewritten' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": event_id})
        db.session.rollback()
    assert db.session.get_one(AuditEvent, event_id).detail == ""


@pytest.mark.postgres_only
def test_on_postgresql_even_a_raw_connection_cannot_rewrite_the_log(app_context):
    event_id = _first_event_id()
    with db.engine.connect() as connection:
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
        connection.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(
                text("UPDATE audit_event SET staff_id = NULL WHERE id = :id"), {"id": event_id}
            )
    assert db.session.get(AuditEvent, event_id) is not None


def test_the_retention_purge_leaves_the_audit_log(app_context):
    from frontdoor.retention import purge_expired

    event_id = _first_event_id()
    purge_expired(clock.now() + timedelta(days=3650))
    db.session.commit()
    assert db.session.get(AuditEvent, event_id) is not None
