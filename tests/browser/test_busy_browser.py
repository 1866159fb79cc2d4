"""A busy database, in Chromium: a family's booking form stays as it was under a
note to try again in a moment, and sending it again books; the kiosk shows its
calm "please tell reception" screen and starts again by itself.

The app is served a second time, on the same database, with a pool of one
connection; the test takes that connection to make the database busy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from frontdoor.extensions import db
from frontdoor.models import Booking
from tests.browser.test_booking_browser import PHONE, fill_in_family
from tests.browser.test_kiosk_browser import _open_kiosk
from tests.test_booking_site import small_session
from tests.test_database_failures import app_on, every_connection_taken
from tests.test_kiosk import place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def busy_server(app: Flask, database_url: str, tmp_path_factory) -> Iterator[tuple[str, Flask]]:
    """(its address, the app it serves): one connection, waited for a second."""
    tiny = app_on(database_url, tmp_path_factory, workers=1, threads=1, database_wait_seconds=1)
    server = make_server("127.0.0.1", 0, tiny, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tiny
    server.shutdown()
    thread.join()
    with tiny.app_context():
        db.engine.dispose()


def test_a_family_whose_booking_meets_a_busy_database_sends_it_again_and_is_booked(
    app, browser, busy_server
):
    address, tiny = busy_server
    slug, session_id = small_session(app)
    page = browser.new_context(base_url=address, viewport=PHONE).new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"/book/{slug}/sessions/{session_id}/book")
        fill_in_family(page, "Zoë", "zoe@example.com")
        with every_connection_taken(tiny):
            page.get_by_role("button", name="Book a place").click()
            note = page.locator("#fd-busy")
            expect(note).to_contain_text("Sorry, the service is busy")
            expect(note).to_contain_text("Please try again in a moment.")
        expect(page.get_by_label("First name")).to_have_value("Zoë")  # the form stayed

        page.get_by_role("button", name="Book a place").click()
        page.get_by_role("heading", name="Booking confirmed").wait_for()
    finally:
        page.context.close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_kiosk_that_meets_a_busy_database_is_calm_and_starts_again_by_itself(
    app,
    browser,
    busy_server,
    place,  # noqa: F811
):
    address, tiny = busy_server
    page = _open_kiosk(app, browser, address, place.hub_id)
    calm = page.locator("#kiosk-offline")
    try:
        with every_connection_taken(tiny):  # a whole page
            page.goto("/kiosk/")
            expect(calm).to_be_visible()
            expect(calm).to_contain_text("Please tell reception you're here")
        # The drop-in list reads what is running now from the database (a kiosk's
        # own row is remembered by the worker, so a screen that needs only that
        # would not meet the busy database).
        home = page.get_by_role("button", name="I'm here for a drop-in")
        expect(home).to_be_visible(timeout=15_000)  # the start screen, by itself
        expect(calm).to_be_hidden()

        with every_connection_taken(tiny):  # a tap htmx sends
            home.click()
            expect(calm).to_be_visible()
        expect(home).to_be_visible(timeout=15_000)
        errors = [e for e in page.errors if "503" not in e and not e.startswith("htmx:")]
        assert errors == []
    finally:
        page.context.close()
