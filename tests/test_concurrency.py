"""Fifty families, five places: the session lock gives exactly five bookings.

Runs on SQLite and on PostgreSQL (``FRONTDOOR_TEST_DATABASE_URL``); nothing here
is skipped. Three proofs:

(a) the service, called from 50 threads at once, confirms exactly 5;
(b) with the lock switched off the same rush overbooks, so (a) can fail;
(c) 50 browsers posting the public booking form at once to a real threaded
    server: exactly 5 booked, 45 told it is full and offered the waiting list,
    no 5xx; and the same through the staff book-on-behalf form.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

import booking.places as places
import booking.services as services
from booking.availability import Taken, availability
from booking.contact import Contact, Party
from booking.services import book_session
from frontdoor import create_app
from frontdoor.config import SCHEDULER_CONNECTIONS
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Booking, BookingStatus, Role, Session
from frontdoor.staff import create_staff
from tests.booking_fixtures import NOW, make_session
from tests.conftest import DEMO_PASSWORD, csrf_from

RUSH = 50
LEFT = 5  # places left when the rush starts
TIMEOUT = 120  # seconds for a whole rush; a hang fails the test instead of the run


@pytest.fixture(scope="module")
def roomy_app(app: Flask, database_url: str, tmp_path_factory) -> Iterator[Flask]:
    """The app again, on the same database, with a connection for every thread.

    In (b) all 50 threads hold a transaction open at the barrier, more than the
    normal pool gives; (a) runs on the same app so the lock is the only difference.
    """

    roomy = create_app(
        {
            "env": "test",
            "database_url": database_url,
            "secret_key": "test-secret-key",
            "instance_path": tmp_path_factory.mktemp("roomy"),
            "log_level": "WARNING",
            # One worker whose pool has a connection for every thread of the rush
            # (the budget counts its LISTEN connection and the scheduler's too).
            "workers": 1,
            "threads": RUSH + 5,
            "database_connections": RUSH + 5 + 1 + SCHEDULER_CONNECTIONS,
            "database_wait_seconds": 60,
        }
    )
    yield roomy
    with roomy.app_context():
        db.engine.dispose()


def session_with_places_left(app: Flask, capacity: int) -> int:
    """A bookable session of ``capacity`` with all but ``LEFT`` places booked."""
    with app.app_context():
        session_id = make_session(capacity=capacity)
        for n in range(capacity - LEFT):
            book_session(
                session_id, Party(1), Contact(f"Early{n}", email=f"early{n}@example.com"), now=NOW
            )
        db.session.commit()
        assert availability(db.session.get(Session, session_id), NOW).places_to_book == LEFT
        db.session.remove()
        return session_id


def in_parallel(
    count: int, work: Callable[[int], object], start: threading.Event | None = None
) -> list[object]:
    """Run ``work(0..count-1)`` in threads; each result, or the exception it raised.
    ``start`` is set once every thread is running."""
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as error:  # reported, not swallowed
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    if start is not None:
        start.set()
    deadline = time.monotonic() + TIMEOUT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "the rush did not finish in time"
    return results


def rush_for_places(app: Flask, session_id: int) -> list[object]:
    """50 families, each in its own thread and app context, book and commit."""
    start = threading.Event()

    def attempt(n: int) -> str:
        with app.app_context():
            try:
                start.wait(TIMEOUT)
                book_session(
                    session_id,
                    Party(1, ("0-1",)),
                    Contact(f"Racer{n}", email=f"racer{n}@example.com"),
                    now=NOW,
                )
                db.session.commit()
                return "confirmed"
            except ServiceError as error:
                db.session.rollback()
                return error.code
            finally:
                db.session.remove()

    return in_parallel(RUSH, attempt, start)


def confirmed_count(app: Flask, session_id: int) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(
                Booking.session_id == session_id, Booking.status == BookingStatus.CONFIRMED
            )
        )
        db.session.remove()
        return count


# --- (a) the service, with the lock -------------------------------------------------------


def test_fifty_families_for_five_places_get_exactly_five(app, roomy_app):
    assert places.LOCKING is True
    session_id = session_with_places_left(roomy_app, capacity=8)

    results = rush_for_places(roomy_app, session_id)

    assert Counter(map(str, results)) == {"confirmed": LEFT, "full": RUSH - LEFT}, results
    assert confirmed_count(roomy_app, session_id) == 8
    with roomy_app.app_context():
        assert availability(db.session.get(Session, session_id), NOW).places_to_book == 0


# --- (b) the same rush without the lock overbooks -------------------------------------------


def test_without_the_lock_the_same_rush_overbooks(app, roomy_app, monkeypatch):
    """Proof that (a) can fail: switch the lock off and make every family count
    the places before any of them writes.

    The barrier sits between ``book_session``'s count and its insert, not after
    the call: on SQLite the insert takes the database's write lock, so a thread
    waiting at a barrier after it would stall every other thread's insert.
    Either way no family has committed when all 50 have seen 5 places left.
    """
    session_id = session_with_places_left(roomy_app, capacity=8)
    barrier = threading.Barrier(RUSH, timeout=60)
    count_places = services.count_taken

    def count_then_wait(session: Session) -> Taken:
        taken = count_places(session)
        barrier.wait()
        return taken

    monkeypatch.setattr(services, "count_taken", count_then_wait)
    places.LOCKING = False
    try:
        results = rush_for_places(roomy_app, session_id)
    finally:
        places.LOCKING = True

    assert not [r for r in results if isinstance(r, BaseException)], results
    made = Counter(map(str, results))["confirmed"]
    assert made > LEFT, results
    assert confirmed_count(roomy_app, session_id) == 8 - LEFT + made > 8


# --- (c) fifty browsers, one real server -------------------------------------------------------


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as it is, for us to count


class Browser:
    """One family's browser: its own cookies, no redirects followed, always a timeout."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects()
        )

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get("Location", "")


