"""When a family is connected and gave an email or a number to text, they are sent a
message in their own language saying what was arranged and who will contact them;
with no way to reach them by message (no details, or a phone call asked for) none
is queued."""

from __future__ import annotations

import email
from dataclasses import replace

import pytest
from flask import current_app
from sqlalchemy import select

from connections.family_message import TEMPLATE
from connections.services import Shared, make_connection, withdraw
from frontdoor import clock
from frontdoor.channels import SmtpChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import HelpRequest, OutboxMessage, PartnerService, Visit
from frontdoor.outbox import Links, render_message
from tests.message_servers import smtp_server
from tests.test_connections import _ids, council  # noqa: F401  (fixture)
from tests.test_translations import ROOT, TRANSLATED, messages_in, untranslated

LINKS = Links("https://hub.example", "test-secret-key")


def _connect_from_a_visit(app, shared: Shared, language: str = "pl") -> None:
    with app.app_context():
        ids = _ids()
        visit = Visit(
            hub_id=ids["hub_id"],
            kind="walk_in",
            first_name="Ola",
            language=language,
            arrived_at=clock.now(),
        )
        db.session.add(visit)
        db.session.flush()
        make_connection(
            hub_id=ids["hub_id"],
            staff_id=ids["staff_id"],
            service_id=ids["service_id"],
            consent=True,
            shared=shared,
            now=clock.now(),
            visit_id=visit.id,
        )
        db.session.commit()


def _family_messages(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).filter_by(template=TEMPLATE)))


def test_a_polish_family_is_emailed_in_polish_what_was_arranged(app, council):  # noqa: F811
    _connect_from_a_visit(app, Shared("Ola", contact_method="email", contact="ola@example.com"))
    [message] = _family_messages(app)
    assert (message.language, message.channel) == ("pl", "email")
    with app.app_context(), smtp_server() as (port, server):
        service = db.session.get(PartnerService, _ids()["service_id"])
        config = replace(current_app.config["FRONTDOOR"], smtp_port=port)
        channels = {"email": SmtpChannel(config)}
        assert dispatch_outbox(clock.now(), channels=channels, links=LINKS).sent == 2
        names = (service.name, service.partner.name)
    mine = next(i for i, to in enumerate(server.envelopes) if to[1] == ["ola@example.com"])
    body = email.message_from_bytes(server.received[mine]).get_payload(decode=True).decode()
    assert "Dzień dobry Ola," in body
    assert f"Zgodnie z Twoją zgodą skontaktowaliśmy Cię z: {names[0]} ({names[1]})." in body
    assert f"{names[1]} skontaktuje się z Tobą." in body


def test_a_family_asking_for_texts_gets_a_text(app, council):  # noqa: F811
    _connect_from_a_visit(
        app, Shared("Ola", contact_method="text", contact="07700 900982"), language="uk"
    )
    [message] = _family_messages(app)
    assert (message.channel, message.recipient, message.language) == ("sms", "+447700900982", "uk")
    with app.app_context():
        assert "зв'яжеться з вами" in render_message(message, LINKS).body


def test_texts_are_asked_for_on_a_mobile_not_a_landline(app, council):  # noqa: F811
    with pytest.raises(ServiceError) as refused:
        Shared("Ola", contact_method="text", contact="020 7946 0000").checked()
    assert (refused.value.code, refused.value.field) == ("invalid_mobile", "contact")


@pytest.mark.parametrize("how", ["through_hub", "phone"])
def test_no_message_without_an_email_or_a_number_to_text(app, council, how):  # noqa: F811
    contact = "" if how == "through_hub" else "020 7946 0000"
    _connect_from_a_visit(app, Shared("Ola", contact_method=how, contact=contact))
    assert _family_messages(app) == []


def test_a_help_request_gives_its_language(app, council):  # noqa: F811
    with app.app_context():
        ids = _ids()
        db.session.get(HelpRequest, ids["help_request_id"]).language = "ar"
        shared = Shared("Amara", contact_method="email", contact="a@example.com")
        make_connection(consent=True, now=clock.now(), shared=shared, **ids)
        db.session.commit()
    [message] = _family_messages(app)
    assert message.language == "ar"


def test_a_connection_withdrawn_before_the_message_goes_sends_it_not(app, council):  # noqa: F811
    _connect_from_a_visit(app, Shared("Ola", contact_method="email", contact="ola@example.com"))
    [message] = _family_messages(app)
    with app.app_context():
        ids = _ids()
        withdraw(
            message.payload["connection_id"],
            staff_id=ids["staff_id"],
            hub_id=ids["hub_id"],
            now=clock.now(),
        )
        db.session.commit()
        with smtp_server() as (port, server):
            config = replace(current_app.config["FRONTDOOR"], smtp_port=port)
            dispatch_outbox(clock.now(), channels={"email": SmtpChannel(config)}, links=LINKS)
    assert ["ola@example.com"] not in [to for _, to in server.envelopes]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_word_of_the_familys_message_is_translated(code):
    words = messages_in([("python", ROOT / "connections" / "family_message.py")])
    assert len(words) >= 6
    assert untranslated(code, words) == []
