"""The kiosk's first screen in every language, in Chromium: the language choice at
the top, no label spilling out of its tile on the three kiosk screens, Bengali drawn
in the Bengali font the app ships, and the English home small enough to load fast
on a hub's slow line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frontdoor.templating import LANGUAGES
from tests.browser.test_kiosk_browser import kiosk_page  # noqa: F401  (a fixture)
from tests.test_kiosk import place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

FIRST_LOAD_BUDGET = 150 * 1024

# Every tile a finger touches on the home screen whose label spills out of it.
_SPILLING_TILES = """() => [...document.querySelectorAll('#main-content button')]
  .filter(tile => tile.scrollWidth > tile.clientWidth || tile.scrollHeight > tile.clientHeight)
  .map(tile => `${tile.className} "${tile.textContent.trim().slice(0, 30)}"`
    + ` ${tile.scrollWidth}x${tile.scrollHeight} in ${tile.clientWidth}x${tile.clientHeight}`)"""


def _choose(page, language: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=LANGUAGES[language]["name"], exact=True).click()
    expect(page.locator(f'html[lang="{language}"]')).to_have_count(1)
    page.evaluate("async () => { await document.fonts.ready; }")


def test_the_language_choice_comes_first_on_the_home_screen(kiosk_page):  # noqa: F811
    page = kiosk_page
    page.goto("/kiosk/")
    first = page.locator("#main-content > *").first
    expect(first.get_by_role("button")).to_have_count(len(LANGUAGES))
    languages = first.get_by_role("button").all()
    welcome = page.get_by_role("heading", name="Welcome").bounding_box()
    assert all(button.bounding_box()["y"] < welcome["y"] for button in languages)
    assert all(button.bounding_box()["height"] >= 80 for button in languages)


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1280, 800)], ids=str)
def test_no_label_spills_out_of_its_tile_in_any_language(kiosk_page, size):  # noqa: F811
    page = kiosk_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto("/kiosk/")
    spilling = {}
    for language in LANGUAGES:
        _choose(page, language)
        spilling[language] = page.evaluate(_SPILLING_TILES)
    assert {language: tiles for language, tiles in spilling.items() if tiles} == {}
    assert page.errors == []


def _fonts_drawing(page, selector: str) -> list[dict]:
    """The fonts Chromium really drew an element's text with, and how many glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_bengali_is_drawn_in_the_bengali_font_the_app_ships(kiosk_page):  # noqa: F811
    page = kiosk_page
    page.goto("/kiosk/")
    _choose(page, "bn")
    drawn = _fonts_drawing(page, "h1")
    assert [(font["familyName"], font["isCustomFont"]) for font in drawn] == [
        ("Noto Sans Bengali", True)
    ]
    loaded = page.evaluate(
        """() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"""
    )
    assert any("Noto Sans Bengali" in family for family in loaded)


def test_the_english_home_is_within_150_kb_on_first_load_fonts_included(kiosk_page):  # noqa: F811
    page = kiosk_page
    page.goto("/kiosk/")
    page.evaluate("async () => { await document.fonts.ready; }")
    page.wait_for_load_state("load")
    loaded = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map(entry => [entry.name, entry.transferSize])"""
    )
    files = [name.rsplit("/", 1)[-1] for name, _ in loaded]
    assert "noto-sans-latin-400-normal.woff2" in files  # the fonts were counted
    # Other scripts only as far as the language chooser's names need them.
    assert not [name for name in files if name.startswith(("noto-sans-bengali", "noto-nastaliq"))]
    total = sum(size for _, size in loaded)
    assert total <= FIRST_LOAD_BUDGET, "\n".join(f"{size:>8} {name}" for name, size in loaded)
