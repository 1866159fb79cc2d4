"""Nobody falls through the cracks: an unanswered connection goes back to the
practitioner after the hub's working days and to the duty manager after twice
that (weekends and bank holidays not counted); a decline goes back with its
reason; a partner email that bounces is told; after the first contact date the
practitioner records whether contact happened; counts survive the purge.

Jobs are called as plain functions under a frozen clock, as tests/test_jobs.py does."""

from __future__ import annotations

import email
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from arrivals.greeters import set_duty
from connections.chasing import chase_unanswered
from connections.counts import connection_counts
from connections.outcomes import record_contact
from connections.services import Shared, accept, decline, make_connection, partner_link_token
from directory.services import services_for_families
from frontdoor import clock
from frontdoor.channels import SmtpChannel
from frontdoor.demo import load_demo
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Connection,
    Duty,
    HelpRequest,
    Hub,
    Organisation,
    OutboxMessage,
    Role,
    StaffRole,
    StaffUser,
)
from frontdoor.outbox import Links, render_message
from frontdoor.retention import purge_expired
from frontdoor.working_days import add_working_days, working_days_between
from tests.conftest import DEMO_PASSWORD, csrf_from, sign_in
from tests.message_servers import SmtpHandler, smtp_server

# Maundy Thursday 2027, 10:00 in London (still GMT): Good Friday, the weekend and
# Easter Monday follow, and the clocks go forward on the Sunday.
MADE = datetime(2027, 3, 25, 10, 0, tzinfo=UTC)
# 3 working days later: Tue 30, Wed 31 March, Thu 1 April, 10:00 BST.
BACK = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
# 6: Fri 2, Mon 5, Tue 6 April, 10:00 BST.
UP = datetime(2027, 4, 6, 9, 0, tzinfo=UTC)
LINKS = Links("https://hub.example", "test-secret-key")
PRACTITIONER = "practitioner@riverside.example"


@pytest.fixture
def council(app):
    clock.freeze(MADE)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        db.session.add(
            HelpRequest(hub_id=hub.id, topic="money", first_name="Amara", created_at=MADE)
        )
        db.session.commit()
        db.session.remove()


def _connect(now: datetime = MADE, name: str = "Amara", service_index: int = 0) -> int:
    hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
    organisation_id = db.session.scalar(select(Organisation.id))
    services = [s for s in services_for_families(organisation_id, MADE) if s.partner.contact_email]
    connection = make_connection(
        hub_id=hub.id,
        staff_id=_staff(PRACTITIONER).id,
        service_id=services[service_index].id,
        consent=True,
        shared=Shared(first_name=name, contact_method="phone", contact="07700 900 982"),
        now=now,
        help_request_id=db.session.scalar(select(HelpRequest.id).filter_by(hub_id=hub.id)),
    )
    db.session.commit()
    return connection.id


def _staff(address: str) -> StaffUser:
    return db.session.scalars(select(StaffUser).filter_by(email=address)).one()


def _sent(template: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).filter_by(template=template).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def _chase(at: datetime) -> dict[str, int]:
    clock.freeze(at)
    done = chase_unanswered(at)
    db.session.commit()
    return done


def _token(connection_id: int) -> str:
    connection = db.session.get(Connection, connection_id)
    return partner_link_token(current_app.config["SECRET_KEY"], connection.id, connection.link_ref)


def _accept(connection_id: int, contact_by: date, now: datetime = MADE) -> None:
    clock.freeze(now)
    accept(current_app.config["SECRET_KEY"], _token(connection_id), contact_by=contact_by, now=now)
    db.session.commit()


def _mine(app) -> str:
    client = app.test_client()
    sign_in(client, PRACTITIONER)
    return client.get("/admin/connections/mine").get_data(as_text=True)


# --- working days -------------------------------------------------------------------------


def test_working_days_skip_weekends_and_bank_holidays_in_england():
    assert add_working_days(date(2027, 3, 25), 3) == date(2027, 4, 1)  # Easter
    assert add_working_days(date(2027, 3, 25), 6) == date(2027, 4, 6)
    # Boxing Day 2026 is a Saturday: its substitute is Monday 28 December.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert working_days_between(date(2027, 3, 25), date(2027, 4, 1)) == 3
    assert working_days_between(date(2027, 4, 1), date(2027, 3, 25)) == 0


# --- chasing an unanswered connection -------------------------------------------------------


