"""The booking site on a small phone (320 to 390 pixels wide): the first screen of
What's on shows a session, the filters are folded behind one control, a session's
time and room are never cut off, every link and button is at least 24 pixels high
(WCAG 2.2's target size, 2.5.8), and axe finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_kiosk_browser import _axe
from tests.test_booking_site import site  # noqa: F401  (the demo council, on a Monday)

pytestmark = pytest.mark.browser

# Links, buttons and the filters' fold, shown (not the skip link, one pixel until
# focused), less than 24 pixels high: measured in the page's own font, once loaded.
SMALL_TARGETS = """async () => (await document.fonts.ready) && [...document.querySelectorAll(
    "a, button, summary, input[type=submit], input[type=button]"
)].map((e) => [e, e.getBoundingClientRect()])
  .filter(([e, box]) => box.width > 1 && box.height < 24)
  .map(([e, box]) => `${e.tagName} ${e.textContent.trim()}: ${box.height}`)"""

# Each session's time and room, where its text is wider than its box.
CLIPPED = """() => [...document.querySelectorAll(".fd-timetable__when")]
  .filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent.trim())"""


@pytest.mark.parametrize("size", [(320, 640), (390, 844)])
def test_whats_on_fits_a_small_phone(site, browser, live_server, size):  # noqa: F811
    width, height = size
    viewport = {"width": width, "height": height}
    context = browser.new_context(base_url=live_server, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto("/book/riverside/")
        page.evaluate("async () => { await document.fonts.ready; }")  # laid out in its font
        first = page.locator(".fd-timetable__when").first.bounding_box()
        assert first is not None and first["y"] + first["height"] <= height, "a session's time"
        assert page.locator("details.fd-filters-fold").count() == 1
        expect(page.get_by_label("Search")).to_be_hidden()
        assert page.evaluate(CLIPPED) == []
        assert (small := page.evaluate(SMALL_TARGETS)) == [], small

        page.get_by_text("Filter sessions", exact=True).click()  # one press opens them
        expect(page.get_by_label("Search")).to_be_visible()
        assert (small := page.evaluate(SMALL_TARGETS)) == [], small
        assert _axe(page) == []

        page.get_by_role("link", name="Baby Massage").first.click()
        assert (small := page.evaluate(SMALL_TARGETS)) == [], small
        page.get_by_role("button", name="Book a place").click()
        page.get_by_role("button", name="Add another child").click()
        expect(page.get_by_label("Child 2")).to_be_focused()
        assert (small := page.evaluate(SMALL_TARGETS)) == [], small
    finally:
        context.close()
