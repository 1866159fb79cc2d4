"""A session lead, in Chromium: builds a series, pages to next week with htmx and
cancels one session, with no Content-Security-Policy complaints on the way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from frontdoor import clock
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _monday_1_june_2026():
    clock.freeze(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))


def test_lead_builds_a_series_and_cancels_one_session(page, demo):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, "lead@riverside.example")

    page.goto("/admin/timetable?hub=riverside")
    page.get_by_role("link", name="Add a session series").click()
    page.get_by_label("Title", exact=True).fill("Toddler Yoga")
    page.get_by_label("Tuesday").check()
    page.locator("#start_date-day").fill("2")
    page.locator("#start_date-month").fill("6")
    page.locator("#start_date-year").fill("2026")
    page.get_by_label("Start time", exact=True).fill("9:30")
    page.get_by_label("End time", exact=True).fill("10:15")
    page.get_by_label("Capacity", exact=True).fill("12")
    page.get_by_role("button", name="Save series").click()

    expect(page.get_by_text("Series saved: 12 sessions created")).to_be_visible()
    yoga = page.locator(".fd-slot", has_text="Toddler Yoga")
    expect(yoga).to_contain_text("09:30\N{EN DASH}10:15")

    page.get_by_role("link", name="Next week").click()
    page.wait_for_url("**/admin/timetable?hub=riverside&week=2026-06-08")
    expect(page.get_by_role("heading", name="Week beginning Monday 8 June 2026")).to_be_visible()
    # Only the week was swapped: the message from the last full page is still there.
    expect(page.get_by_text("Series saved: 12 sessions created")).to_be_visible()

    page.locator(".fd-slot", has_text="Toddler Yoga").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Toddler Yoga")).to_be_visible()
    expect(page.get_by_text("Tuesday 9 June 2026")).to_be_visible()
    page.get_by_label("Reason for cancelling").fill("Teacher unwell")
    page.get_by_role("button", name="Cancel this session").click()
    expect(page.get_by_text("Session cancelled")).to_be_visible()

    page.get_by_role("link", name="Back to the timetable").click()
    cancelled = page.locator(".fd-slot--cancelled", has_text="Toddler Yoga")
    expect(cancelled).to_contain_text("Cancelled")
    expect(cancelled).to_contain_text("Teacher unwell")
    assert errors == []  # Content-Security-Policy refusals show up here first


def test_lead_gives_a_series_title_in_polish_and_a_family_reads_it(browser, live_server, demo):
    # CSP bypassed only so that axe can be added to the page.
    staff = browser.new_context(base_url=live_server, bypass_csp=True).new_page()
    family = browser.new_context(base_url=live_server, bypass_csp=True).new_page()
    try:
        browser_sign_in(staff, "lead@riverside.example")
        staff.goto("/admin/timetable/series/new?hub=riverside")
        staff.get_by_text("In other languages").click()
        # The form's own older faults (conditional radios, the back link) are not
        # this section's; axe looks at the section alone.
        assert _axe(staff, ".govuk-details") == []
        staff.get_by_label("Title", exact=True).fill("Toddler Yoga")
        titles = staff.get_by_role("group", name="Title")
        titles.get_by_label("Polish (Polski)").fill("Joga dla maluchów")
        staff.get_by_label("Tuesday").check()
        staff.locator("#start_date-day").fill("2")
        staff.locator("#start_date-month").fill("6")
        staff.locator("#start_date-year").fill("2026")
        staff.get_by_label("Start time", exact=True).fill("9:30")
        staff.get_by_label("End time", exact=True).fill("10:15")
        staff.get_by_label("Capacity", exact=True).fill("12")
        staff.get_by_role("button", name="Save series").click()
        expect(staff.get_by_text("Series saved: 12 sessions created")).to_be_visible()

        family.goto("/book/riverside/?lang=pl&week=2026-06-01")
        expect(family.get_by_role("link", name="Joga dla maluchów").first).to_be_visible()
        family.goto("/book/riverside/?lang=bn&week=2026-06-01")
        expect(family.get_by_role("link", name="Toddler Yoga").first).to_be_visible()
    finally:
        staff.context.close()
        family.context.close()
