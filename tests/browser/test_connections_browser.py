"""Connections in Chromium, end to end, in three browser contexts: a family asks
a paired kiosk to talk to someone; a practitioner sees the help request on the
board, connects the family to a checked partner service with their consent; a
real SMTP server (aiosmtpd) receives the partner's email; the partner opens its
link and accepts; the practitioner's "My connections", open all along and never
reloaded, says "Accepted". And no accessibility faults axe can find on the
connection pages, staff and partner."""

from __future__ import annotations

import email
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from arrivals.help_requests import request_help
from connections.messages import connection_link
from connections.services import Shared, accept, decline, make_connection, services_to_connect
from frontdoor import clock
from frontdoor.channels import SmtpChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.extensions import db
from frontdoor.models import Connection, Hub, OutboxMessage, StaffUser
from frontdoor.outbox import Links
from tests.browser.test_kiosk_browser import _axe, _open_kiosk
from tests.conftest import browser_sign_in
from tests.message_servers import smtp_server

pytestmark = pytest.mark.browser
PRACTITIONER = "practitioner@riverside.example"


def _riverside(app) -> tuple[int, int]:
    """Riverside's id, and the checked money service the practitioner will choose."""
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        service = services_to_connect(hub.organisation_id, clock.now(), topic="money")[0]
        return hub.id, service.id


