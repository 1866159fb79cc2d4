"""Throttles that slow a guesser without locking a family hub's office out: staff
sign-in by account, by (address, account) and gently by address; a kiosk's
booking look-ups per screen; every "too many" answer says when to come back; and
each refusal is a security event in the logs with nothing personal in it."""

# ruff: noqa: F811  (pytest fixtures imported from other test modules)
from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from frontdoor import clock
from frontdoor.config import Config
from tests.conftest import DEMO_PASSWORD, submit
from tests.test_kiosk import booked, place, screen  # noqa: F401  (fixtures)

ADMIN = "admin@council.example"
LEAD = "lead@riverside.example"
OFFICE = "10.20.30.40"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _try(client, email, password="not-the-password", address=OFFICE):
    return submit(
        client,
        "/admin/sign-in",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def events():
    """What the security-events logger wrote, as the log handler sees it."""
    caught: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record)

    handler = Catch()
    logger = logging.getLogger("frontdoor.security_events")
    logger.addHandler(handler)
    yield caught
    logger.removeHandler(handler)


def test_fifty_made_up_emails_from_an_office_do_not_stop_its_council_admin(client, demo):
    clock.freeze(NOW)
    for number in range(50):
        _try(client, f"nobody{number}@example.com")
    assert _try(client, ADMIN, DEMO_PASSWORD).status_code == 302


def test_an_account_attacked_from_many_addresses_is_slowed(client, demo):
    clock.freeze(NOW)
    for number in range(10):
        assert _try(client, LEAD, address=f"203.0.113.{number}").status_code == 200
    paused = _try(client, LEAD, DEMO_PASSWORD, address="198.51.100.1")
    assert paused.status_code == 429
    assert "Too many attempts to sign in" in paused.get_data(as_text=True)
    # The pause is short and grows with each failure; it ends by itself.
    clock.freeze(NOW + timedelta(minutes=2))
    assert _try(client, LEAD, DEMO_PASSWORD, address="198.51.100.1").status_code == 302


def test_an_address_guessing_many_accounts_is_held_back_for_made_up_ones(client, demo):
    clock.freeze(NOW)
    for number in range(100):
        _try(client, f"nobody{number}@example.com")
    assert _try(client, "someone-new@example.com").status_code == 429
    # A known account with no failures still gets in from there...
    assert _try(client, ADMIN, DEMO_PASSWORD).status_code == 302
    # ...but one wrong guess at it from the busy address reads as a pause, not as
    # "wrong password" (which would tell a guesser the account exists), and then
    # even the right password waits.
    assert _try(client, LEAD).status_code == 429
    assert _try(client, LEAD, DEMO_PASSWORD).status_code == 429


def test_every_too_many_answer_says_when_to_come_back(client, demo):
    clock.freeze(NOW)
    for _ in range(5):
        _try(client, LEAD)
    paused = _try(client, LEAD, DEMO_PASSWORD)
    assert paused.status_code == 429 and 0 < int(paused.headers["Retry-After"]) <= 15 * 60

    page = client.get("/book/find").get_data(as_text=True)
    for _ in range(11):
        found = submit(
            client,
            "/book/find",
            {"reference": "ABCD2345", "contact": "a@example.com"},
            environ_base={"REMOTE_ADDR": OFFICE},
        )
    assert page and found.status_code == 429
    assert int(found.headers["Retry-After"]) > 0


def test_sign_in_failures_and_pauses_are_logged_without_anything_personal(client, demo, events):
    clock.freeze(NOW)
    for _ in range(6):
        _try(client, LEAD)
    kinds = [record.getMessage() for record in events]
    assert kinds.count("sign_in_failed") == 5 and kinds.count("sign_in_paused") == 1
    written = " ".join(f"{r.getMessage()} {getattr(r, 'fields', {})}" for r in events)
    assert "lead" not in written and OFFICE not in written and "riverside" not in written
    assert all(getattr(r, "fields", {}).get("address") for r in events)  # a keyed tag


# --- the kiosk -------------------------------------------------------------------------------


def _heading(screen) -> str:
    found = re.search(r'<h1 class="fd-title">([^<]*)</h1>', screen.html)
    return unescape(found.group(1)) if found else ""


def test_a_kiosk_typing_reference_after_reference_is_asked_to_see_reception(
    app,
    screen,
    place,
    events,
):
    _, reference = booked(app, place.massage)
    for number in range(Config.kiosk_lookups):
        screen.start("booking")
        screen.post("/kiosk/reference", {"reference": f"ZZZZ{number:04d}"})
    screen.start("booking")
    screen.post("/kiosk/reference", {"reference": reference})
    assert screen.status == 200
    assert _heading(screen) == "Please tell reception you're here"
    assert "Who is here today?" not in screen.text
    assert "Try again" not in screen.text
    assert "kiosk_throttled" in [record.getMessage() for record in events]


def test_find_me_is_limited_per_kiosk_too(app, screen, place):
    booked(app, place.massage)
    for _ in range(Config.kiosk_lookups):
        screen.start("booking")
        screen.post("/kiosk/find", {"first_name": "Nobody"})
    screen.start("booking")
    screen.post("/kiosk/find", {"first_name": "Amira"})
    assert _heading(screen) == "Please tell reception you're here"
    assert "Amira" not in screen.html
