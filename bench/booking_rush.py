"""Booking rush: N families book 20 places at once, gunicorn + PostgreSQL (target >= 700/s).

The app runs under gunicorn (2 workers, threaded) on a free loopback port against a
freshly migrated PostgreSQL schema. Each virtual family first opens the public
booking form with its own cookie, CSRF token and form nonce (not timed); then all
N post the form at the same moment from one asyncio client. Rounds: N=200, then a
fresh session and N=500. Latency is per attempt, from sending to the whole answer.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.common import POSTGRES_URL, Result, bench_app, postgres_available
from frontdoor import clock
from frontdoor.config import PROJECT_ROOT
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    BookingStatus,
    Hub,
    Organisation,
    Role,
    Room,
    Session,
    SessionSeries,
)
from frontdoor.staff import create_staff
from frontdoor.timetable import SeriesInput, save_series

PLACES = 20
# (families, whether their phones run JavaScript): the two rounds as phones
# with JavaScript post the form (htmx), then the larger one again without it.
ROUNDS = ((200, True), (500, True), (500, False))
TARGET_PER_SECOND = 700
WORKERS = 2
THREADS = 4  # CPU-bound: more threads only add GIL contention; 4 cover PG and lock waits
SECRET = "bench-booking-rush"
PASSWORD = "bench-password"
START_TIMEOUT = 30  # seconds for gunicorn to answer
REQUEST_TIMEOUT = 60  # seconds for any one request
ROUND_TIMEOUT = 180  # seconds for a whole round, preparation included
PREPARE_AT_ONCE = 50  # families opening the form at the same time while preparing

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]*)"')


# --- the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving ``frontdoor:create_app()`` on loopback, always stopped on exit."""

    def __init__(
        self,
        instance: Path,
        app: str = "frontdoor:create_app()",
        ready: str = "/book/",
        *,
        threads: int = THREADS,
        workers: int = WORKERS,
        env: dict[str, str] | None = None,
        config: Path | None = None,
    ) -> None:
        self.app = app
        self.threads = threads
        self.workers = workers
        # A gunicorn settings file (deploy/gunicorn.conf.py) under the arguments below.
        self.config = config
        self.extra_env = env or {}
        self.ready = ready
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = instance
        self.process: subprocess.Popen | None = None
        self.log = instance / "gunicorn.log"

    def __enter__(self) -> Gunicorn:
        env = {
            **os.environ,
            "FRONTDOOR_DATABASE_URL": POSTGRES_URL,
            "FRONTDOOR_SECRET_KEY": SECRET,
            "FRONTDOOR_ENV": "test",
            "FRONTDOOR_LOG_LEVEL": "WARNING",
            "FRONTDOOR_INSTANCE_PATH": str(self.instance),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
            # Every simulated family books from 127.0.0.1.
            "FRONTDOOR_PUBLIC_BOOKINGS_PER_ADDRESS": "1000000",
            **self.extra_env,
        }
        command = [
            sys.executable, "-m", "gunicorn",
            "--workers", str(self.workers),
            "--worker-class", "gthread",
            "--threads", str(self.threads),
            "--bind", f"127.0.0.1:{self.port}",
            "--backlog", "2048",
            "--keep-alive", "5",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--log-level", "warning",
            *(["--config", str(self.config)] if self.config else []),
            self.app,
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # our own interpreter and arguments
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so we can stop it all
            )
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_up(self) -> None:
        import urllib.request

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + self.ready, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


# --- the data -----------------------------------------------------------------------------


def _build_hub() -> None:
    council = Organisation(name="Bench Council", slug="bench")
    db.session.add(council)
    db.session.flush()
    hub = Hub(organisation_id=council.id, slug="rush", name="Rush Family Hub", settings_json={})
    room = Room(hub=hub, name="Main hall")
    db.session.add_all([hub, room])
    db.session.flush()
    create_staff(
        organisation_id=council.id,
        email="lead@rush.example",
        name="Rush Lead",
        password=PASSWORD,
        roles=[(hub.id, Role.SESSION_LEAD)],
    )
    db.session.commit()


def _fresh_session(title: str, places: int = PLACES) -> tuple[str, int]:
    """A new weekly series with 20 places; its session two days from now is open to book."""
    hub = db.session.scalar(select(Hub).filter_by(slug="rush"))
    room = db.session.scalar(select(Room).filter_by(hub_id=hub.id))
    today = clock.today()
    day = today + timedelta(days=2)
    series = SessionSeries()
    save_series(
        series,
        SeriesInput(
            hub_id=hub.id,
            title=title,
            weekdays=[day.weekday()],
            start_date=today,
            start_time=clock_time(10),
            end_time=clock_time(11),
            capacity=places,
            booking_mode="booking",
            room_id=room.id,
        ),
        today=today,
    )
    db.session.commit()
    session_id = db.session.scalar(
        select(Session.id).where(Session.series_id == series.id, Session.occurrence_date == day)
    )
    return hub.slug, session_id


def _booked(session_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Booking.session_id == session_id, Booking.status == BookingStatus.CONFIRMED
        )
    )


