"""Across processes through PostgreSQL: a check-in made in one server process
reaches a board whose stream is open on another, and keeps doing so after the
database drops the listener's connection (the board catches up by itself).

Two gunicorn servers on loopback share the suite's PostgreSQL database; this
test process only signs in, reads the stream as a browser would, posts the
desk's check-in form, and (to know the board's process is listening) sends probes
on the bus's channel until one comes back. It needs PostgreSQL, so runs in the
PostgreSQL suite.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from arrivals.checkin import check_in_drop_in
from arrivals.greeters import local_day, set_duty
from booking.session_changes import cancel_session
from frontdoor import clock
from frontdoor import events as events_module
from frontdoor.events import CHANNEL, LISTENER_NAME, Event, PostgresBus
from frontdoor.extensions import db
from frontdoor.models import Duty, Hub, KioskDevice, Session, SessionSeries, StaffUser
from frontdoor.timetable import SeriesInput, save_series
from kiosk.access import COOKIE
from kiosk.pairing import add_kiosk, device_for, pair, revoke
from tests.conftest import TEST_DATABASE_URL, csrf_from
from tests.test_kiosk import place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.postgres_only
ROOT = Path(__file__).resolve().parent.parent
WAIT = 15  # seconds for anything to arrive: a hang fails instead of stalling the run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(tmp_path: Path, name: str) -> Iterator[str]:
    """One gunicorn process (one worker) on the suite's database."""
    port = _free_port()
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "FRONTDOOR_DATABASE_URL": TEST_DATABASE_URL,
        "FRONTDOOR_SECRET_KEY": "test-secret-key",
        "FRONTDOOR_ENV": "test",
        "FRONTDOOR_LOG_LEVEL": "WARNING",
        "FRONTDOOR_INSTANCE_PATH": str(tmp_path),
        "FRONTDOOR_STREAM_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread",
        "--threads", "8", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2",
        "frontdoor:create_app()",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(  # our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                with urllib.request.urlopen(url + "/admin/sign-in", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _post(opener, url: str, page_url: str, fields: dict) -> str:
    with opener.open(page_url, timeout=WAIT) as page:
        html = page.read().decode()
    data = {"csrf_token": csrf_from(html), **fields}
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html)
    if nonce:
        data["nonce"] = nonce[1]
    with opener.open(url, urllib.parse.urlencode(data).encode(), timeout=WAIT) as answer:
        return answer.read().decode()


def _read_events(response, into: queue.Queue) -> None:
    """Each event's data, as the browser's EventSource would see it."""
    try:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                into.put(json.loads(line[6:]))
    except Exception as error:  # the stream ended
        into.put(error)


def _next_arrival(events: queue.Queue, visit_ids: set[int]) -> dict:
    deadline = time.monotonic() + WAIT
    while True:
        event = events.get(timeout=max(deadline - time.monotonic(), 0.01))
        assert not isinstance(event, Exception), event
        if event["kind"] == "visit.arrived" and event["data"]["id"] not in visit_ids:
            return event


def _wait_until_the_board_hears(events: queue.Queue, hub_id: int) -> None:
    """The board's process says it is listening by passing on what it hears: send
    a probe on the bus's channel, again and again, until one reaches the stream
    (or ``WAIT`` runs out: a listener that never starts fails here, by name)."""
    probe = Event(0, hub_id, "probe").payload()
    engine = create_engine(TEST_DATABASE_URL)
    deadline = time.monotonic() + WAIT
    try:
        while True:
            with engine.begin() as connection:
                connection.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": probe},
                )
            try:
                heard = events.get(timeout=0.2)
            except queue.Empty:
                assert time.monotonic() < deadline, "the board's process is not listening"
                continue
            assert not isinstance(heard, Exception), heard
            if heard["kind"] == "probe":
                return
    finally:
        engine.dispose()