def test_an_unanswered_connection_goes_back_after_3_working_days_then_to_the_duty_manager_after_6(
    app, council
):
    with app.app_context():
        connection_id = _connect()
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        duty = StaffUser(
            organisation_id=hub.organisation_id, email="dee@riverside.example",
            name="Dee Okoro", password_hash="x",
        )  # fmt: skip
        db.session.add(duty)
        db.session.flush()
        db.session.add(StaffRole(user_id=duty.id, hub_id=hub.id, role=Role.MANAGER))
        set_duty(hub.id, date(2027, 4, 6), Duty.MANAGER, [duty.id])
        db.session.commit()

        # Counting every weekday, or one working day early, or a minute early: not yet.
        for early in (
            datetime(2027, 3, 30, 9, 0, tzinfo=UTC),
            datetime(2027, 3, 31, 9, 0, tzinfo=UTC),
            BACK - timedelta(minutes=1),
        ):
            assert _chase(early) == {"chased": 0, "escalated": 0}
        assert _sent("connection_overdue") == []

    assert "Overdue (0)" in _mine(app)

    with app.app_context():
        assert _chase(BACK) == {"chased": 1, "escalated": 0}
        assert _chase(BACK + timedelta(hours=1)) == {"chased": 0, "escalated": 0}
        [back] = _sent("connection_overdue")
        assert back.recipient == PRACTITIONER
        words = render_message(back, LINKS)
        assert "has not answered" in words.body and "3 working days" in words.body
        assert "Amara" not in words.body + words.subject

    mine = _mine(app)
    assert "Overdue (1)" in mine and "Waiting for an answer (0)" in mine
    assert "the duty manager has been told" not in mine

    with app.app_context():
        for early in (datetime(2027, 4, 5, 9, 0, tzinfo=UTC), UP - timedelta(minutes=1)):
            assert _chase(early) == {"chased": 0, "escalated": 0}
        assert _sent("connection_escalated") == []
        assert _chase(UP) == {"chased": 0, "escalated": 1}
        assert _chase(UP + timedelta(days=1)) == {"chased": 0, "escalated": 0}
        [up] = _sent("connection_escalated")
        assert up.recipient == "dee@riverside.example"  # on duty, not every manager
        words = render_message(up, LINKS)
        assert "Sam K." in words.body and "6 working days" in words.body
        assert "Amara" not in words.body + words.subject
        assert db.session.get(Connection, connection_id).escalated_at is not None

    assert "the duty manager has been told" in _mine(app)


def test_an_answered_connection_is_not_chased(app, council):
    with app.app_context():
        connection_id = _connect()
        _accept(connection_id, date(2027, 4, 9), MADE + timedelta(days=1))
        assert _chase(UP) == {"chased": 0, "escalated": 0}
        assert _sent("connection_overdue") == []


def test_the_hubs_working_days_setting_decides_when(app, council):
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        hub.settings = replace(hub.settings, connection_chase_working_days=1)
        db.session.commit()
        _connect()
        # One working day after Maundy Thursday is the Tuesday after Easter.
        assert _chase(datetime(2027, 3, 30, 8, 59, tzinfo=UTC))["chased"] == 0
        assert _chase(datetime(2027, 3, 30, 9, 0, tzinfo=UTC))["chased"] == 1
        # With nobody on the manager rota, the hub's managers are told.
        assert _chase(datetime(2027, 3, 31, 9, 0, tzinfo=UTC))["escalated"] == 1
        assert [m.recipient for m in _sent("connection_escalated")] == ["manager@riverside.example"]


# --- a decline goes back with the reason ----------------------------------------------------


def test_a_decline_goes_back_to_the_practitioner_with_the_reason(app, council):
    with app.app_context():
        connection_id = _connect()
        decline(
            current_app.config["SECRET_KEY"], _token(connection_id),
            reason="Our club is full until September", now=MADE,
        )  # fmt: skip
        db.session.commit()
        [told] = _sent("connection_declined")
        assert told.recipient == PRACTITIONER
        body = render_message(told, LINKS).body
    assert "Our club is full until September" in body and "Amara" not in body
    mine = _mine(app)
    assert "Declined (1)" in mine and "Our club is full until September" in mine


# --- a partner email that bounces -----------------------------------------------------------


