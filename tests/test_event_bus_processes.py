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
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from frontdoor.events import CHANNEL, LISTENER_NAME, Event
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
