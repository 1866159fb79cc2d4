"""A follow-up booked from a visit, in a real browser: its pages (with a refused form
showing its errors) have no accessibility faults axe can find, and a practitioner
books a family a place from the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import AppointmentType, Booking, Hub, Visit
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


def _visit(app) -> tuple[int, int]:
    """A family on Riverside's board, and one of the hub's appointment types."""
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        visit = Visit(hub_id=hub.id, kind="walk_in", first_name="Amira", language="pl",
                      arrived_at=clock.now())  # fmt: skip
        db.session.add(visit)
        db.session.commit()
        kind = db.session.scalar(select(AppointmentType.id).filter_by(hub_id=hub.id))
        return visit.id, kind


def test_follow_up_pages_have_no_accessibility_faults_axe_can_find(app, demo, browser, live_server):
    visit_id, type_id = _visit(app)
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = {}
    try:
        browser_sign_in(page, "practitioner@riverside.example")
        for name, path in (
            ("appointment", f"/admin/follow-up/visit/{visit_id}/appointment"),
            ("times", f"/admin/follow-up/visit/{visit_id}/appointment?type={type_id}"),
            ("place", f"/admin/follow-up/visit/{visit_id}/session"),
        ):
            page.goto(path)
            found[name] = _axe(page)
        page.get_by_role("button", name="Book the place").click()
        expect(page.get_by_role("link", name="Choose a session")).to_be_visible()
        found["place errors"] = _axe(page)
    finally:
        context.close()
    assert found == {name: [] for name in found}


def test_a_practitioner_books_a_place_from_the_board(app, demo, browser, live_server):
    _visit(app)
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_sign_in(page, "practitioner@riverside.example")
        page.goto("/admin/arrivals?hub=riverside")
        page.get_by_role("link", name="Book a follow-up for Amira").click()
        page.get_by_role("link", name="a place at a session").click()
        page.locator("input[name=session]:not([disabled])").first.check()
        page.get_by_role("button", name="Book the place").click()
        expect(page.get_by_text("Amira is booked:")).to_be_visible()
    finally:
        context.close()
    with app.app_context():
        booking = db.session.scalar(select(Booking).filter_by(first_name="Amira"))
        assert booking.language == "pl" and booking.source == "staff"
