"""Connecting a family to a partner service: nothing leaves the hub without the
family's consent; the partner's contact is emailed once, with a signed link to a
page showing only what the family agreed to share; they accept or decline (the
first answer stands); the link expires after 30 days or when staff withdraw it;
every opening is in the audit log."""

from __future__ import annotations

import email
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from connections.messages import connection_link
from connections.services import Shared, make_connection, withdraw
from directory.services import directory_services, services_for_families
from frontdoor import clock
from frontdoor.channels import SmtpChannel
from frontdoor.demo import load_demo
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Connection,
    HelpRequest,
    Hub,
    Organisation,
    OutboxMessage,
    PartnerService,
    StaffUser,
)
from frontdoor.outbox import Links, render_message
from tests.conftest import DEMO_PASSWORD, csrf_from, sign_in
from tests.message_servers import smtp_server

NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)  # a Wednesday
LINKS = Links("https://hub.example", "test-secret-key")
AMARA = Shared(
    first_name="Amara",
    contact_method="phone",
    contact="07700 900 982",
    reason="Wants her son to join a football club",
    best_time="Weekday mornings",
    interpreter=True,
    language="Yoruba",
)


@pytest.fixture
def council(app):
    """The demo council under a frozen clock, and a help request at Riverside."""
    clock.freeze(NOW)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        db.session.add(
            HelpRequest(hub_id=hub.id, topic="money", first_name="Amara", created_at=NOW)
        )
        db.session.commit()
        db.session.remove()


def _ids() -> dict[str, int]:
    hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
    organisation_id = db.session.scalar(select(Organisation.id))
    checked = services_for_families(organisation_id, NOW)
    return {
        "hub_id": hub.id,
        "staff_id": db.session.scalar(
            select(StaffUser.id).filter_by(email="practitioner@riverside.example")
        ),
        "help_request_id": db.session.scalar(select(HelpRequest.id).filter_by(hub_id=hub.id)),
        "service_id": next(s.id for s in checked if s.partner.contact_email),
    }


def _connect(app, shared: Shared = AMARA, consent: bool = True, **changes) -> int:
    with app.app_context():
        ids = {**_ids(), **changes}
        connection = make_connection(consent=consent, shared=shared, now=clock.now(), **ids)
        db.session.commit()
        return connection.id


def _messages(app) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).filter_by(template="connection_request")
        return list(db.session.scalars(query))


def _partner_path(app, connection_id: int) -> str:
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        return connection_link(LINKS, connection.id, connection.link_ref).removeprefix(
            LINKS.base_url
        )


def _status(app, connection_id: int) -> str:
    with app.app_context():
        return db.session.get(Connection, connection_id).status


# --- making a connection ----------------------------------------------------------------------


def test_without_the_familys_consent_nothing_is_saved_or_sent(app, council):
    with pytest.raises(ServiceError) as refused:
        _connect(app, consent=False)
    assert refused.value.code == "consent_required"
    with app.app_context():
        assert db.session.scalar(select(func.count(Connection.id))) == 0
    assert _messages(app) == []


def test_a_service_due_for_checking_cannot_be_connected_to(app, council):
    with app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id))
        due = directory_services(organisation_id, NOW, due_only=True)[0].id
    with pytest.raises(ServiceError) as refused:
        _connect(app, service_id=due)
    assert refused.value.code == "service_not_checked"
    assert _messages(app) == []


def test_the_partners_contact_is_emailed_once_with_a_link_and_no_personal_data(app, council):
    connection_id = _connect(app)
    [message] = _messages(app)
    with app.app_context():
        service = db.session.get(PartnerService, _ids()["service_id"])
        assert message.recipient == service.partner.contact_email
        words = render_message(message, LINKS)
        made = db.session.scalar(
            select(AuditEvent).filter_by(action="connection.made", subject_id=connection_id)
        )
        assert made.staff_id == _ids()["staff_id"]
    assert "/partners/connections/" in words.body
    assert "Amara" not in words.body and "07700" not in words.body
    assert "reach them through" not in words.body


def test_a_family_with_no_contact_details_is_reached_through_the_hub(app, council):
    _connect(app, shared=Shared(first_name="Amara"))
    [message] = _messages(app)
    with app.app_context():
        body = render_message(message, LINKS).body
    assert "The family gave no contact details: please reach them through Riverside" in body
    page = app.test_client().get(_partner_path(app, message.payload["connection_id"]))
    assert "Through the family hub" in page.get_data(as_text=True)


def test_the_consent_is_recorded_with_who_asked_and_when(app, council):
    connection_id = _connect(app)
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert connection.consent_asked_by_id == _ids()["staff_id"]
        assert connection.consent_at.replace(tzinfo=UTC) == NOW
        assert connection.shared_contact == "+447700900982"


# --- the partner's page -----------------------------------------------------------------------


