"""CPU per request on the hot paths, as a multiple of a bare Flask + one INSERT's (issue 15).

One run, one PostgreSQL, the same gunicorn (2 workers, gthread x 4): the kiosk
check-in (500 families, 32 in flight), the booking rush (200 attempts at once for the
last 20 places), the "now full" answer alone (200 more families post to the session
the rush filled), a successful booking (200 families at once, a place for each), and
the yardstick, driven by ``wrk``. Around each timed phase the bench reads the CPU of
gunicorn's processes and of PostgreSQL's (``bench.cpu``) and the statements the
workers sent (``bench.statements``). CPU per request is the figure to quote, as a
multiple of the yardstick's: requests a second and latency follow whatever else the
machine is doing; the CPU a request costs hardly does.

Smaller runs: ``FRONTDOOR_BENCH_CPU_FAMILIES`` (kiosk check-ins, 500),
``FRONTDOOR_BENCH_CPU_ATTEMPTS`` (each booking phase, 200; more than 20),
``FRONTDOOR_BENCH_CPU_YARDSTICK_SECONDS`` (wrk's run, 10).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench import cpu, kiosk_checkin, statements, wrk
from bench.booking_rush import PLACES, Family, Gunicorn, _build_hub, _fresh_session, post_all
from bench.booking_rush import prepare as open_forms
from bench.common import POSTGRES_URL, Result, bench_app, postgres_available
from frontdoor.extensions import db

FAMILIES = int(os.environ.get("FRONTDOOR_BENCH_CPU_FAMILIES", kiosk_checkin.FAMILIES))
ATTEMPTS = max(PLACES + 1, int(os.environ.get("FRONTDOOR_BENCH_CPU_ATTEMPTS", 200)))
YARDSTICK_SECONDS = float(os.environ.get("FRONTDOOR_BENCH_CPU_YARDSTICK_SECONDS", 10))
IN_FLIGHT = kiosk_checkin.IN_FLIGHT
PHASE_TIMEOUT = 300  # seconds for any one phase, preparation included

T = TypeVar("T")


@dataclass
class Phase:
    """One timed phase: what the client saw and what the server and PostgreSQL spent."""

    path: str
    count: int
    seconds: float
    p50_ms: float
    p95_ms: float
    used: cpu.Used
    statements: int
    checkouts: int
    note: str = ""

    def per_request_ms(self) -> tuple[float, float, float]:
        used, n = self.used, self.count
        return used.server * 1000 / n, used.postgres * 1000 / n, used.total * 1000 / n


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


class Meter:
    """Reads CPU and statement counts at ``start()`` and ``stop()`` of a phase served
    by ``server`` (a context manager for the phases that need no mark in between)."""

    def __init__(self, server: Gunicorn, counts: Path) -> None:
        assert server.process is not None
        self.root = server.process.pid
        self.counts = counts
        self.databases = (POSTGRES_URL.rsplit("/", 1)[1],)

    def start(self) -> None:
        self.before = cpu.read(self.root, self.databases)
        self.sent_before = statements.counted(self.counts)

    def stop(self) -> None:
        self.used = cpu.between(self.before, cpu.read(self.root, self.databases))
        sent = statements.counted(self.counts)
        self.statements = sent[0] - self.sent_before[0]
        self.checkouts = sent[1] - self.sent_before[1]

    def __enter__(self) -> Meter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def phase(self, path: str, samples_ms: list[float], seconds: float, note: str = "") -> Phase:
        p50, p95 = percentiles(samples_ms)
        return Phase(
            path, len(samples_ms), seconds, p50, p95, self.used, self.statements,
            self.checkouts, note,
        )  # fmt: skip


def _bounded(work: Awaitable[T]) -> T:
    async def within() -> T:
        return await asyncio.wait_for(work, PHASE_TIMEOUT)

    return asyncio.run(within())


def _check_ins(server: Gunicorn, counts: Path, credential: str, refs: list[str]) -> Phase:
    """The kiosk bench's check-ins: everyone walks to "Who is here?" first (not timed)."""
    meter = Meter(server, counts)
    taps, wall = _bounded(kiosk_checkin._run(server.url, credential, refs, on_tap=meter.start))
    meter.stop()
    done = sum(1 for status, where, _ in taps if status == 303 and where.endswith("/kiosk/done"))
    errors = sum(1 for status, _, _ in taps if status >= 500)
    assert done == len(refs) and errors == 0, (done, errors)
    return meter.phase(
        f"kiosk check-in ({len(refs)}, {IN_FLIGHT} in flight)", [ms for *_, ms in taps], wall
    )


def _posted(
    server: Gunicorn, counts: Path, url: str, people: list[Family], path: str, expected: int
) -> Phase:
    with Meter(server, counts) as meter:
        attempts, wall = _bounded(post_all(url, people))
    outcomes = Counter(a.outcome for a in attempts)
    errors = sum(1 for a in attempts if a.status >= 500)
    assert errors == 0 and outcomes["booked"] == expected, (path, outcomes, errors)
    assert outcomes["booked"] + outcomes["full"] == len(people), (path, outcomes)
    note = f"booked {outcomes['booked']}, full {outcomes['full']}"
    return meter.phase(path, [a.ms for a in attempts], wall, note)


