"""Introducing a family to a colleague in a real browser: the connect page (with its
age and language narrowing and its colleagues), the colleague's own list and My
connections have no accessibility faults axe can find, and "I'll see them" on the
colleague's own list leaves the introduction accepted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from connections.services import Shared, make_connection
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Connection, HelpRequest, Hub, StaffUser
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


def _introduced(app) -> tuple[int, int]:
    """A help request at Riverside, and its family introduced by Sam to Grace."""
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        asked = HelpRequest(
            hub_id=hub.id, topic="money", first_name="Amara", created_at=clock.now()
        )
        db.session.add(asked)
        db.session.flush()
        staff = {s.email: s.id for s in db.session.scalars(select(StaffUser))}
        made = make_connection(
            hub_id=hub.id, staff_id=staff["practitioner@riverside.example"],
            to_staff_id=staff["lead@riverside.example"], consent=True,
            shared=Shared(first_name="Amara", reason="Money worries", best_time="Mornings"),
            now=clock.now(), help_request_id=asked.id,
        )  # fmt: skip
        db.session.commit()
        return asked.id, made.id


def test_a_colleague_sees_the_introduction_and_says_they_will_see_them(
    app, demo, browser, live_server
):
    help_id, connection_id = _introduced(app)
    found = {}
    sam = browser.new_context(base_url=live_server, bypass_csp=True).new_page()
    grace = browser.new_context(base_url=live_server, bypass_csp=True).new_page()
    try:
        browser_sign_in(sam, "practitioner@riverside.example")
        sam.goto(f"/admin/connections/help/{help_id}?age=4&language=pl")
        found["connect"] = _axe(sam)
        browser_sign_in(grace, "lead@riverside.example")
        grace.goto("/admin/connections/mine")
        found["my connections"] = _axe(grace)
        grace.goto("/admin/arrivals/mine?hub=riverside")
        expect(grace.get_by_text("Money worries")).to_be_visible()
        found["own list"] = _axe(grace)
        grace.get_by_role("button", name="I'll see them").click()
        expect(grace.get_by_text("Introduced to you (0)")).to_be_visible()
    finally:
        sam.context.close()
        grace.context.close()
    assert {page: faults for page, faults in found.items() if faults} == {}
    with app.app_context():
        assert db.session.get(Connection, connection_id).status == "accepted"
