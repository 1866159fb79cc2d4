"""The pages a stopped link and a busy kiosk show, as a family sees them: no
accessibility faults axe can find, in English and Arabic (right to left)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from booking.contact import Party
from booking.services import change_party
from booking.site import manage_token
from frontdoor import clock
from frontdoor.config import Config
from frontdoor.extensions import db
from frontdoor.models import Booking
from frontdoor.templating import LANGUAGES
from tests.browser.test_kiosk_browser import _axe, _open_kiosk, _words
from tests.test_kiosk import NOW, booked, place  # noqa: F401  (a fixture)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_link_from_before_a_change_says_kindly_it_has_expired(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    language,
):
    _ = _words(app, language)
    booking_id, _reference = booked(app, place.massage)
    with app.test_request_context():
        booking = db.session.get_one(Booking, booking_id)
        old = manage_token(booking)
        change_party(booking, Party(2, ("0-1",)), now=clock.now())
        db.session.commit()
        db.session.remove()
    context = browser.new_context(
        base_url=live_server,
        bypass_csp=True,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    phone = context.new_page()
    try:
        response = phone.goto(f"/book/bookings/{old}")
        assert response is not None and response.status == 410
        expect(phone.get_by_role("heading", name=_("This link has expired"))).to_be_visible()
        expect(phone.get_by_role("link", name=_("Find your booking")).first).to_be_visible()
        assert _axe(phone) == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_busy_kiosk_asks_calmly_for_reception(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    language,
):
    _ = _words(app, language)
    clock.freeze(NOW)
    page = _open_kiosk(app, browser, live_server, place.hub_id, bypass_csp=True)
    try:
        page.goto("/kiosk/")
        if page.locator("html").get_attribute("lang") != language:
            page.get_by_role("button", name=LANGUAGES[language]["name"], exact=True).click()
        expect(page.locator(f'html[lang="{language}"]')).to_have_count(1)
        # A scanner (or a script) tries one code after another from this screen.
        page.evaluate(
            """async (tries) => {
                const token = document.querySelector('input[name=csrf_token]').value;
                for (let i = 0; i < tries; i++) {
                    const body = new URLSearchParams({csrf_token: token, code: 'ZZZZ' + i});
                    await fetch('/kiosk/scan', {method: 'POST', body});
                }
            }""",
            Config.kiosk_lookups + 1,
        )
        page.goto("/kiosk/sorry")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(_("Please tell reception you're here"))
        expect(page.get_by_role("button", name=_("Try again"))).to_have_count(0)
        assert _axe(page) == []
    finally:
        page.context.close()
