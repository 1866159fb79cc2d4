"""The kiosk's name keyboard in the family's own script, in Chromium: a Bengali name
typed on it reaches the arrivals board as typed, and the Arabic and Urdu keyboards
(right to left, with a key to Latin letters and back) have no faults axe can find."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frontdoor.templating import LANGUAGES
from tests.browser.test_arrivals_browser import _board, _card, staff_page  # noqa: F401
from tests.browser.test_kiosk_browser import _axe, _open_kiosk, _words
from tests.test_kiosk import place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def _to_the_name_screen(page, _, language: str) -> None:
    page.goto("/kiosk/")
    page.get_by_role("button", name=LANGUAGES[language]["name"], exact=True).click()
    expect(page.locator(f'html[lang="{language}"]')).to_have_count(1)
    page.get_by_role("button", name=_("I'm here for a drop-in")).click()
    page.get_by_role("button", name=_("Next")).click()
    expect(page.get_by_label(_("What is your first name?"))).to_be_visible()


def test_a_name_typed_in_bengali_is_on_the_board_as_typed(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    staff_page,  # noqa: F811
):
    _ = _words(app, "bn")
    board = _board(staff_page("desk@test.example"))
    kiosk = _open_kiosk(app, browser, live_server, place.hub_id)
    try:
        _to_the_name_screen(kiosk, _, "bn")
        keyboard = kiosk.locator("[data-keyboard=letters]")
        for key in ["র", "া", "জ", "ু"]:  # রাজু: letters and vowel signs, as written
            keyboard.locator(f"[data-key='{key}']").click()
        expect(kiosk.get_by_label(_("What is your first name?"))).to_have_value("রাজু")
        kiosk.get_by_role("button", name=_("Check in")).click()
        expect(
            kiosk.get_by_role("heading", name=_("Thank you, %(name)s.", name="রাজু"))
        ).to_be_visible()
        expect(_card(board, "রাজু")).to_be_visible()
        assert kiosk.errors == [] and board.page.errors == []
    finally:
        kiosk.context.close()


@pytest.mark.parametrize("language", ["ar", "ur"])
def test_the_right_to_left_name_keyboard_has_no_faults_axe_can_find(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    language,
):
    _ = _words(app, language)
    # axe is injected as a script, which the page's own policy rightly refuses.
    page = _open_kiosk(app, browser, live_server, place.hub_id, bypass_csp=True)
    found = {}
    try:
        _to_the_name_screen(page, _, language)
        keyboard = page.locator("[data-keyboard=letters]")
        own = keyboard.locator("[data-keyboard-page=own-0]")
        expect(own).to_be_visible()
        expect(own).to_have_attribute("dir", "rtl")
        found["own letters"] = _axe(page)
        keyboard.get_by_role("button", name=_("More letters")).click()
        expect(keyboard.locator("[data-keyboard-page=own-1]")).to_be_visible()
        found["more letters"] = _axe(page)
        latin = keyboard.get_by_role("button", name=_("Latin letters"))
        latin.click()
        expect(keyboard.locator("[data-keyboard-page=latin-0]")).to_have_attribute("dir", "ltr")
        keyboard.locator("[data-key='S'], [data-key='A'], [data-key='M']").first.click()
        found["latin letters"] = _axe(page)
        latin.click()  # and back
        expect(own).to_be_visible()
        own.locator("[data-key]").first.click()
        expect(page.get_by_label(_("What is your first name?"))).not_to_have_value("")
        assert page.errors == []
    finally:
        page.context.close()
    assert {screen: faults for screen, faults in found.items() if faults} == {}
