"""Arrivals board: 1,000 boards on 4 workers, check-in to event (p95 <= 250 ms), memory a stream.

gunicorn (gthread, as deploy/gunicorn.conf.py: its threads, and each worker's database
pool sized for these workers as production sizes it) serves a freshly migrated
PostgreSQL schema on loopback; events go through LISTEN/NOTIFY, one listener per
worker. One asyncio client opens the boards' event streams as a signed-in member of
staff (the kernel spreads them over the workers), then the desk checks families in by
hand one at a time. Latency is from sending the check-in to its event arriving on each
board: one sample per board per check-in.

While the boards are connected it reads each worker's open streams (its sockets, from
/proc) and resident memory, against the same worker warmed up before they connected:
memory per stream. And PostgreSQL's connections to the bench database, which must not
grow with the boards: a stream holds no pooled connection while it waits.

Then the fan-out: as htmx does, every board fetches its board again on each event (one
fetch in flight per board, a later event queued behind it), and a few more check-ins
are timed from sending to the family's name on every board, with the fetches each
check-in caused and the CPU each fetch cost the workers and PostgreSQL.

Knobs, read here only (``Scale.from_environment``): ``FRONTDOOR_BENCH_ARRIVALS_WORKERS``
(4), ``_BOARDS`` (1000), ``_THREADS`` (each worker's, 320), ``_CHECK_INS``
(40), ``_REFRESHES`` (the fan-out's check-ins, 3; 0 leaves it out) and ``_FETCHING``
(the boards that fetch in the fan-out, as if at the family's hub; 0, the default: all).
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench import cpu
from bench.booking_rush import PASSWORD, Gunicorn
from bench.common import POSTGRES_URL, Result, bench_app, postgres_available
from frontdoor.config import PROJECT_ROOT
from frontdoor.events import LISTENER_NAME
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Role
from frontdoor.staff import create_staff

TARGET_P95_MS = 250
EVENT_TIMEOUT = 10  # seconds for one check-in's event to reach every board
FRESH_TIMEOUT = 120  # seconds for every board to show one check-in's family (fan-out)
WARM_UPS = 64  # board pages fetched at once before the idle reading, to warm every worker
HTMX = {"HX-Request": "true", "HX-Target": "board", "HX-Trigger": "board"}

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_VISIT = re.compile(r'"id":(\d+)\}')


@dataclass(frozen=True)
class Scale:
    """How big a run is: the issue's numbers unless the environment says otherwise."""

    workers: int = 4
    boards: int = 1000
    # 250 boards a worker, and room for ordinary requests (deploy/gunicorn.conf.py).
    threads: int = 320
    check_ins: int = 40
    refreshes: int = 3
    # Boards that fetch in the fan-out: all by default, at one hub (the worst case);
    # fewer stand for the boards at the family's hub among many hubs' (0: all).
    fetching: int = 0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Scale:
        def number(name: str, default: int, least: int) -> int:
            return max(least, int(environ.get(f"FRONTDOOR_BENCH_ARRIVALS_{name}", default)))

        return cls(
            workers=number("WORKERS", cls.workers, 1),
            boards=number("BOARDS", cls.boards, 1),
            threads=number("THREADS", cls.threads, 2),
            check_ins=number("CHECK_INS", cls.check_ins, 1),
            refreshes=number("REFRESHES", cls.refreshes, 0),
            fetching=number("FETCHING", cls.fetching, 0),
        )

    @property
    def fetchers(self) -> int:
        """How many boards fetch on each event in the fan-out."""
        return min(self.fetching or self.boards, self.boards)

    @property
    def connect_seconds(self) -> float:
        """For every board to connect: a tenth of a second each, 60 s at least."""
        return max(60.0, self.boards / 10)

    @property
    def total_seconds(self) -> float:
        """The whole run's bound: connecting, every check-in's wait, and the fan-out."""
        return (
            60 + self.connect_seconds + self.check_ins * EVENT_TIMEOUT
        ) + self.refreshes * FRESH_TIMEOUT

    @property
    def open_files(self) -> int:
        """Descriptors the client (and gunicorn, which inherits its limit) may need:
        a stream and a fetch connection per board, and room for everything else."""
        return 2 * self.boards + 1024


@dataclass(frozen=True)
class Worker:
    """One gunicorn worker at one moment: its pid, the connections it holds open
    (a board's stream each, while the boards wait) and its resident memory."""

    pid: int
    streams: int
    rss_kib: int