def test_an_event_from_one_process_reaches_a_board_on_another(app, place, tmp_path):  # noqa: F811
    with server(tmp_path, "desk") as desk_server, server(tmp_path, "board") as board_server:
        opener = _opener()  # cookies are per host, so one sign-in works on both
        _post(
            opener,
            f"{desk_server}/admin/sign-in",
            f"{desk_server}/admin/sign-in",
            {"email": "sam@test.example", "password": "a-long-password"},
        )
        stream = opener.open(f"{board_server}/admin/arrivals/stream?hub=testhub", timeout=WAIT)
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        events: queue.Queue = queue.Queue()
        threading.Thread(target=_read_events, args=(stream, events), daemon=True).start()
        _wait_until_the_board_hears(events, place.hub_id)

        def check_in(name: str) -> None:
            form = f"{desk_server}/admin/arrivals/check-in?hub=testhub"
            fields = {"first_name": name, "adults": "1", "children": "0", "language": "en"}
            _post(opener, form, form, fields)

        seen: set[int] = set()
        check_in("Ola")
        first = _next_arrival(events, seen)
        seen.add(first["data"]["id"])
        assert "Ola" not in json.dumps(first)

        # The database drops every listener's connection (as a restart would);
        # a check-in made meanwhile still reaches the open board.
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            dropped = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": LISTENER_NAME},
            ).scalar()
        engine.dispose()
        assert dropped >= 1
        check_in("Kim")
        second = _next_arrival(events, seen)
        assert second["id"] > first["id"]
        stream.close()


# --- what workers remember, forgotten across processes ----------------------------------------
#
# The server's worker remembers a kiosk's device row and a session's rows
# (``frontdoor.remembered``); this test process changes them, as a manager's
# worker would, and its commit's notice must reach the server before the next
# request there. A probe sent after the commit that comes back on the server's
# stream proves the server's listener has handled everything committed before it
# (PostgreSQL delivers notices in commit order): no clock is involved.


def _listening(opener, url: str, hub_id: int) -> queue.Queue:
    """Sign in on ``url``'s server and open its board: the server's listener is
    running, and the returned queue shows what it passes on."""
    _post(
        opener,
        f"{url}/admin/sign-in",
        f"{url}/admin/sign-in",
        {"email": "sam@test.example", "password": "a-long-password"},
    )
    stream = opener.open(f"{url}/admin/arrivals/stream?hub=testhub", timeout=WAIT)
    events: queue.Queue = queue.Queue()
    threading.Thread(target=_read_events, args=(stream, events), daemon=True).start()
    _wait_until_the_board_hears(events, hub_id)
    return events


