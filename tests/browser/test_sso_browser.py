"""Council single sign-on in Chromium: a colleague presses the council's button, signs
in at the council's provider (a real one, tests/oidc/provider.mjs) and lands on their
staff home; the sign-in page has no accessibility faults axe can find, with and
without the password form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_kiosk_browser import _axe
from tests.oidc_fixtures import LABEL, configure_sso

pytestmark = pytest.mark.browser


def test_a_colleague_signs_in_with_their_council_account_and_lands_on_their_home(
    app, demo, page, live_server, oidc_provider
):
    subject = oidc_provider.account("reception@riverside.example")
    with configure_sso(app, oidc_provider, live_server):
        page.goto("/admin/arrivals")  # signed out: sent to sign in, and back after
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_role("button", name=LABEL).click()
        expect(page.get_by_role("heading", name="Test council sign-in")).to_be_visible()
        page.get_by_label("Account").fill(subject)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live_server}/admin/arrivals**")
        page.goto("/admin/")
        expect(page.get_by_role("heading", name="Hello, Tom Reid")).to_be_visible()


@pytest.mark.parametrize("password_sign_in", [True, False], ids=["with-password", "sso-only"])
def test_the_sign_in_page_has_no_accessibility_faults_axe_can_find(
    app, browser, live_server, oidc_provider, password_sign_in
):
    # axe is added as a script of its own: the page's policy lets in only ours.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    try:
        with configure_sso(app, oidc_provider, live_server, password_sign_in=password_sign_in):
            page.goto("/admin/sign-in")
            expect(page.get_by_role("button", name=LABEL)).to_be_visible()
            password = page.get_by_label("Password", exact=True)
            expect(password).to_have_count(1 if password_sign_in else 0)
            assert _axe(page) == []
    finally:
        context.close()
