"""Find support in Chromium: a family on the kiosk picks a topic by picture, opens a
checked service and sees its QR code (every button at least 64 pixels); "start again"
leaves nothing behind; the kiosk and phone pages, with the "send me this by text" form
as it is, with a number that cannot take a text and once sent, have no accessibility
faults axe can find, in English and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from directory.services import services_for_families
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub
from frontdoor.templating import LANGUAGES
from tests.browser.test_kiosk_browser import _SMALL_TARGETS, _axe, _open_kiosk, _words

pytestmark = pytest.mark.browser


def _riverside(app) -> tuple[int, str, str]:
    """The hub, and a checked money service families may see."""
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        service = services_for_families(hub.organisation_id, clock.now(), topic="money")[0]
        return hub.id, service.name, service.oruk_id


def test_a_family_finds_a_money_service_and_takes_it_away_as_a_qr_code(
    app, demo, browser, live_server
):
    hub_id, name, _reference = _riverside(app)
    page = _open_kiosk(app, browser, live_server, hub_id)
    try:
        page.goto("/kiosk/")
        small = {}
        page.get_by_role("button", name="Find support").click()
        small["topics"] = page.evaluate(_SMALL_TARGETS)
        page.get_by_role("button", name="Money and bills").click()
        expect(page.get_by_role("heading", name="Money and bills")).to_be_visible()
        small["services"] = page.evaluate(_SMALL_TARGETS)
        page.get_by_role("button", name=name).click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        small["service"] = page.evaluate(_SMALL_TARGETS)
        assert {screen: found for screen, found in small.items() if found} == {}
        expect(
            page.get_by_role("img", name=f"A QR code to see {name} on your phone")
        ).to_be_visible()
        assert "Money" not in page.url and "money" not in page.url
        page.goto("/kiosk/reset")
        page.go_back()
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
        assert name not in page.content()
        assert page.errors == []
    finally:
        page.context.close()


def _send_by_text(page, _, number: str) -> None:
    page.get_by_label(_("Mobile number"), exact=True).fill(number)
    page.get_by_role("button", name=_("Send me a text")).click()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_find_support_pages_have_no_accessibility_faults_axe_can_find(
    app, demo, browser, live_server, language
):
    _ = _words(app, language)
    hub_id, name, reference = _riverside(app)
    page = _open_kiosk(app, browser, live_server, hub_id, bypass_csp=True)
    found = {}
    try:
        page.goto("/kiosk/")
        if page.locator("html").get_attribute("lang") != language:
            page.get_by_role("button", name=LANGUAGES[language]["name"], exact=True).click()
        expect(page.locator(f'html[lang="{language}"]')).to_have_count(1)
        page.get_by_role("button", name=_("Find support")).click()
        found["kiosk topics"] = _axe(page)
        page.get_by_role("button", name=_("Money and bills")).click()
        found["kiosk services"] = _axe(page)
        page.get_by_role("button", name=name).click()
        found["kiosk service"] = _axe(page)
        _send_by_text(page, _, "01632 960 001")
        found["kiosk text, a landline"] = _axe(page)
        _send_by_text(page, _, "07700 900 982")
        expect(page.get_by_role("status")).to_be_visible()
        found["kiosk text, sent"] = _axe(page)
        phone = page.context.browser.new_context(
            base_url=live_server, bypass_csp=True, locale=language
        ).new_page()
        phone.set_extra_http_headers({"Accept-Language": language})
        for screen, path in (
            ("phone topics", "/book/riverside/support"),
            ("phone services", "/book/riverside/support?topic=money"),
            ("phone service", f"/book/support/services/{reference}"),
        ):
            phone.goto(path)
            expect(phone.locator(f'html[lang="{language}"]')).to_have_count(1)
            found[screen] = _axe(phone)
        _send_by_text(phone, _, "01632 960 001")
        expect(phone.locator(".govuk-error-summary")).to_be_visible()
        found["phone text, a landline"] = _axe(phone)
        _send_by_text(phone, _, "07700 900 982")
        expect(phone.locator(".govuk-notification-banner")).to_be_visible()
        found["phone text, sent"] = _axe(phone)
        phone.context.close()
    finally:
        page.context.close()
    assert {screen: faults for screen, faults in found.items() if faults} == {}
