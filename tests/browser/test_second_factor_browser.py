"""Setting up the second factor in Chromium, as a member of staff would: the key
read off the enrolment page into an authenticator (pyotp stands in for the
phone), signed out, and back in with password and code. No accessibility faults
axe can find on the set-up, recovery-code and code pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import expect

from frontdoor import clock
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser
EMAIL = "practitioner@riverside.example"


@pytest.fixture
def second_factor_on(app: Flask) -> Iterator[None]:
    app.config["FRONTDOOR"].second_factor_required = True
    yield
    app.config["FRONTDOOR"].second_factor_required = False


def _password(page) -> None:
    page.goto("/admin/sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_sign_out_and_sign_in_with_a_code(browser, live_server, demo, second_factor_on):
    now = datetime.now(UTC)
    start = now.replace(second=now.second - now.second % 30, microsecond=0)
    clock.freeze(start)
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = {}
    try:
        _password(page)
        expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
        found["set up"] = _axe(page)
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        app_on_phone = pyotp.TOTP(secret)

        page.get_by_label("Code from the app").fill(
            "000000" if app_on_phone.now() != "000000" else "111111"
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("There is a problem")).to_be_visible()
        found["set up errors"] = _axe(page)

        page.get_by_label("Code from the app").fill(app_on_phone.at(start))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        expect(page.locator(".fd-recovery-codes li")).to_have_count(10)
        found["recovery codes"] = _axe(page)
        page.get_by_role("link", name="I have kept my recovery codes").click()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

        # The next 30-second step: the first code was used and works no more.
        clock.freeze(start + timedelta(seconds=30))
        _password(page)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        found["code"] = _axe(page)
        page.get_by_label("Code").fill(app_on_phone.at(start + timedelta(seconds=30)))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        page.goto("/admin/account")
        expect(page.get_by_text("Your authenticator app is set up.")).to_be_visible()
        found["account"] = _axe(page)
    finally:
        context.close()
    assert found == {name: [] for name in found}