# --- the families -------------------------------------------------------------------------


@dataclass
class Family:
    number: int
    htmx: bool = True
    cookie: str = ""
    form: dict[str, str] | None = None


@dataclass
class Attempt:
    status: int
    ms: float
    outcome: str  # booked, full, other, error


def _cookie_header(response) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in response.cookies.items())


async def _prepare(client, url: str, family: Family, gate: asyncio.Semaphore) -> None:
    async with gate, client.get(url) as response:
        html = await response.text()
        assert response.status == 200, (response.status, html[:500])
        family.cookie = _cookie_header(response)
    family.form = {
        "csrf_token": _CSRF.search(html).group(1),
        "nonce": _NONCE.search(html).group(1),
        "adults": "1",
        "first_name": f"Family{family.number}",
        "last_name": "Bench",
        "reminders": "yes",
        "email": f"family{family.number}@example.com",
        "consent": "y",
        "language": "en",
    }


def _headers(family: Family) -> dict[str, str]:
    # A phone with JavaScript posts the form with htmx and gets back only the part
    # of the page that changes (or HX-Redirect to the confirmation).
    return {"Cookie": family.cookie, **({"HX-Request": "true"} if family.htmx else {})}


async def _attempt(client, url: str, family: Family) -> Attempt:
    started = time.perf_counter()
    try:
        async with client.post(
            url, data=family.form, headers=_headers(family), allow_redirects=False
        ) as response:
            body = await response.text()
            status = response.status
            location = response.headers.get("HX-Redirect" if family.htmx else "Location", "")
    except Exception:  # counted, and the round fails on it
        return Attempt(0, (time.perf_counter() - started) * 1000, "error")
    ms = (time.perf_counter() - started) * 1000
    if status == (200 if family.htmx else 302) and "/book/bookings/" in location:
        outcome = "booked"
    elif status == 200 and 'id="just-filled"' in body:
        outcome = "full"
    else:
        outcome = "other"
    return Attempt(status, ms, outcome)


async def prepare(url: str, people: list[Family]) -> None:
    """Each family opens the booking form (not timed): its cookie, token and nonce."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    jar = aiohttp.DummyCookieJar()  # each family's cookie travels in its own header
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar) as c:
        gate = asyncio.Semaphore(PREPARE_AT_ONCE)
        await asyncio.gather(*(_prepare(c, url, family, gate) for family in people))


async def post_all(url: str, people: list[Family]) -> tuple[list[Attempt], float]:
    """Every prepared family posts the form at the same moment, each on a connection of
    its own (its phone); the attempts and the seconds they took."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    jar = aiohttp.DummyCookieJar()
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar) as c:
        started = time.perf_counter()
        attempts = await asyncio.gather(*(_attempt(c, url, family) for family in people))
        wall = time.perf_counter() - started
    return list(attempts), wall


async def _rush(url: str, families: int, htmx: bool) -> tuple[list[Attempt], float]:
    people = [Family(n, htmx) for n in range(families)]
    await prepare(url, people)
    return await post_all(url, people)


def _round(server: Gunicorn, app, families: int, htmx: bool) -> Result:
    with app.app_context():
        hub, session_id = _fresh_session(f"Rush for {families}, htmx {htmx}")
        db.session.remove()
    url = f"{server.url}/book/{hub}/sessions/{session_id}/book"
    attempts, wall = asyncio.run(asyncio.wait_for(_rush(url, families, htmx), ROUND_TIMEOUT))
    with app.app_context():
        booked = _booked(session_id)
        db.session.remove()
    outcomes = Counter(a.outcome for a in attempts)
    server_errors = sum(1 for a in attempts if a.status >= 500)
    per_second = families / wall
    extra = (
        f"{per_second:.0f} attempts/s in {wall:.2f} s; booked {booked}, "
        f"full {outcomes['full']}, other {outcomes['other']}, errors {outcomes['error']}, "
        f"5xx {server_errors}{'' if per_second >= TARGET_PER_SECOND else '  BELOW TARGET'}"
    )
    result = Result(
        f"{families} at once for {PLACES} places ({'htmx' if htmx else 'no JavaScript'})",
        [a.ms for a in attempts],
        f"target >= {TARGET_PER_SECOND} attempts/s",
        extra,
    )
    assert booked == PLACES, f"{booked} bookings for {PLACES} places: {extra}"
    assert outcomes["booked"] == PLACES, extra
    assert server_errors == 0 and outcomes["error"] == 0 and outcomes["other"] == 0, extra
    return result


def run() -> list[Result]:
    if not postgres_available():
        print("  PostgreSQL not reachable: the booking rush needs it, skipped")
        return []
    results = []
    with bench_app("postgresql") as app, tempfile.TemporaryDirectory() as tmp:
        with app.app_context():
            _build_hub()
            db.session.remove()
        with Gunicorn(Path(tmp)) as server:
            for families, htmx in ROUNDS:
                results.append(_round(server, app, families, htmx))
    print(
        f"  gunicorn: {WORKERS} workers, gthread x {THREADS} threads; client: aiohttp, "
        "a new connection per attempt"
    )
    return results
