"""Hub cards in Chromium, in English and Arabic: on a paired kiosk a family drops in,
takes a hub card from the thank-you screen, and next time shows it under the scanner;
another council's card is refused kindly; "start again" leaves nothing of the card
on screen. On a phone, a booking's confirmation page gives a card too. Every screen
has no accessibility faults axe can find, and every kiosk button is at least 64 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.site import manage_token
from frontdoor.extensions import db
from frontdoor.models import Booking, Visit
from frontdoor.qr import qr_svg
from frontdoor.templating import LANGUAGES
from tests.browser.test_kiosk_browser import (
    _SMALL_TARGETS,
    SCREENSHOTS,
    _axe,
    _open_kiosk,
    _words,
)
from tests.test_hub_cards import _card_for
from tests.test_kiosk import booked, place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def _in_language(page, language: str) -> None:
    """The start screen in ``language`` (a reset goes back to the hub's own)."""
    expect(page.get_by_role("button", name=re.compile("English$"))).to_be_visible()
    if page.locator("html").get_attribute("lang") != language:
        page.get_by_role("button", name=LANGUAGES[language]["name"], exact=True).click()
    direction = LANGUAGES[language]["dir"]
    expect(page.locator(f'html[lang="{language}"][dir="{direction}"]')).to_have_count(1)


def _scan(page, code: str) -> None:
    """What a keyboard-wedge scanner does: types the whole code fast, then Enter.
    The screen listens once its script has run, so the scan waits for that."""
    page.wait_for_load_state("load")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def _code_on_screen(app, page, card) -> str:
    """The code the card on screen holds. The screen keeps it for this visit (in
    its signed session), and the picture drawn must be that code's QR code."""
    name = app.config["SESSION_COOKIE_NAME"]
    [cookie] = [c for c in page.context.cookies() if c["name"] == name]
    state = app.session_interface.get_signing_serializer(app).loads(cookie["value"])
    code = state["kiosk"]["done"]["card"]
    drawn = qr_svg(code, label="")
    assert f'viewBox="{card.get_attribute("viewBox")}"' in drawn
    assert f'd="{card.locator("path").get_attribute("d")}"' in drawn
    return code


def _left_nothing(page, *gone: str) -> None:
    """The start screen, now and after Back, shows none of ``gone`` and no QR code."""
    for back in (False, True):
        if back:
            page.go_back()
        expect(page.get_by_role("button", name=re.compile("English$"))).to_be_visible()
        expect(page.locator("#main-content svg[role=img]")).to_have_count(0)
        for text in gone:
            assert text not in page.content()


def _drop_in(page, _, name: str) -> None:
    page.get_by_role("button", name=_("I'm here for a drop-in")).click()
    page.get_by_role("button", name=_("One more child: %(ages)s", ages=_("1 to 3 years"))).click()
    page.get_by_role("button", name=_("Next")).click()
    page.get_by_label(_("What is your first name?")).fill(name)
    page.get_by_role("button", name=_("Check in")).click()
    expect(page.get_by_role("heading", name=_("Thank you, %(name)s.", name=name))).to_be_visible()


def _visit_keys(app) -> list[str | None]:
    with app.app_context():
        keys = list(db.session.scalars(select(Visit.family_key).order_by(Visit.id)))
        db.session.remove()
    return keys


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_family_takes_a_hub_card_and_shows_it_next_time(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    language,
):
    _ = _words(app, language)
    other_council, _key = _card_for(app, place.hub_id, other_council=True)
    # axe is injected as a script, which the page's own policy rightly refuses.
    page = _open_kiosk(app, browser, live_server, place.hub_id, bypass_csp=True)
    faults, small = {}, {}

    def look(screen: str) -> None:
        faults[screen] = _axe(page)
        small[screen] = page.evaluate(_SMALL_TARGETS)

    try:
        page.goto("/kiosk/")
        _in_language(page, language)
        _drop_in(page, _, "Kai")
        # The offer takes reading: more time stops the screen going home by itself.
        page.get_by_role("button", name=_("I need more time")).click()
        look("thank you, with the offer")
        page.screenshot(path=str(SCREENSHOTS / f"kiosk-hub-card-offer-{language}.png"))
        page.get_by_role("button", name=_("Get a hub card")).click()
        card = page.get_by_role("img", name=_("Your hub card"))
        expect(card).to_be_visible()
        assert card.bounding_box()["width"] >= 200  # big enough to photograph
        look("the card")
        page.screenshot(path=str(SCREENSHOTS / f"kiosk-hub-card-{language}.png"))
        code = _code_on_screen(app, page, card)
        assert code not in page.url
        page.get_by_role("link", name=_("Done")).click()
        _left_nothing(page, _("Your hub card"))

        # Next visit: the card under the scanner, then a drop-in that knows them.
        _in_language(page, language)
        _scan(page, code)
        read = _("Thank you, we have read your hub card")
        expect(page.get_by_role("heading", name=read)).to_be_visible()
        assert code not in page.content() and code not in page.url
        look("card read")
        _drop_in(page, _, "Kai")
        expect(page.get_by_role("button", name=_("Get a hub card"))).to_have_count(0)
        first, second = _visit_keys(app)
        assert first is not None and second == first
        page.goto("/kiosk/reset")  # where Done, or the screen by itself, goes

        # Another council's card: kind words, and nothing of it after "start again".
        _in_language(page, language)
        _scan(page, other_council)
        expect(
            page.get_by_role("heading", name=_("This hub card is from another council"))
        ).to_be_visible()
        look("another council's card")
        page.screenshot(path=str(SCREENSHOTS / f"kiosk-hub-card-other-council-{language}.png"))
        page.locator("#main-content").get_by_role("link", name=_("Start again")).click()
        _left_nothing(page, _("This hub card is from another council"), read)
        assert page.errors == []
    finally:
        page.context.close()
    assert {screen: found for screen, found in faults.items() if found} == {}
    assert {screen: found for screen, found in small.items() if found} == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_booking_confirmation_gives_a_hub_card_on_a_phone(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    language,
):
    _ = _words(app, language)
    booking_id, _reference = booked(app, place.massage)
    with app.test_request_context():
        token = manage_token(db.session.get_one(Booking, booking_id))
        db.session.remove()
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    phone = context.new_page()
    faults = {}
    try:
        phone.goto(f"/book/bookings/{token}")
        expect(phone.locator(f'html[lang="{language}"]')).to_have_count(1)
        faults["confirmation"] = _axe(phone)
        phone.get_by_role("button", name=_("Get a hub card")).click()
        card = phone.get_by_role("img", name=_("Your hub card"))
        expect(card).to_be_visible()
        assert card.bounding_box()["width"] >= 150
        assert "HUBCARD" not in phone.url
        faults["the card"] = _axe(phone)
        phone.screenshot(path=str(SCREENSHOTS / f"phone-hub-card-{language}.png"), full_page=True)
        phone.get_by_role("link", name=_("Back to your booking")).click()
        expect(phone.get_by_role("button", name=_("Get a hub card"))).to_be_visible()
    finally:
        context.close()
    assert {screen: found for screen, found in faults.items() if found} == {}
