"""A family books on a phone in their own language, chosen from the booking
site's language chooser, and every word they meet is in that language; the
booking pages have no accessibility faults axe can find in English, Arabic and
Urdu (right to left).

"Every word in that language" is checked against the catalogue itself: every
English msgid of the booking site (placeholders as wildcards) whose translation
differs from the English is looked for in each text node, each element's text,
each accessible name and the page title. A hub's own words (series titles, hub
names, categories) are not counted: they are shown as staff wrote them.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import AppointmentType, Hub, Room, ServiceCategory, SessionSeries
from frontdoor.templating import LANGUAGES
from tests.browser.test_kiosk_browser import _axe, _words
from tests.test_booking_site import site  # noqa: F401  (the demo council, on a Monday)
from tests.test_translations import _strings, booking_site_messages, catalog

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
CONSENT = (
    "I agree that the family hub can keep these details to manage my booking, "
    "as the privacy notice explains"
)

# The words a page shows, as a family (or their screen reader) meets them.
PAGE_WORDS = """() => {
    const squeeze = (text) => (text || "").replace(/\\s+/g, " ").trim();
    const words = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        if (!walker.currentNode.parentElement.closest("script, style")) {
            words.add(squeeze(walker.currentNode.textContent));
        }
    }
    const elements = [
        "h1, h2, h3, h4, p, li, label, legend, a, button",
        "dt, dd, th, td, option, span, strong, summary, caption",
    ];
    for (const element of document.body.querySelectorAll(elements.join(", "))) {
        words.add(squeeze(element.textContent));
    }
    const named = ["aria-label", "alt", "title", "placeholder"];
    for (const element of document.querySelectorAll(named.map((n) => `[${n}]`).join(", "))) {
        for (const name of named) {
            words.add(squeeze(element.getAttribute(name)));
        }
    }
    for (const part of document.title.split(" \u2013 ")) words.add(squeeze(part));
    words.delete("");
    return [...words];
}"""


def hubs_own_words(app) -> set[str]:
    """What staff wrote (hub, room and category names, series titles, kinds of
    appointment): shown as written until hubs can write them in each language."""
    with app.app_context():
        written = set()
        for column in (
            Hub.name,
            Room.name,
            ServiceCategory.name,
            SessionSeries.title,
            AppointmentType.name,
        ):
            written.update(db.session.scalars(select(column)))
        db.session.remove()
    return written


def english_left_in(app, code: str):
    """A check for ``code``: the page's words that are a catalogue string's English."""
    written = hubs_own_words(app)
    translations = catalog(code)
    patterns = []
    for msgid in booking_site_messages():
        message = translations.get(msgid)
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        if set(english) & set(_strings(message)):
            continue  # the same in this language (a name, an abbreviation)
        for text in english:
            literal = PLACEHOLDER.sub("", text)
            if PLACEHOLDER.search(text) and len(re.sub(r"\W", "", literal)) < 6:
                continue  # "%(a)s and %(b)s" would find "Stay and Play"
            parts = [re.escape(part.replace("%%", "%")) for part in PLACEHOLDER.split(text)]
            patterns.append((text, re.compile(".+?".join(parts))))

    def check(page) -> list[str]:
        return sorted(
            f"{words!r} is {english!r}"
            for words in page.evaluate(PAGE_WORDS)
            if words not in written
            for english, pattern in patterns
            if pattern.fullmatch(words)
        )

    return check


def phone(browser, live_server, **options):
    return browser.new_context(base_url=live_server, viewport=PHONE, **options).new_page()


def test_the_check_finds_english_on_an_english_page(site, browser, live_server):  # noqa: F811
    page = phone(browser, live_server)
    try:
        page.goto("/book/riverside/")
        found = english_left_in(site, "pl")(page)
        assert any("'Find your booking'" in line for line in found), found
        assert any("'Privacy notice'" in line for line in found), found
    finally:
        page.context.close()


@pytest.mark.parametrize("code", ["ar", "pl"])
def test_a_family_books_on_a_phone_in_their_language_from_the_chooser(
    site,  # noqa: F811
    browser,
    live_server,
    code,
):
    _ = _words(site, code)
    english_left = english_left_in(site, code)
    page = phone(browser, live_server)
    try:
        page.goto("/book/riverside/")
        page.get_by_role("navigation", name="Language").get_by_role(
            "link", name=LANGUAGES[code]["name"], exact=True
        ).click()
        expect(page.locator(f'html[lang="{code}"][dir="{LANGUAGES[code]["dir"]}"]')).to_have_count(
            1
        )
        assert english_left(page) == []

        page.get_by_role("link", name="Baby Massage").first.click()
        page.get_by_role("button", name=_("Book a place")).click()
        expect(page.get_by_role("heading", name=_("About you"))).to_be_visible()
        assert english_left(page) == []

        page.get_by_label(_("Adults"), exact=True).fill("1")
        page.get_by_label(_("Child %(n)s", n=1)).select_option(label=_("Babies under 1"))
        page.get_by_label(_("First name")).fill("Zoë")
        page.get_by_role("radio", name=_("Yes"), exact=True).check()
        page.get_by_label(_("Email address")).fill("zoe@example.com")
        if LANGUAGES[code]["dir"] == "rtl":
            radio = page.get_by_role("radio", name=_("Yes"), exact=True).bounding_box()
            label = page.locator("label", has_text=_("Yes")).first.bounding_box()
            assert radio["x"] > label["x"], "the radio sits at the start, on the right"
        page.get_by_role("button", name=_("Book a place")).click()  # consent not given
        expect(page.get_by_role("alert")).to_contain_text(_("There is a problem"))
        assert page.title().startswith(_("Error:"))
        assert english_left(page) == []

        page.get_by_role("checkbox", name=_(CONSENT)).check()
        page.get_by_role("button", name=_("Book a place")).click()
        expect(page.get_by_role("heading", name=_("Booking confirmed"))).to_be_visible()
        expect(page.locator(f'html[lang="{code}"][dir="{LANGUAGES[code]["dir"]}"]')).to_have_count(
            1
        )
        assert english_left(page) == []
    finally:
        page.context.close()


BOOKING_PAGES = (
    "/book/",
    "/book/riverside/",
    "/book/find",
    "/book/privacy",
    "/book/accessibility",
)


@pytest.mark.parametrize("code", ["en", "ar", "ur"])
def test_booking_pages_have_no_accessibility_faults_axe_can_find(
    site,  # noqa: F811
    browser,
    live_server,
    code,
):
    _ = _words(site, code)
    page = phone(browser, live_server, bypass_csp=True)
    try:
        page.goto(f"/book/riverside/?lang={code}")
        faults = {}
        for url in BOOKING_PAGES:
            page.goto(url)
            faults[url] = _axe(page)
        page.goto("/book/riverside/")
        page.get_by_role("link", name="Baby Massage").first.click()
        faults["session"] = _axe(page)
        page.get_by_role("button", name=_("Book a place")).click()
        page.get_by_role("button", name=_("Book a place")).click()  # nothing filled in
        expect(page.get_by_role("alert")).to_contain_text(_("There is a problem"))
        faults["booking form with errors"] = _axe(page)
        page.get_by_label(_("Adults"), exact=True).fill("1")
        page.get_by_label(_("First name")).fill("Zoë")
        page.get_by_role("radio", name=_("No"), exact=True).check()
        page.get_by_role("checkbox", name=_(CONSENT)).check()
        page.get_by_role("button", name=_("Book a place")).click()
        expect(page.get_by_role("heading", name=_("Booking confirmed"))).to_be_visible()
        faults["confirmation"] = _axe(page)
        page.get_by_role("link", name=_("Change who is coming or cancel your booking")).click()
        faults["manage"] = _axe(page)
        assert {name: found for name, found in faults.items() if found} == {}
    finally:
        page.context.close()