def test_the_partner_sees_only_what_the_family_agreed_to_share(app, council):
    # The help request's topic and the visit's last name were never agreed to share.
    with app.app_context():
        hub_id = _ids()["hub_id"]
        db.session.scalar(select(HelpRequest).filter_by(hub_id=hub_id)).topic = "housing"
        db.session.commit()
    without_reason = replace(AMARA, reason="", interpreter=False, language="")
    connection_id = _connect(app, shared=without_reason)
    page = app.test_client().get(_partner_path(app, connection_id)).get_data(as_text=True)
    assert "Amara" in page and "+447700900982" in page and "Weekday mornings" in page
    assert (
        "football club" not in page
        and "Yoruba" not in page
        and "Reason for the introduction" not in page
    )
    assert "housing" not in page.lower()


def test_the_partner_accepts_with_when_they_will_make_contact(app, council):
    connection_id = _connect(app)
    partner = app.test_client()
    path = _partner_path(app, connection_id)
    page = partner.get(path).get_data(as_text=True)
    assert "Wants her son to join a football club" in page and "Yoruba" in page
    assert _status(app, connection_id) == "opened"
    answer = partner.post(
        f"{path}/accept", data={"csrf_token": csrf_from(page), "contact_by": "2027-03-12"}
    )
    assert answer.status_code == 200
    assert "You said you will make contact by 12 March 2027" in answer.get_data(as_text=True)
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert (connection.status, connection.contact_by) == ("accepted", date(2027, 3, 12))


def test_a_decline_needs_a_reason_and_then_the_hub_has_it(app, council):
    connection_id = _connect(app)
    partner = app.test_client()
    path = _partner_path(app, connection_id)
    csrf = csrf_from(partner.get(path).get_data(as_text=True))
    empty = partner.post(f"{path}/decline", data={"csrf_token": csrf, "reason": "  "})
    assert empty.status_code == 400 and "Enter a reason" in empty.get_data(as_text=True)
    assert _status(app, connection_id) == "opened"
    partner.post(f"{path}/decline", data={"csrf_token": csrf, "reason": "Our club is full"})
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert (connection.status, connection.decline_reason) == ("declined", "Our club is full")


def test_the_first_answer_stands_and_a_second_gets_plain_words(app, council):
    connection_id = _connect(app)
    partner = app.test_client()
    path = _partner_path(app, connection_id)
    csrf = csrf_from(partner.get(path).get_data(as_text=True))
    partner.post(f"{path}/accept", data={"csrf_token": csrf, "contact_by": "2027-03-12"})
    second = partner.post(f"{path}/decline", data={"csrf_token": csrf, "reason": "Changed mind"})
    assert "the first answer stands" in second.get_data(as_text=True)
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert (connection.status, connection.decline_reason) == ("accepted", "")


def test_every_opening_of_the_partners_link_is_in_the_audit_log(app, council):
    connection_id = _connect(app)
    path = _partner_path(app, connection_id)
    for _ in range(3):
        assert app.test_client().get(path).status_code == 200
    with app.app_context():
        openings = db.session.scalars(
            select(AuditEvent).filter_by(action="connection.opened", subject_id=connection_id)
        ).all()
    assert len(openings) == 3


def test_a_link_expires_after_30_days(app, council):
    connection_id = _connect(app)
    path = _partner_path(app, connection_id)
    clock.freeze(NOW + timedelta(days=30) - timedelta(seconds=1))
    assert app.test_client().get(path).status_code == 200
    clock.freeze(NOW + timedelta(days=30))
    expired = app.test_client().get(path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)
    assert "Amara" not in expired.get_data(as_text=True)


def test_a_withdrawn_link_shows_nothing_and_takes_no_answer(app, council):
    connection_id = _connect(app)
    partner = app.test_client()
    path = _partner_path(app, connection_id)
    csrf = csrf_from(partner.get(path).get_data(as_text=True))
    with app.app_context():
        ids = _ids()
        withdraw(connection_id, staff_id=ids["staff_id"], hub_id=ids["hub_id"], now=NOW)
        db.session.commit()
    page = partner.get(path)
    assert page.status_code == 410 and "Amara" not in page.get_data(as_text=True)
    assert "withdrawn" in page.get_data(as_text=True)
    answer = partner.post(f"{path}/accept", data={"csrf_token": csrf, "contact_by": "2027-03-12"})
    assert answer.status_code == 410
    assert _status(app, connection_id) == "withdrawn"


def test_a_tampered_link_gets_plain_words(app, council):
    connection_id = _connect(app)
    path = _partner_path(app, connection_id)
    response = app.test_client().get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


# --- the email reaches a real mail server -----------------------------------------------------