def test_a_partner_email_that_bounces_goes_back_to_the_practitioner(app, council):
    with app.app_context():
        _connect()
        [request] = _sent("connection_request")
        partner_address = request.recipient
        config = current_app.config["FRONTDOOR"]
        with smtp_server(SmtpHandler(refuse={partner_address})) as (port, server):
            channels = {"email": SmtpChannel(replace(config, smtp_port=port))}
            # The practitioner's email is queued as the partner's fails, and sent too.
            result = dispatch_outbox(MADE, channels=channels, links=LINKS)
        assert (result.failed, result.sent) == (1, 1)
        assert db.session.get(OutboxMessage, request.id).status == "failed"
    [(_, recipients)] = server.envelopes
    assert recipients == [PRACTITIONER]
    body = email.message_from_bytes(server.received[0]).get_payload(decode=True).decode()
    assert "could not be delivered" in body and "Amara" not in body
    assert "The partner's email could not be delivered" in _mine(app)


# --- after the first contact date -----------------------------------------------------------


def test_after_the_contact_date_the_practitioner_records_whether_contact_happened(app, council):
    with app.app_context():
        connection_id = _connect()
        _accept(connection_id, date(2027, 3, 26))
        staff_id = _staff(PRACTITIONER).id
        with pytest.raises(ServiceError) as early:
            record_contact(connection_id, happened=True, staff_id=staff_id, now=MADE)
        assert early.value.code == "contact_not_due"
    assert "Did the partner make contact?" not in _mine(app)

    clock.freeze(datetime(2027, 3, 27, 9, 0, tzinfo=UTC))
    client = app.test_client()
    sign_in(client, PRACTITIONER)
    mine = client.get("/admin/connections/mine").get_data(as_text=True)
    assert "Did the partner make contact?" in mine
    path = f"/admin/connections/{connection_id}/contact"
    client.post(path, data={"csrf_token": csrf_from(mine), "happened": "no"})
    mine = client.get("/admin/connections/mine").get_data(as_text=True)
    assert "No contact" in mine and "Change to yes" in mine
    # The family says the call came after all: the practitioner corrects it.
    client.post(path, data={"csrf_token": csrf_from(mine), "happened": "yes"})
    mine = client.get("/admin/connections/mine").get_data(as_text=True)
    assert "Contact happened" in mine and "Change to no" in mine
    with app.app_context():
        assert db.session.get(Connection, connection_id).contact_happened is True
        recorded = select(AuditEvent).filter_by(
            action="connection.contact_recorded", subject_id=connection_id
        )
        assert len(db.session.scalars(recorded).all()) == 2


def test_only_the_practitioner_who_made_it_records_contact(app, council):
    with app.app_context():
        connection_id = _connect()
        _accept(connection_id, date(2027, 3, 26))
        later = datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
        with pytest.raises(ServiceError) as refused:
            record_contact(
                connection_id, happened=True, staff_id=_staff("lead@riverside.example").id,
                now=later,
            )  # fmt: skip
        assert refused.value.code == "not_found"


# --- counts for reports ---------------------------------------------------------------------


def test_the_purge_erases_the_family_but_the_counts_stay(app, council):
    with app.app_context():
        first = _connect(name="Amara")
        _connect(name="Bea", service_index=1)
        _accept(first, date(2027, 3, 26))
        record_contact(
            first, happened=True, staff_id=_staff(PRACTITIONER).id,
            now=datetime(2027, 3, 29, 9, 0, tzinfo=UTC),
        )  # fmt: skip
        db.session.commit()
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
        year = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
        before = connection_counts([hub_id], *year)
        totals = [(c.made, c.accepted, c.completed) for c in before]
        assert sum(made for made, _, _ in totals) == 2
        assert (1, 1, 1) in totals
        assert {c.month for c in before} == {date(2027, 3, 1)}

        purged = purge_expired(MADE + timedelta(days=14 * 31))
        db.session.commit()
        assert purged["connections"] == 2
        names = db.session.scalars(select(Connection.shared_first_name)).all()
        assert names == ["", ""]
        assert connection_counts([hub_id], *year) == before


def test_the_counts_command_writes_csv_with_no_names(app, council):
    with app.app_context():
        connection_id = _connect()
        _accept(connection_id, date(2027, 3, 26))
    result = app.test_cli_runner().invoke(
        args=["connections", "counts", "--from", "2027-03", "--to", "2027-03"]
    )
    assert result.exit_code == 0, result.output
    header, row = result.output.splitlines()
    assert header == "hub,month,topic,partner,made,accepted,completed"
    assert row.startswith("riverside,2027-03,") and row.endswith(",1,1,0")
    assert "Amara" not in result.output