def _staff_context(browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    browser_sign_in(page, PRACTITIONER)
    return page


def _the_list_fetched_again(response) -> bool:
    fragment = response.request.headers.get("hx-request") == "true"
    return fragment and response.url.endswith("/admin/connections/mine")


def _send_the_outbox(app, live_server: str) -> str:
    """Dispatch the outbox to a real SMTP server: the partner's email, as received."""
    with app.app_context(), smtp_server() as (port, server):
        config = replace(app.config["FRONTDOOR"], smtp_port=port)
        links = Links(live_server, app.config["SECRET_KEY"])
        dispatch_outbox(clock.now(), channels={"email": SmtpChannel(config)}, links=links)
        wanted = db.session.scalar(
            select(OutboxMessage.recipient).filter_by(template="connection_request")
        )
        received = [
            email.message_from_bytes(raw)
            for (_, recipients), raw in zip(server.envelopes, server.received, strict=True)
            if recipients == [wanted]
        ]
    assert len(received) == 1, "the partner's contact gets one email"
    return received[0].get_payload(decode=True).decode()


def test_a_family_is_connected_to_a_partner_who_accepts_and_the_list_says_so_live(
    app, demo, browser, live_server
):
    hub_id, service_id = _riverside(app)
    kiosk = _open_kiosk(app, browser, live_server, hub_id)
    practitioner = _staff_context(browser, live_server)
    partner = browser.new_context(base_url=live_server).new_page()
    try:
        # The family, at the kiosk.
        kiosk.goto("/kiosk/")
        kiosk.get_by_role("button", name="I'd like to talk to someone").click()
        kiosk.get_by_role("button", name="Money and bills").click()
        kiosk.get_by_label("Your first name (optional)").fill("Zainab")
        kiosk.get_by_role("button", name="Ask for someone").click()
        expect(kiosk.get_by_role("heading", name="Thank you, Zainab.")).to_be_visible()

        # The practitioner: the board, Connect, consent, what is shared, send.
        practitioner.goto("/admin/arrivals?hub=riverside")
        practitioner.get_by_role("link", name="Connect Zainab").click()
        expect(practitioner.get_by_text("Safeguarding concerns go through")).to_be_visible()
        practitioner.locator(f"input[name=service][value='{service_id}']").check()
        expect(practitioner.get_by_label("First name")).to_have_value("Zainab")
        practitioner.get_by_label("Phone call").check()
        practitioner.get_by_label("Phone number or email address").fill("07700 900 982")
        practitioner.get_by_label("A short reason").fill("Worried about the gas bill")
        practitioner.get_by_label("The family agreed to this introduction").check()
        # My connections opens its stream, and fetches its list again once it is open
        # (for anything that changed in between).
        with practitioner.expect_response(_the_list_fetched_again):
            practitioner.get_by_role("button", name="Send the introduction").click()
        expect(practitioner.get_by_role("heading", name="My connections")).to_be_visible()
        row = practitioner.locator("#my-connections tr", has_text="Zainab")
        expect(row.locator("[data-status]")).to_have_text("Sent")
        practitioner.evaluate("() => { window.__neverReloaded = true; }")

        # A real mail server receives the partner's email, with its link.
        body = _send_the_outbox(app, live_server)
        link = re.search(re.escape(live_server) + r"(/partners/connections/\S+)", body)
        assert link and "Zainab" not in body  # nothing personal in the email itself

        # The partner opens the link (the practitioner sees "opened") and accepts.
        partner.goto(link[1])
        expect(partner.get_by_role("heading", name="A family introduced to you")).to_be_visible()
        expect(partner.locator("[data-shared]")).to_contain_text("Worried about the gas bill")
        expect(row.locator("[data-status]")).to_have_text("Opened by the partner")
        contact_by = clock.today() + timedelta(days=2)
        partner.get_by_label("When will you make contact?").fill(contact_by.isoformat())
        partner.get_by_role("button", name="Accept").click()
        expect(partner.get_by_role("heading", name="Accepted")).to_be_visible()

        # The practitioner's list, never reloaded, says so.
        expect(row.locator("[data-status]")).to_have_text("Accepted")
        expect(row).to_contain_text(f"Will make contact by {contact_by:%-d %B %Y}")
        expect(practitioner.get_by_role("heading", name="Accepted (1)")).to_be_visible()
        assert practitioner.evaluate("() => window.__neverReloaded") is True
        assert kiosk.errors == [] and practitioner.errors == []
    finally:
        for page in (kiosk, practitioner, partner):
            page.context.close()


def _connections_to_show(app, hub_id: int, service_id: int) -> tuple[int, str]:
    """A help request to connect from, and one connection of each answer (with a
    link to one still waiting) so every group and state of the pages is drawn."""
    secret = app.config["SECRET_KEY"]
    with app.app_context():
        staff_id = db.session.scalar(select(StaffUser.id).filter_by(email=PRACTITIONER))
        asked = request_help(hub_id, topic="money", now=clock.now(), first_name="Bea")
        made = [
            make_connection(
                hub_id=hub_id, staff_id=staff_id, service_id=service_id, consent=True,
                shared=Shared(first_name=name, reason="Money worries"), now=clock.now(),
                help_request_id=asked.id,
            )
            for name in ("Amara", "Bea", "Cai")
        ]  # fmt: skip
        db.session.flush()
        links = Links("", secret)
        tokens = [connection_link(links, c.id, c.link_ref).rsplit("/", 1)[1] for c in made]
        accept(secret, tokens[0], contact_by=clock.today() + timedelta(days=3), now=clock.now())
        decline(secret, tokens[1], reason="We are full this term", now=clock.now())
        db.session.commit()
        waiting = db.session.get(Connection, made[2].id)
        return asked.id, connection_link(links, waiting.id, waiting.link_ref)


def test_connection_pages_have_no_accessibility_faults_axe_can_find(
    app, demo, browser, live_server
):
    hub_id, service_id = _riverside(app)
    help_id, partner_path = _connections_to_show(app, hub_id, service_id)
    found = {}
    staff = _staff_context(browser, live_server, bypass_csp=True)
    partner = browser.new_context(base_url=live_server, bypass_csp=True).new_page()
    try:
        staff.goto(f"/admin/connections/help/{help_id}")
        found["connect"] = _axe(staff)
        staff.get_by_role("button", name="Send the introduction").click()
        expect(staff.get_by_text("There is a problem")).to_be_visible()
        found["connect errors"] = _axe(staff)
        staff.goto("/admin/connections/mine")
        expect(staff.get_by_role("heading", name="Declined (1)")).to_be_visible()
        found["my connections"] = _axe(staff)
        partner.goto(partner_path)
        found["partner"] = _axe(partner)
        partner.get_by_role("button", name="Decline").click()
        expect(partner.get_by_text("There is a problem")).to_be_visible()
        found["partner errors"] = _axe(partner)
        partner.get_by_label("When will you make contact?").fill(clock.today().isoformat())
        partner.get_by_role("button", name="Accept").click()
        expect(partner.get_by_role("heading", name="Accepted")).to_be_visible()
        found["partner accepted"] = _axe(partner)
        partner.goto(partner_path[:-4] + "xxxx")
        expect(partner.get_by_role("heading", name="This link does not work")).to_be_visible()
        found["partner link problem"] = _axe(partner)
    finally:
        staff.context.close()
        partner.context.close()
    assert found == {name: [] for name in found}
