"""Your account's "Where you are signed in" and the forced "Change your password",
in a real browser with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_kiosk_browser import _axe
from tests.conftest import browser_sign_in, sign_in

LEAD = "lead@riverside.example"


def test_where_you_are_signed_in_reads_well_and_signs_out_there(app, demo, browser, live_server):
    # axe is added as a script tag, which our Content-Security-Policy would block.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    try:
        _walk(app, context.new_page())
    finally:
        context.close()


def _walk(app, page) -> None:
    sign_in(app.test_client(), LEAD)  # another browser
    browser_sign_in(page, LEAD)
    page.goto("/admin/account")
    expect(page.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    expect(page.get_by_role("cell", name="Another browser")).to_be_visible()
    found = {"account": _axe(page)}
    page.get_by_role("button", name="Sign out there").click()
    expect(page.get_by_text("You were signed out there")).to_be_visible()
    expect(page.get_by_role("cell", name="Another browser")).to_have_count(0)
    found["after"] = _axe(page)
    assert found == {"account": [], "after": []}
