"""Families booking through a real browser on a phone-sized screen.

The live server runs in this process, so the clock frozen here is the server's too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Booking, Session
from tests.booking_fixtures import make_session
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}


def booking_with(app, reference: str) -> Booking:
    with app.app_context():
        booking = db.session.scalar(select(Booking).filter_by(reference=reference))
        db.session.expunge(booking)
        return booking


def fill_in_family(page, first_name: str, email: str) -> None:
    page.get_by_label("Adults").fill("1")
    page.get_by_label("Child 1").select_option(label="Babies under 1")
    page.get_by_label("First name").fill(first_name)
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Email address").fill(email)  # revealed under "Yes"
    page.get_by_role("checkbox", name=re.compile("I agree")).check()


def reference_on(page) -> str:
    return page.locator(".fd-reference").inner_text().replace(" ", "")


def test_a_family_books_on_a_phone_keeps_the_details_and_cancels(app, page, tmp_path):
    from frontdoor.demo import load_demo

    clock.freeze(MONDAY)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        db.session.commit()
    page.set_viewport_size(PHONE)

    page.goto("/book/")
    page.get_by_role("link", name="Riverside Family Hub").click()
    page.get_by_role("heading", name="What's on").wait_for()
    page.get_by_text("Filter sessions", exact=True).click()  # folded on a phone
    page.get_by_label("Search").fill("massage")
    page.get_by_role("button", name="Show sessions").click()
    page.get_by_role("link", name="Baby Massage").click()
    page.get_by_text("Five gentle weeks of baby massage").wait_for()
    page.get_by_role("button", name="Book a place").click()

    fill_in_family(page, "Zoë", "zoe@example.com")
    page.get_by_role("button", name="Book a place").click()

    page.get_by_role("heading", name="Booking confirmed").wait_for()
    reference = reference_on(page)
    booking = booking_with(app, reference)
    assert (booking.status, booking.first_name, booking.children) == ("confirmed", "Zoë", ["0-1"])
    qr = page.get_by_role("img", name="QR code to check in")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    assert page.get_by_role("button", name="Print this page").is_visible()  # JS shows it

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Add to your calendar")).click()
    saved = tmp_path / "booking.ics"
    download.value.save_as(saved)
    calendar = saved.read_bytes().decode()
    assert download.value.suggested_filename == f"booking-{reference}.ics"
    assert "DTSTART:20261124T133000Z\r\n" in calendar

    page.get_by_role("link", name="Change who is coming or cancel your booking").click()
    page.get_by_role("button", name="Cancel my booking").click()
    page.get_by_role("heading", name="This booking was cancelled").wait_for()
    assert booking_with(app, reference).status == "cancelled"


def test_a_family_on_the_waiting_list_gets_the_place_another_family_gives_up(
    app, page, browser, live_server
):
    with app.app_context():
        session_id = make_session(capacity=1)
        hub = db.session.get(Session, session_id).hub.slug
    book = f"/book/{hub}/sessions/{session_id}/book"
    page.set_viewport_size(PHONE)
    other = browser.new_context(base_url=live_server, viewport=PHONE).new_page()
    try:
        other.goto(book)
        fill_in_family(other, "Ana", "ana@example.com")
        other.get_by_role("button", name="Book a place").click()
        other.get_by_role("heading", name="Booking confirmed").wait_for()

        page.goto(f"/book/{hub}/sessions/{session_id}")
        page.get_by_role("button", name="Join the waiting list").click()
        fill_in_family(page, "Bea", "bea@example.com")
        page.get_by_role("button", name="Join the waiting list").click()
        page.get_by_role("heading", name="You are on the waiting list").wait_for()
        assert page.get_by_text("You are number 1 on the waiting list.").is_visible()
        reference = reference_on(page)
        waiting_page = page.url

        other.get_by_role("link", name="Change who is coming or cancel your booking").click()
        other.get_by_role("button", name="Cancel my booking").click()
        other.get_by_role("heading", name="This booking was cancelled").wait_for()

        page.goto(waiting_page)
        page.get_by_role("heading", name="Booking confirmed").wait_for()
        assert page.get_by_role("img", name="QR code to check in").is_visible()
        assert booking_with(app, reference).status == "confirmed"
    finally:
        other.context.close()


def test_the_last_place_going_while_a_family_types_offers_the_waiting_list_in_place(
    app, page, browser, live_server
):
    with app.app_context():
        session_id = make_session(capacity=1)
        hub = db.session.get(Session, session_id).hub.slug
    book = f"/book/{hub}/sessions/{session_id}/book"
    page.set_viewport_size(PHONE)
    other = browser.new_context(base_url=live_server, viewport=PHONE).new_page()
    try:
        page.goto(book)
        fill_in_family(page, "Bea", "bea@example.com")
        page.get_by_label("First name").fill("")
        page.evaluate("window.stillThisPage = true")  # gone if the browser loads a new page
        page.get_by_role("button", name="Book a place").click()
        summary = page.get_by_role("alert")  # GOV.UK's error summary, focused
        expect(summary).to_contain_text("Enter your first name")
        # GOV.UK's error summary takes focus, so a screen reader announces it.
        # (Playwright's own check: a string given to wait_for_function is eval'd in the
        # page, which our Content-Security-Policy refuses once it has to poll.)
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        assert page.title().startswith("Error:")
        page.get_by_label("First name").fill("Bea")

        other.goto(book)
        fill_in_family(other, "Ana", "ana@example.com")
        other.get_by_role("button", name="Book a place").click()
        other.get_by_role("heading", name="Booking confirmed").wait_for()

        page.get_by_role("button", name="Book a place").click()
        page.get_by_role("heading", name="Sorry, this session is now full").wait_for()
        assert page.evaluate("window.stillThisPage") is True  # drawn in place by htmx
        expect(page.get_by_text("You would be number 1 on the waiting list.")).to_be_visible()
        page.get_by_role("button", name="Join the waiting list").click()
        page.get_by_role("heading", name="You are on the waiting list").wait_for()
        booking = booking_with(app, reference_on(page))
        assert (booking.status, booking.first_name, booking.email) == (
            "waiting",
            "Bea",
            "bea@example.com",
        )
    finally:
        other.context.close()


def test_a_phone_over_the_bookings_limit_is_shown_a_calm_page_in_its_language(
    app, browser, live_server, one_booking_an_hour
):
    with app.app_context():
        session_id = make_session(capacity=5)
        hub = db.session.get(Session, session_id).hub.slug
    book = f"/book/{hub}/sessions/{session_id}/book"
    # CSP bypassed only so that axe can be added to the page.
    phone = browser.new_context(base_url=live_server, bypass_csp=True, viewport=PHONE).new_page()
    arabic = browser.new_context(
        base_url=live_server, bypass_csp=True, extra_http_headers={"Accept-Language": "ar"}
    ).new_page()
    try:
        phone.goto(book)
        fill_in_family(phone, "Bea", "bea@example.com")
        phone.get_by_role("button", name="Book a place").click()
        phone.get_by_role("heading", name="Booking confirmed").wait_for()

        phone.goto(book)
        fill_in_family(phone, "Ana", "ana@example.com")
        phone.get_by_role("button", name="Book a place").click()  # sent by htmx
        expect(phone.get_by_role("heading", name="Too many bookings")).to_be_visible()
        expect(phone.get_by_text("please try again in 60 minutes")).to_be_visible()
        assert _axe(phone) == []

        answer = arabic.goto("/book/too-many-bookings")
        assert answer is not None and answer.status == 429
        expect(arabic.get_by_role("heading", name="عدد كبير جدًا من الحجوزات")).to_be_visible()
        assert arabic.locator("main .govuk-grid-row").get_attribute("dir") == "rtl"
        assert _axe(arabic) == []
    finally:
        phone.context.close()
        arabic.context.close()