def memory_per_stream(before: list[Worker], during: list[Worker]) -> float | None:
    """KiB of resident memory each open stream added: what the workers grew by while
    the boards were connected, over the streams they held (workers read both times
    only). None when no stream was held."""
    idle = {worker.pid: worker.rss_kib for worker in before}
    held = [worker for worker in during if worker.pid in idle]
    streams = sum(worker.streams for worker in held)
    if not streams:
        return None
    return sum(worker.rss_kib - idle[worker.pid] for worker in held) / streams


def workers_line(before: list[Worker], during: list[Worker]) -> str:
    """Each worker's streams and resident memory, idle and with the boards connected."""
    idle = {worker.pid: worker.rss_kib for worker in before}
    return ", ".join(
        f"{worker.streams} streams {idle.get(worker.pid, 0) / 1024:.0f} -> "
        f"{worker.rss_kib / 1024:.0f} MB"
        for worker in sorted(during, key=lambda worker: -worker.streams)
    )


def _build() -> None:
    council = Organisation(name="Bench Council", slug="bench-arrivals")
    db.session.add(council)
    db.session.flush()
    hub = Hub(organisation_id=council.id, slug="bench", name="Bench Family Hub", settings_json={})
    db.session.add(hub)
    db.session.flush()
    create_staff(
        organisation_id=council.id,
        email="desk@bench.example",
        name="Bench Desk",
        password=PASSWORD,
        roles=[(hub.id, Role.RECEPTION)],
    )
    db.session.commit()


# --- what each worker holds (/proc), and PostgreSQL's connections ---------------------------


def _workers(master: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return sorted(found)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _established_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local_port = int(parts[1].rsplit(":", 1)[1], 16)
            if local_port == port and parts[3] == "01":  # ESTABLISHED, server side
                inodes.add(parts[9])
    return inodes


def _connections(pid: int, inodes: set[str]) -> int:
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held += 1
    return held


def _per_worker(server: Gunicorn) -> list[Worker]:
    assert server.process is not None
    inodes = _established_inodes(server.port)
    return [
        Worker(pid, _connections(pid, inodes), _rss_kib(pid))
        for pid in _workers(server.process.pid)
    ]


def _database_connections() -> tuple[int, int, int]:
    """(every connection to the bench database, those the event listeners hold, those
    busy in a statement or a transaction), this reading's own left out."""
    engine = create_engine(POSTGRES_URL, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE application_name = :listener),"
                    " count(*) FILTER (WHERE state <> 'idle' AND application_name <> :listener)"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ),
                {"listener": LISTENER_NAME},
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), int(row[1]), int(row[2])


def _enough_open_files(needed: int) -> int:
    """Raise this process's descriptor limit (gunicorn inherits it) towards ``needed``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


# --- the client -------------------------------------------------------------------------


class Refused(Exception):
    """A board's fetch answered with another status than 200 (its code)."""


@dataclass
class Measured:
    event_ms: list[float] = field(default_factory=list)
    fresh_ms: list[float] = field(default_factory=list)
    not_fresh: int = 0  # boards whose fetches all failed: still without the family
    failed: Counter[str] = field(default_factory=Counter)  # fetches answered otherwise
    before: list[Worker] = field(default_factory=list)
    during: list[Worker] = field(default_factory=list)
    database: tuple[int, int, int] = (0, 0, 0)
    connected: int = 0
    events_per_check_in: float = 0.0
    fetches: int = 0
    fan_out_seconds: float = 0.0
    fan_out_cpu: cpu.Used | None = None
    check_ins_cpu: cpu.Used | None = None  # the timed check-ins, each event on every board


class Board:
    """One open board: its stream, and (in the fan-out) its fetches of the board."""

    def __init__(self, fetches: bool = True) -> None:
        self.fetches = fetches  # in the fan-out: a board at the family's hub
        self.fetching: asyncio.Task | None = None
        self.again = False  # an event came while a fetch was in flight (htmx queues it)
        self.shown: set[str] = set()


