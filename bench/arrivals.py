"""Arrivals board: check-in to event at 200 boards on 2 workers (p95 <= 250 ms), streams and RSS.

The events go through PostgreSQL LISTEN/NOTIFY; the bench also reports the most
streams one worker process held, with its memory.

gunicorn (2 workers, gthread with 256 threads each, as deploy/gunicorn.conf.py)
serves a freshly migrated PostgreSQL schema on loopback. One asyncio client opens
200 event streams as a signed-in member of staff (the kernel spreads them over the
two workers), then the desk checks families in by hand one at a time. Latency is
from sending the check-in to the event arriving on each board: 200 samples per
check-in. Each worker's open streams are counted from its sockets (/proc), with
its resident memory, before and while the boards are connected.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
import time
from pathlib import Path

from bench.booking_rush import PASSWORD, SECRET, Gunicorn
from bench.common import Result, bench_app, postgres_available
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Role
from frontdoor.staff import create_staff

BOARDS = 200
CHECK_INS = 40
THREADS = 256
TARGET_P95_MS = 250
CONNECT_TIMEOUT = 60  # seconds for all boards to connect
EVENT_TIMEOUT = 5  # seconds for one check-in's event to reach every board
TOTAL_TIMEOUT = 180  # seconds for the whole run

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


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


# --- what each worker holds (/proc) ---------------------------------------------------


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


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


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


def _per_worker(server: Gunicorn) -> list[tuple[int, int, float]]:
    """(pid, open connections, RSS MB) for each worker."""
    inodes = _established_inodes(server.port)
    return [(pid, _connections(pid, inodes), _rss_mb(pid)) for pid in _workers(server.process.pid)]


# --- the client -------------------------------------------------------------------------


async def _run(url: str, server: Gunicorn) -> tuple[list[float], list, list, int]:
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=None, sock_read=None, sock_connect=30)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies from 127.0.0.1 too
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar) as desk:
        async with desk.get(f"{url}/admin/sign-in") as page:
            token = _CSRF.search(await page.text())[1]
        async with desk.post(
            f"{url}/admin/sign-in",
            data={"email": "desk@bench.example", "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        ) as signed:
            assert signed.status == 302, signed.status
        cookies = desk.cookie_jar
        before = _per_worker(server)

        arrived: dict[int, list[float]] = {}
        seen = asyncio.Event()
        connected = 0
        all_connected = asyncio.Event()

        async def board(n: int) -> None:
            nonlocal connected
            # Each board its own connection (and so its own socket to count).
            async with (
                aiohttp.ClientSession(
                    cookie_jar=cookies, timeout=timeout, connector=aiohttp.TCPConnector(limit=1)
                ) as own,
                own.get(f"{url}/admin/arrivals/stream?hub=bench") as stream,
            ):
                assert stream.status == 200, stream.status
                async for raw in stream.content:
                    line = raw.decode().strip()
                    if line.startswith("retry:"):
                        connected += 1
                        if connected == BOARDS:
                            all_connected.set()
                    elif line.startswith("data:") and '"visit.arrived"' in line:
                        got = time.perf_counter()
                        visit = int(re.search(r'"id":(\d+)\}', line)[1])
                        arrived.setdefault(visit, []).append(got)
                        if len(arrived[visit]) == BOARDS:
                            seen.set()

        boards = [asyncio.create_task(board(n)) for n in range(BOARDS)]
        await asyncio.wait_for(all_connected.wait(), CONNECT_TIMEOUT)
        await asyncio.sleep(1)
        during = _per_worker(server)

        async with desk.get(f"{url}/admin/arrivals/check-in?hub=bench") as page:
            token = _CSRF.search(await page.text())[1]
        samples: list[float] = []
        for n in range(CHECK_INS):
            seen.clear()
            known = set(arrived)
            started = time.perf_counter()
            async with desk.post(
                f"{url}/admin/arrivals/check-in?hub=bench",
                data={
                    "csrf_token": token,
                    "nonce": secrets.token_urlsafe(16),
                    "first_name": f"Family{n}",
                    "adults": "1",
                    "children": "1",
                    "language": "en",
                    "session": "",
                },
                allow_redirects=False,
            ) as answer:
                assert answer.status == 302, answer.status
            await asyncio.wait_for(seen.wait(), EVENT_TIMEOUT)
            [visit] = set(arrived) - known
            samples.extend((got - started) * 1000 for got in arrived[visit])
            await asyncio.sleep(0.05)
        for task in boards:
            task.cancel()
        await asyncio.gather(*boards, return_exceptions=True)
        return samples, before, during, connected


def run() -> list[Result]:
    if not postgres_available():
        print("  PostgreSQL not reachable: the arrivals bench needs it")
        return []
    with bench_app("postgresql") as app, tempfile.TemporaryDirectory() as tmp:
        with app.app_context():
            _build()
            db.session.remove()
        with Gunicorn(Path(tmp), ready="/admin/sign-in", threads=THREADS) as server:
            samples, before, during, connected = asyncio.run(
                asyncio.wait_for(_run(server.url, server), TOTAL_TIMEOUT)
            )
    most = max(during, key=lambda worker: worker[1])
    idle = {pid: rss for pid, _, rss in before}
    spread = " + ".join(str(held) for _, held, _ in during)
    print(
        f"  gunicorn 2 workers (gthread, {THREADS} threads), {connected} boards connected, "
        f"streams per worker {spread}, secret {SECRET[:5]}…"
    )
    return [
        Result(
            f"check-in -> event at {BOARDS} boards, {CHECK_INS} check-ins",
            samples,
            f"target p95 <= {TARGET_P95_MS} ms",
        ),
        Result(
            "open streams held by one worker",
            [0.0],
            "",
            f"max {most[1]} streams in one worker, RSS {most[2]:.0f} MB "
            f"(idle before the boards: {idle.get(most[0], 0):.0f} MB)",
        ),
    ]