def test_fifty_browsers_posting_at_once_get_exactly_five_places(app, live_server):
    """The public booking form: each family opens it (cookie, CSRF token, nonce),
    then all 50 press "Book" at the same moment."""
    session_id = session_with_places_left(app, capacity=10)
    with app.app_context():
        hub = db.session.get(Session, session_id).hub.slug
        db.session.remove()
    page = f"/book/{hub}/sessions/{session_id}/book"
    barrier = threading.Barrier(RUSH, timeout=90)

    def family(n: int) -> tuple[int, str, str]:
        browser = Browser(live_server)
        status, html, _ = browser.open(page)
        assert status == 200, html
        form = {
            "csrf_token": csrf_from(html),
            "nonce": re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1),
            "adults": "1",
            "first_name": f"Family{n}",
            "reminders": "yes",
            "email": f"family{n}@example.com",
            "consent": "y",
            "language": "en",
        }
        barrier.wait()  # everyone has the form filled in: now all press "Book"
        return browser.open(page, form)

    results = in_parallel(RUSH, family)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures
    statuses = Counter(status for status, _, _ in results)
    assert not [s for s in statuses if s >= 500], statuses
    booked = [r for r in results if r[0] == 302 and "/book/bookings/" in r[2]]
    # Told it is full, and offered the waiting list in one press.
    full = [
        r
        for r in results
        if r[0] == 200
        and "Sorry, this session is now full" in r[1]
        and '<input type="hidden" name="waiting_list" value="y">' in r[1]
    ]
    assert (len(booked), len(full)) == (LEFT, RUSH - LEFT), statuses
    assert confirmed_count(app, session_id) == 10


def test_fifty_phone_bookings_by_staff_at_once_get_exactly_five_places(app, live_server):
    """The same rush through the staff book-on-behalf form (each its own sign-in)."""
    session_id = session_with_places_left(app, capacity=10)
    with app.app_context():
        session = db.session.get(Session, session_id)
        create_staff(
            organisation_id=session.hub.organisation_id,
            email="rush@hub.example",
            name="Rush Lead",
            password=DEMO_PASSWORD,
            roles=[(session.hub_id, Role.RECEPTION)],
        )
        db.session.commit()
        db.session.remove()
    page = f"/admin/sessions/{session_id}/book"
    barrier = threading.Barrier(RUSH, timeout=90)

    def family(n: int) -> tuple[int, str, str]:
        browser = Browser(live_server)
        _, html, _ = browser.open("/admin/sign-in")
        status, _, _ = browser.open(
            "/admin/sign-in",
            {"csrf_token": csrf_from(html), "email": "rush@hub.example", "password": DEMO_PASSWORD},
        )
        assert status == 302
        status, html, _ = browser.open(page)
        assert status == 200, html
        form = {
            "csrf_token": csrf_from(html),
            "nonce": re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1),
            "adults": "1",
            "children_0_1": "1",
            "first_name": f"Family{n}",
            "email": f"family{n}@example.com",
        }
        barrier.wait()  # everyone has a form in hand: now all press "Book"
        return browser.open(page, form)

    results = in_parallel(RUSH, family)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures
    statuses = Counter(status for status, _, _ in results)
    assert not [s for s in statuses if s >= 500], statuses
    booked = [
        r for r in results if r[0] == 302 and r[2].endswith(f"/sessions/{session_id}/register")
    ]
    full = [r for r in results if r[0] == 200 and "This session is full" in r[1]]
    assert (len(booked), len(full)) == (LEFT, RUSH - LEFT), statuses
    assert confirmed_count(app, session_id) == 10
    with app.app_context():
        staff_made = db.session.scalar(
            select(func.count()).where(Booking.session_id == session_id, Booking.source == "staff")
        )
        assert staff_made == LEFT