async def _run(server: Gunicorn, scale: Scale) -> Measured:
    import aiohttp

    url = server.url
    measured = Measured()
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None, sock_connect=60)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies from 127.0.0.1 too
    # The desk closes its connection after each request, so that only the boards'
    # streams are open while they are counted; in the fan-out the boards fetch
    # through ``fetcher``, a connection each, as browsers have.
    async with (
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True), timeout=timeout, cookie_jar=jar
        ) as desk,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=timeout, cookie_jar=jar
        ) as fetcher,
    ):
        async with desk.get(f"{url}/admin/sign-in") as page:
            token = _CSRF.search(await page.text())[1]
        async with desk.post(
            f"{url}/admin/sign-in",
            data={"email": "desk@bench.example", "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        ) as signed:
            assert signed.status == 302, signed.status
        board_url = f"{url}/admin/arrivals?hub=bench"

        async def fetch_board(client: aiohttp.ClientSession) -> str:
            async with client.get(board_url, headers=HTMX) as answer:
                if answer.status != 200:
                    raise Refused(str(answer.status))
                return await answer.text()

        # Every worker renders the board a few times before its idle reading; then
        # the warm-up's connections close, so they are not counted as streams.
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=timeout, cookie_jar=jar
        ) as warm:
            for _ in range(3):
                await asyncio.gather(*(fetch_board(warm) for _ in range(WARM_UPS)))
        await asyncio.sleep(1)
        measured.before = _per_worker(server)

        arrived: dict[int, list[float]] = {}
        seen = asyncio.Event()
        all_connected = asyncio.Event()
        events = 0
        fan_out = False
        watching: dict[str, list[float]] = {}  # family name -> when each board showed it

        async def refetch(board: Board) -> None:
            while True:
                board.again = False
                try:
                    html = await fetch_board(fetcher)
                except (Refused, aiohttp.ClientError) as error:
                    # As htmx: the board stays as it was until the next event.
                    measured.failed[str(error) if isinstance(error, Refused) else "dropped"] += 1
                    html = ""
                done = time.perf_counter()
                measured.fetches += 1
                for name, shown in watching.items():
                    if name not in board.shown and name in html:
                        board.shown.add(name)
                        shown.append(done)
                if not board.again:
                    return

        async def stream(board: Board) -> None:
            nonlocal events
            # Each board its own connection (and so its own socket to count).
            async with (
                aiohttp.ClientSession(
                    cookie_jar=jar, timeout=timeout, connector=aiohttp.TCPConnector(limit=1)
                ) as own,
                own.get(f"{url}/admin/arrivals/stream?hub=bench") as answer,
            ):
                assert answer.status == 200, answer.status
                async for raw in answer.content:
                    line = raw.decode().strip()
                    if line.startswith("retry:"):
                        measured.connected += 1
                        if measured.connected == scale.boards:
                            all_connected.set()
                    elif line.startswith("data:"):
                        events += 1
                        if fan_out and board.fetches:
                            if board.fetching is not None and not board.fetching.done():
                                board.again = True
                            else:
                                board.fetching = asyncio.create_task(refetch(board))
                        if '"visit.arrived"' in line:
                            got = time.perf_counter()
                            visit = int(_VISIT.search(line)[1])
                            arrived.setdefault(visit, []).append(got)
                            if len(arrived[visit]) == scale.boards:
                                seen.set()

        boards = [Board(fetches=n < scale.fetchers) for n in range(scale.boards)]
        streams = [asyncio.create_task(stream(board)) for board in boards]
        try:
            await asyncio.wait_for(all_connected.wait(), scale.connect_seconds)
        except TimeoutError:
            held = " + ".join(str(worker.streams) for worker in _per_worker(server))
            raise RuntimeError(
                f"{measured.connected} of {scale.boards} boards connected in "
                f"{scale.connect_seconds:.0f} s; connections per worker {held}"
            ) from None
        await asyncio.sleep(2)
        measured.during = _per_worker(server)
        measured.database = _database_connections()

        async with desk.get(f"{url}/admin/arrivals/check-in?hub=bench") as page:
            token = _CSRF.search(await page.text())[1]

        async def check_in(name: str) -> float:
            started = time.perf_counter()
            async with desk.post(
                f"{url}/admin/arrivals/check-in?hub=bench",
                data={
                    "csrf_token": token,
                    "nonce": secrets.token_urlsafe(16),
                    "first_name": name,
                    "adults": "1",
                    "language": "en",
                    "session": "",
                },
                allow_redirects=False,
            ) as answer:
                assert answer.status == 302, answer.status
            return started

        databases = (POSTGRES_URL.rsplit("/", 1)[1],)
        reading = cpu.read(server.process.pid, databases)
        for n in range(scale.check_ins):
            seen.clear()
            known = set(arrived)
            started = await check_in(f"Family{n:03d}")
            await asyncio.wait_for(seen.wait(), EVENT_TIMEOUT)
            [visit] = set(arrived) - known
            measured.event_ms.extend((got - started) * 1000 for got in arrived[visit])
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)  # any later event of the last check-in
        measured.check_ins_cpu = cpu.between(reading, cpu.read(server.process.pid, databases))
        measured.events_per_check_in = events / scale.boards / scale.check_ins

        if scale.refreshes:
            fan_out = True
            reading = cpu.read(server.process.pid, databases)
            for n in range(scale.refreshes):
                name = f"Fresh{n:03d}"
                watching[name] = []
                seen.clear()
                started = await check_in(name)
                # Every board heard the event (and so started fetching); then wait for
                # every fetch, a failed one too (as htmx, it leaves its board as it was).
                await asyncio.wait_for(seen.wait(), EVENT_TIMEOUT)
                fetching = [board.fetching for board in boards if board.fetching is not None]
                await asyncio.wait_for(asyncio.gather(*fetching), FRESH_TIMEOUT)
                measured.fan_out_seconds += time.perf_counter() - started
                measured.not_fresh += scale.fetchers - len(watching[name])
                measured.fresh_ms.extend((done - started) * 1000 for done in watching[name])
            measured.fan_out_cpu = cpu.between(reading, cpu.read(server.process.pid, databases))
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    return measured


