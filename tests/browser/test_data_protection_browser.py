"""Data protection in a real browser: a manager finds a family's records, downloads
them, and searches the audit log; a family opens the privacy notice's QR code on the
kiosk. axe finds no faults on any of these pages."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_kiosk_browser import _axe, _open_kiosk
from tests.conftest import browser_sign_in
from tests.test_data_protection import EMAIL, _family
from tests.test_kiosk import place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def test_a_manager_finds_a_family_downloads_it_and_reads_the_audit_log(
    app, demo, browser, live_server, tmp_path
):
    made = _family(app)
    context = browser.new_context(base_url=live_server, accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = {}
    try:
        browser_sign_in(page, "manager@riverside.example")
        page.goto("/admin/")
        page.get_by_role("link", name="Family records").first.click()
        found["empty"] = _axe(page)
        page.get_by_label("Email address, mobile number or booking reference").fill(EMAIL)
        page.get_by_role("button", name="Find their records").click()
        expect(page.get_by_role("heading", name="Bookings, appointments and waiting lists (2)"))
        assert EMAIL not in page.url
        found["record"] = _axe(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download as a file (JSON)").click()
        saved = tmp_path / "family.json"
        download.value.save_as(saved)
        page.get_by_role("link", name="Audit log").first.click()
        page.get_by_label("Family's booking reference").fill(str(made["reference"]))
        page.get_by_role("button", name="Search").click()
        expect(page.locator("tr[data-action='subject_access.download']")).to_have_count(1)
        found["audit"] = _axe(page)
    finally:
        context.close()
    assert len(json.loads(saved.read_text())["visits"]) == 3
    assert found == {name: [] for name in found}


def test_the_privacy_notice_is_a_tap_away_on_the_kiosk(app, browser, live_server, place):  # noqa: F811
    page = _open_kiosk(app, browser, live_server, place.hub_id, bypass_csp=True)
    try:
        page.goto("/kiosk/")
        page.get_by_text("How we use your information").click()
        code = page.get_by_role("img", name="A QR code to read our privacy notice on your phone")
        expect(code).to_be_visible()
        faults = _axe(page)
    finally:
        page.context.close()
    assert faults == []
