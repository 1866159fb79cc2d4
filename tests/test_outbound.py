"""Calls to other services never follow a redirect (ASVS 15.3.2): GOV.UK Notify,
the council's sign-in provider and a directory feed each answer 302 from a real
local server, the call fails in plain words, and the address the redirect names is
never asked for."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import current_app

from booking.contact import Contact, Party
from booking.services import book_session
from frontdoor import oidc
from frontdoor.channels import NotifyChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Organisation, OutboxMessage
from frontdoor.outbox import Links
from tests.booking_fixtures import NOW, make_session
from tests.message_servers import NOTIFY_API_KEY, redirecting_server


def _config(**changes):
    return replace(current_app.config["FRONTDOOR"], **changes)


def test_notify_answering_with_a_redirect_is_a_failed_send_not_followed(app_context):
    book_session(
        make_session(), Party(1, ("0-1",)), Contact("Amara", email="amara@example.com"), now=NOW
    )
    db.session.commit()
    with redirecting_server() as (base_url, asked):
        channel = NotifyChannel(
            _config(
                notify_api_key=NOTIFY_API_KEY,
                notify_base_url=base_url,
                notify_email_template_id="email-template",
            )
        )
        result = dispatch_outbox(
            NOW, channels={"email": channel}, links=Links("http://localhost", "secret")
        )
    assert (result.sent, result.retrying) == (0, 1)
    assert asked == ["/v2/notifications/email"]
    message = db.session.query(OutboxMessage).one()
    assert "redirect" in message.last_error


def test_a_sign_in_provider_answering_with_a_redirect_is_refused_not_followed(app_context):
    with redirecting_server() as (base_url, asked):
        config = _config(
            oidc_discovery_url=f"{base_url}/.well-known/openid-configuration",
            oidc_issuer="followed",
            oidc_client_id="front-door",
            oidc_client_secret="client-secret",
        )
        with pytest.raises(ServiceError) as refused:
            oidc.begin(config, "http://localhost/staff/sso/callback")
    assert refused.value.code == "sso_failed"
    assert asked == ["/.well-known/openid-configuration"]


def test_a_directory_feed_answering_with_a_redirect_is_not_imported(app):
    with app.app_context():
        db.session.add(Organisation(name="Riverside Council", slug="riverside-council"))
        db.session.commit()
    with redirecting_server() as (base_url, asked):
        result = app.test_cli_runner().invoke(
            args=["directory", "import", f"{base_url}/services.json"]
        )
    assert result.exit_code != 0
    assert "redirect" in result.output and "Traceback" not in result.output
    assert asked == ["/services.json"]