def run() -> list[Result]:
    if not postgres_available():
        print("  PostgreSQL not reachable: the arrivals bench needs it")
        return []
    scale = Scale.from_environment()
    files = _enough_open_files(scale.open_files)
    # The app sizes its pool from its workers and threads (frontdoor.config.database_pool).
    sized = {"FRONTDOOR_WORKERS": str(scale.workers), "FRONTDOOR_THREADS": str(scale.threads)}
    with bench_app("postgresql") as app, tempfile.TemporaryDirectory() as tmp:
        with app.app_context():
            _build()
            db.session.remove()
        with Gunicorn(
            Path(tmp),
            ready="/admin/sign-in",
            threads=scale.threads,
            workers=scale.workers,
            env=sized,
            config=PROJECT_ROOT / "deploy" / "gunicorn.conf.py",
        ) as server:
            measured = asyncio.run(asyncio.wait_for(_run(server, scale), scale.total_seconds))
    return results(scale, measured, files=files, load=os.getloadavg())


def results(
    scale: Scale, measured: Measured, *, files: int, load: tuple[float, float, float]
) -> list[Result]:
    """What a run measured, as the lines ``python -m bench`` prints."""
    per_stream = memory_per_stream(measured.before, measured.during)
    total, listening, busy = measured.database
    print(
        f"  gunicorn {scale.workers} workers (gthread, {scale.threads} threads), "
        f"{measured.connected} boards connected, open files {files}, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"  each worker: {workers_line(measured.before, measured.during)}")
    print(
        f"  memory per open stream: "
        f"{'unmeasured' if per_stream is None else f'{per_stream:.0f} KiB'}; "
        f"PostgreSQL connections with the boards open: {total} "
        f"({listening} listening, {busy} busy)"
    )
    # CPU ms (server, PostgreSQL) a check-in cost with its event on every board; and a
    # fetch, the fan-out's check-ins and their events taken out.
    each = measured.check_ins_cpu
    check_in = (
        (each.server * 1000 / scale.check_ins, each.postgres * 1000 / scale.check_ins)
        if each
        else (0.0, 0.0)
    )
    lines = [
        Result(
            f"check-in -> event at {scale.boards} boards, {scale.workers} workers",
            measured.event_ms,
            f"target p95 <= {TARGET_P95_MS} ms",
            f"max {max(measured.event_ms, default=0):.0f} ms, "
            f"{measured.events_per_check_in:.1f} events a check-in, CPU a check-in "
            f"{check_in[0]:.0f} ms server + {check_in[1]:.0f} ms PG",
        )
    ]
    if measured.fresh_ms:
        fetches = measured.fetches / scale.refreshes
        rate = measured.fetches / max(measured.fan_out_seconds, 1e-9)
        used = measured.fan_out_cpu
        cost = (
            f", CPU a fetch "
            f"{(used.server * 1000 - scale.refreshes * check_in[0]) / measured.fetches:.1f}"
            f" ms server + "
            f"{(used.postgres * 1000 - scale.refreshes * check_in[1]) / measured.fetches:.1f}"
            f" ms PG"
            if used and measured.fetches
            else ""
        )
        late = f", {measured.not_fresh} boards not shown" if measured.not_fresh else ""
        refused = ", ".join(f"{n} {why}" for why, n in sorted(measured.failed.items()))
        late += f", fetches failed: {refused}" if refused else ""
        lines.append(
            Result(
                f"check-in -> name on {scale.fetchers} boards (fetching)",
                measured.fresh_ms,
                "no target",
                f"max {max(measured.fresh_ms):.0f} ms, {fetches:.0f} fetches a check-in, "
                f"{rate:.0f} fetches/s{cost}{late}",
            )
        )
    return lines
