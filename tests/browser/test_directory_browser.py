"""The directory's pages in a real browser: the managers' pages (with a refused
form showing its errors) and the partner's check page have no accessibility
faults axe can find, and a partner's "still right" marks their services checked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from directory.partner_checks import check_link
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Partner, PartnerService
from frontdoor.outbox import Links
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


def _food_bank(app) -> tuple[int, int]:
    with app.app_context():
        partner = db.session.scalar(select(Partner).filter_by(name="Northgate Food Bank"))
        return partner.id, partner.services[0].id


def test_directory_pages_have_no_accessibility_faults_axe_can_find(app, demo, browser, live_server):
    partner_id, service_id = _food_bank(app)
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = {}
    try:
        browser_sign_in(page, "manager@riverside.example")
        for name, path in (
            ("list", "/admin/directory"),
            ("due", "/admin/directory?due=1"),
            ("partner", f"/admin/directory/partners/{partner_id}"),
            ("new partner", "/admin/directory/partners/new"),
            ("service", f"/admin/directory/services/{service_id}"),
            ("new service", f"/admin/directory/partners/{partner_id}/services/new"),
        ):
            page.goto(path)
            found[name] = _axe(page)
        page.get_by_role("button", name="Save service").click()
        expect(page.get_by_text("There is a problem")).to_be_visible()
        found["service errors"] = _axe(page)
        page.goto("/admin/directory/partners/new")
        page.get_by_role("button", name="Save partner").click()
        expect(page.get_by_text("There is a problem")).to_be_visible()
        found["partner errors"] = _axe(page)
        link = check_link(Links(live_server, app.config["SECRET_KEY"]), partner_id, "2027-Q1")
        page.goto(link)
        found["partner check"] = _axe(page)
        page.goto(f"{link}/services/{service_id}")
        found["partner correction"] = _axe(page)
        page.goto(f"{link[:-4]}xxxx")
        expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
        found["partner check link problem"] = _axe(page)
    finally:
        context.close()
    assert found == {name: [] for name in found}


def test_a_partner_says_everything_is_still_right(app, demo, page, live_server):
    partner_id, service_id = _food_bank(app)
    page.goto(check_link(Links(live_server, app.config["SECRET_KEY"]), partner_id, "2027-Q1"))
    before = clock.now()
    page.get_by_role("button", name="Everything is still right").click()
    expect(page.get_by_text("Your services are marked as checked today")).to_be_visible()
    with app.app_context():
        service = db.session.get(PartnerService, service_id)
        assert service.last_checked_by == "the partner"
        assert service.last_checked_at >= before.replace(microsecond=0)