def _bookings(server: Gunicorn, app, counts: Path) -> list[Phase]:
    """The rush and the "now full" answers on one session of 20 places, then a session
    with a place for everyone."""
    with app.app_context():
        hub, rushed = _fresh_session("Rush")
        _, roomy = _fresh_session("Room for all", places=ATTEMPTS)
        db.session.remove()
    rush_url = f"{server.url}/book/{hub}/sessions/{rushed}/book"
    roomy_url = f"{server.url}/book/{hub}/sessions/{roomy}/book"
    rush = [Family(n) for n in range(ATTEMPTS)]
    late = [Family(n) for n in range(ATTEMPTS, 2 * ATTEMPTS)]
    booking = [Family(n) for n in range(2 * ATTEMPTS, 3 * ATTEMPTS)]
    # Everyone opens the form first, while it still offers places (not timed).
    _bounded(open_forms(rush_url, rush + late))
    _bounded(open_forms(roomy_url, booking))
    return [
        _posted(
            server, counts, rush_url, rush,
            f"booking rush ({ATTEMPTS} for the last {PLACES})", PLACES,
        ),
        _posted(server, counts, rush_url, late, f'the "now full" answer ({ATTEMPTS})', 0),
        _posted(
            server, counts, roomy_url, booking,
            f"successful booking ({ATTEMPTS} at once)", ATTEMPTS,
        ),
    ]  # fmt: skip


def _front_door(app, tmp: Path) -> list[Phase]:
    with app.app_context():
        credential, references = kiosk_checkin._build(FAMILIES)
        _build_hub()
        db.session.remove()
    counts = tmp / "statements"
    counts.mkdir(parents=True)
    env = {
        # One screen checks in every family: its limit on booking look-ups is lifted.
        "FRONTDOOR_KIOSK_LOOKUPS": str(FAMILIES * 4),
        statements.DIRECTORY: str(counts),
    }
    with Gunicorn(tmp, app="bench.statements:frontdoor()", env=env) as server:
        return [_check_ins(server, counts, credential, references), *_bookings(server, app, counts)]


def _yardstick(tmp: Path) -> Phase:
    kiosk_checkin.baseline_table()
    counts = tmp / "statements"
    counts.mkdir(parents=True)
    env = {statements.DIRECTORY: str(counts)}
    with Gunicorn(tmp, app="bench.statements:yardstick()", ready="/", env=env) as server:
        meter = Meter(server, counts)
        with meter:
            run = wrk.post(server.url + "/insert", connections=IN_FLIGHT, seconds=YARDSTICK_SECONDS)
    assert run.errors == 0, run
    return Phase(
        f"Flask + 1 INSERT, the yardstick (wrk, {IN_FLIGHT} open)", run.requests,
        run.seconds, run.p50_ms, run.p95_ms, meter.used, meter.statements, meter.checkouts,
    )  # fmt: skip


# --- the table -------------------------------------------------------------------------------

HEADER = (
    f"{'path':<44} {'n':>5} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}"
    f" {'server':>6} {'PG':>5} {'total':>6} {'stmts':>5} {'pool':>4} {'x yardstick':>11}"
)
LEGEND = (
    "server, PG, total: CPU ms per request (gunicorn's processes, PostgreSQL's, both);",
    "stmts: SQL statements sent per request; pool: connections taken from the pool per",
    "request (each also sends a pre-ping); x yardstick: total over the yardstick's total",
)


def _row(phase: Phase, yardstick_ms: float | None) -> str:
    server, postgres, total = phase.per_request_ms()
    n = phase.count
    ratio = f"{total / yardstick_ms:.1f}x" if yardstick_ms else "n/a"
    return (
        f"{phase.path:<44} {n:>5} {n / phase.seconds:>6.0f} {phase.p50_ms:>7.1f}"
        f" {phase.p95_ms:>7.1f} {server:>6.2f} {postgres:>5.2f} {total:>6.2f}"
        f" {phase.statements / n:>5.1f} {phase.checkouts / n:>4.1f} {ratio:>11}"
        + (f"  ({phase.note})" if phase.note else "")
    )


def table(phases: list[Phase], yardstick: Phase | None) -> list[str]:
    """Each path's figures, and the yardstick's last; the notes that say how to read them."""
    base = yardstick.per_request_ms()[2] if yardstick else None
    measured = [*phases, *([yardstick] if yardstick else [])]
    lines = [HEADER, *(_row(phase, base) for phase in measured), *LEGEND]
    postgres = sum(p.used.postgres for p in measured)
    everything = sum(p.used.everything for p in measured)
    lines += [
        "PG counts this bench's backends, the postmaster and the background writers:",
        f"{postgres:.1f} s in all; every PostgreSQL process, other databases' included,"
        f" used {everything:.1f} s meanwhile",
    ]
    ended = sum(p.used.ended for p in measured)
    if ended:
        lines.append(
            f"{ended} of the bench's PostgreSQL backends ended during a phase:"
            " the PG column misses their last part"
        )
    return lines


def run() -> list[Result]:
    if not postgres_available():
        print("  PostgreSQL not reachable: this bench needs it, skipped")
        return []
    if not wrk.available():
        print(f"  !! {wrk.INSTALL}. Without it there is no yardstick and no ratio.")
    if not cpu.postmasters():
        print("  !! PostgreSQL's processes are not on this machine: the PG column reads 0")
    load = os.getloadavg()[0]
    with bench_app("postgresql") as app, tempfile.TemporaryDirectory() as tmp:
        phases = _front_door(app, Path(tmp) / "front-door")
        yardstick = _yardstick(Path(tmp) / "yardstick") if wrk.available() else None
    for line in table(phases, yardstick):
        print("  " + line)
    print(
        f"  load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end,"
        f" on {os.cpu_count()} cores"
    )
    return []