def test_a_real_smtp_server_receives_the_partners_email_and_its_link_opens_the_page(app, council):
    connection_id = _connect(app)
    with app.app_context(), smtp_server() as (port, server):
        config = replace(current_app.config["FRONTDOOR"], smtp_port=port)
        result = dispatch_outbox(NOW, channels={"email": SmtpChannel(config)}, links=LINKS)
        assert result.sent == 1
        recipient = db.session.get(Connection, connection_id).service.partner.contact_email
    assert server.envelopes[0][1] == [recipient]
    body = email.message_from_bytes(server.received[0]).get_payload(decode=True).decode()
    link = re.search(r"https://hub\.example(/partners/connections/\S+)", body)
    assert link
    page = app.test_client().get(link[1])
    assert page.status_code == 200 and "Amara" in page.get_data(as_text=True)


# --- the staff pages --------------------------------------------------------------------------


def _signed_in(app, email_address: str = "practitioner@riverside.example"):
    client = app.test_client()
    sign_in(client, email_address)
    return client


def _connect_page(app, client) -> tuple[str, str]:
    with app.app_context():
        help_id = _ids()["help_request_id"]
    board = client.get("/admin/arrivals?hub=riverside").get_data(as_text=True)
    link = re.search(r'data-connect href="([^"]+)"', board)
    assert link, "a practitioner sees Connect on the board's rows"
    assert link[1] == f"/admin/connections/help/{help_id}"
    return link[1], client.get(link[1]).get_data(as_text=True)


def _form(page: str, service_id: int, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf_from(page),
        "service": service_id,
        "consent": "y",
        "first_name": "Amara",
        "contact_method": "phone",
        "contact": "07700 900 982",
        "reason": "Wants her son to join a football club",
        "best_time": "Weekday mornings",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_practitioner_connects_a_family_from_the_board_with_consent(app, council):
    client = _signed_in(app)
    path, page = _connect_page(app, client)
    assert "safeguarding concerns go through the council" in page.lower()
    with app.app_context():
        service_id = _ids()["service_id"]
        service_name = db.session.get(PartnerService, service_id).name
    sent = client.post(f"{path}?topic=", data=_form(page, service_id))
    assert sent.status_code == 302 and sent.location.endswith("/admin/connections/mine")
    assert len(_messages(app)) == 1
    mine = client.get("/admin/connections/mine").get_data(as_text=True)
    assert "Waiting for an answer (1)" in mine and service_name in mine


def test_without_the_consent_box_ticked_the_page_refuses_and_nothing_is_sent(app, council):
    client = _signed_in(app)
    path, page = _connect_page(app, client)
    with app.app_context():
        service_id = _ids()["service_id"]
    refused = client.post(path, data=_form(page, service_id, consent=None))
    assert refused.status_code == 400
    assert "tick that they agreed" in refused.get_data(as_text=True)
    assert _messages(app) == []


def test_the_staff_page_lists_only_checked_services(app, council):
    client = _signed_in(app)
    with app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id))
        due = directory_services(organisation_id, NOW, due_only=True)
        topic = due[0].topic
        due_names = {s.name for s in due if s.topic == topic}
        help_id = _ids()["help_request_id"]
    page = client.get(f"/admin/connections/help/{help_id}?topic={topic}").get_data(as_text=True)
    assert due_names and not any(name in page for name in due_names)


def test_reception_does_not_see_connect_on_the_board(app, council):
    client = _signed_in(app, "reception@riverside.example")
    board = client.get("/admin/arrivals?hub=riverside").get_data(as_text=True)
    assert "Amara" in board and "data-connect" not in board


def test_my_connections_shows_the_partners_answer(app, council):
    client = _signed_in(app)
    connection_id = _connect(app)
    partner = app.test_client()
    path = _partner_path(app, connection_id)
    csrf = csrf_from(partner.get(path).get_data(as_text=True))
    partner.post(f"{path}/accept", data={"csrf_token": csrf, "contact_by": "2027-03-12"})
    mine = client.get("/admin/connections/mine").get_data(as_text=True)
    assert "Accepted (1)" in mine and "Will make contact by 12 March 2027" in mine


def test_staff_withdraw_a_connection_and_its_link_stops_working(app, council):
    client = _signed_in(app)
    connection_id = _connect(app)
    mine = client.get("/admin/connections/mine").get_data(as_text=True)
    client.post(
        f"/admin/connections/{connection_id}/withdraw", data={"csrf_token": csrf_from(mine)}
    )
    assert app.test_client().get(_partner_path(app, connection_id)).status_code == 410
    assert "Withdrawn (1)" in client.get("/admin/connections/mine").get_data(as_text=True)


def test_the_retention_purge_erases_what_was_shared_and_keeps_the_count(app, council):
    from frontdoor.retention import purge_expired

    connection_id = _connect(app)
    with app.app_context():
        assert purge_expired(NOW + timedelta(days=30))["connections"] == 0
        totals = purge_expired(NOW + timedelta(days=14 * 31))
        db.session.commit()
        connection = db.session.get(Connection, connection_id)
        assert totals["connections"] == 1
        kept = (connection.shared_first_name, connection.shared_contact, connection.shared_reason)
        assert kept == ("", "", "")
        assert db.session.scalar(select(func.count(Connection.id))) == 1