def _status(url: str, cookie: str = "") -> tuple[int, str, str]:
    """The answer's status, the address it ended at (after redirects), and its page."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as answer:
            return answer.status, answer.geturl(), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode()


def test_a_kiosk_revoked_in_one_process_is_refused_by_another_that_remembered_it(
    app,
    place,  # noqa: F811
    tmp_path,
):
    with app.app_context():
        device, code = add_kiosk(place.hub_id, "Foyer", now=clock.now(), created_by_id=None)
        _, credential = pair(code, now=clock.now())
        db.session.commit()
        device_id = device.id
        db.session.remove()
    screen = f"{COOKIE}={credential}"
    with server(tmp_path, "kiosk") as kiosk_server:
        events = _listening(_opener(), kiosk_server, place.hub_id)
        # The first visit notes the screen was seen (a change, so forgotten again);
        # the second is remembered.
        for _ in range(2):
            assert _status(f"{kiosk_server}/kiosk/", screen)[0] == 200
        with app.app_context():
            revoke(db.session.get_one(KioskDevice, device_id), now=clock.now())
            db.session.commit()
            db.session.remove()
        _wait_until_the_board_hears(events, place.hub_id)
        status, _, page = _status(f"{kiosk_server}/kiosk/", screen)
        assert status == 403 and "This screen is not set up yet" in page


def test_a_session_cancelled_in_one_process_is_not_offered_by_another_that_remembered_it(
    app,
    place,  # noqa: F811
    tmp_path,
):
    clock.freeze(None)  # the server runs on the real clock
    day = clock.today() + timedelta(days=2)
    with app.app_context():
        series = SessionSeries()
        save_series(
            series,
            SeriesInput(
                hub_id=place.hub_id, title="Rhyme Time", weekdays=[day.weekday()],
                start_date=clock.today(), start_time=clock_time(10), end_time=clock_time(11),
                capacity=5, booking_mode="booking",
            ),
            today=clock.today(),
        )  # fmt: skip
        db.session.commit()
        session_id = db.session.scalar(
            select(Session.id).where(Session.series_id == series.id, Session.occurrence_date == day)
        )
        db.session.remove()
    with server(tmp_path, "site") as site:
        events = _listening(_opener(), site, place.hub_id)
        form = f"{site}/book/testhub/sessions/{session_id}/book"
        for _ in range(2):  # the form is offered, and the session remembered
            status, at, page = _status(form)
            assert status == 200 and at == form and 'name="nonce"' in page
        with app.app_context():
            cancel_session(
                db.session.get_one(Session, session_id), "Staff illness", now=clock.now()
            )
            db.session.commit()
            db.session.remove()
        _wait_until_the_board_hears(events, place.hub_id)
        status, at, page = _status(form)
        assert at.endswith(f"/sessions/{session_id}") and 'name="nonce"' not in page
        assert "This session has been cancelled" in page


def test_a_listener_that_reconnects_forgets_everything_it_remembered(app, place):  # noqa: F811
    # What changed while the listener was away was never heard: a kiosk revoked by
    # a statement the bus never announced stands for every notice missed.
    with app.app_context():
        bus = events_module.bus()
        assert isinstance(bus, PostgresBus) and bus.wait_until_listening()
        _, code = add_kiosk(place.hub_id, "Foyer", now=clock.now(), created_by_id=None)
        _, credential = pair(code, now=clock.now())
        db.session.commit()
        assert device_for(credential, now=clock.now()) is not None
        db.session.commit()
        assert device_for(credential, now=clock.now()) is not None  # remembered
        db.session.remove()
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE kiosk_device SET revoked_at = now(), credential_hash = NULL")
            )
            connected = bus.connections
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": LISTENER_NAME},
            )
        engine.dispose()
        deadline = time.monotonic() + WAIT
        while bus.connections == connected or not bus.hears_everything():
            assert time.monotonic() < deadline, "the listener did not reconnect"
            time.sleep(0.05)
        assert device_for(credential, now=clock.now()) is None
        db.session.remove()


def test_a_duty_rota_changed_in_one_process_greets_at_once_on_another_that_remembered_it(
    app,
    place,  # noqa: F811
    tmp_path,
):
    clock.freeze(None)  # the server runs on the real clock
    with app.app_context():
        hub = db.session.get_one(Hub, place.hub_id)
        today = local_day(hub, clock.now())
        series = SessionSeries()
        save_series(
            series,
            SeriesInput(
                hub_id=place.hub_id, title="Dads Group", weekdays=[today.weekday()],
                start_date=today, start_time=clock_time(0), end_time=clock_time(23, 59),
                capacity=10, booking_mode="drop_in",
            ),
            today=today,
        )  # fmt: skip
        db.session.flush()
        session_id = db.session.scalar(
            select(Session.id).where(
                Session.series_id == series.id, Session.occurrence_date == today
            )
        )
        staff = {p.name: p.id for p in db.session.scalars(select(StaffUser))}
        set_duty(place.hub_id, today, Duty.PRACTITIONER, [staff["Sam Kowalski"]])
        check_in_drop_in(
            session_id, hub_id=place.hub_id, first_name="Kai", adults=1, child_bands=(),
            now=clock.now(),
        )  # fmt: skip
        db.session.commit()
        db.session.remove()
    with server(tmp_path, "board") as board_server:
        opener = _opener()
        events = _listening(opener, board_server, place.hub_id)
        page = f"{board_server}/admin/arrivals?hub=testhub"
        for _ in range(2):  # the rota is read, then remembered
            with opener.open(page, timeout=WAIT) as answer:
                assert "To greet: Sam K." in answer.read().decode()
        with app.app_context():
            set_duty(place.hub_id, today, Duty.PRACTITIONER, [staff["Grace Okafor"]])
            db.session.commit()
            db.session.remove()
        _wait_until_the_board_hears(events, place.hub_id)
        with opener.open(page, timeout=WAIT) as answer:
            shown = answer.read().decode()
        assert "To greet: Grace O." in shown and "To greet: Sam K." not in shown
