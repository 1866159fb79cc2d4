"""The CPU bench's reading of ``/proc`` (bench/cpu.py), on real processes that burn CPU
or wait: relations between readings only, never a threshold on time."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench import cpu

# About a second of CPU on a slow machine: many clock ticks, whatever the load.
BURN = "n = 0\nfor i in range(10_000_000):\n    n += i\n"
IDLE = "import sys\nprint('ready', flush=True)\nsys.stdin.read()\n"
# Waits for a line, burns, says so, then waits until its input closes.
BUSY = (
    "import sys\nprint('ready', flush=True)\nsys.stdin.readline()\n"
    + BURN
    + "print('done', flush=True)\nsys.stdin.read()\n"
)
# Waits for a line; runs a child that burns and ends (and is waited for); starts a
# second that burns and stays; prints the second's pid; waits until its input closes.
PARENT = f"""
import subprocess, sys
print('ready', flush=True)
sys.stdin.readline()
subprocess.run([sys.executable, '-c', {BURN!r}], check=True)
stays = subprocess.Popen(
    [sys.executable, '-c', {BUSY!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
)
stays.stdout.readline()
stays.stdin.write('go\\n')
stays.stdin.flush()
stays.stdout.readline()
print(stays.pid, flush=True)
sys.stdin.read()
stays.stdin.close()
stays.wait()
"""


@contextmanager
def python(code: str) -> Iterator[subprocess.Popen]:
    """A Python process running ``code``, once it has said it is ready; always ended."""
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)


def tell(process: subprocess.Popen, line: str = "go") -> str:
    """Send ``process`` a line and return the line it answers with."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()
    return process.stdout.readline().strip()


def test_a_busy_process_reads_more_than_an_idle_one():
    with python(IDLE) as idle, python(BUSY) as busy:
        before = cpu.ticks(idle.pid), cpu.ticks(busy.pid)
        assert tell(busy) == "done"
        after = cpu.ticks(idle.pid), cpu.ticks(busy.pid)
    idle_used, busy_used = after[0] - before[0], after[1] - before[1]
    assert busy_used > 0
    assert busy_used > idle_used


def test_a_group_counts_its_children_those_still_there_and_those_that_ended():
    with python(PARENT) as parent:
        group_before = cpu.ticks(parent.pid)
        own_before = cpu.stat(parent.pid)
        stays = int(tell(parent))
        members = {one.pid: one for one in cpu.group(parent.pid)}
        group_after = cpu.ticks(parent.pid)
        own_after = cpu.stat(parent.pid)
    assert own_before is not None and own_after is not None
    # The child that stays is found under its parent and has burnt CPU of its own.
    assert stays in members and members[stays].own > 0
    # The child that ended and was waited for moved its CPU into its parent's.
    assert own_after.waited > own_before.waited
    # So the group read more than the parent itself used.
    assert group_after - group_before > own_after.own - own_before.own
    assert group_after - group_before >= members[stays].own + own_after.waited


def test_a_process_that_has_gone_reads_as_nothing():
    with python(IDLE) as idle:
        pid = idle.pid
    assert cpu.stat(pid) is None
    assert cpu.group(pid) == []
    assert cpu.ticks(pid) == 0


def test_a_backends_title_names_its_database_and_other_processes_name_none():
    title = "postgres: 15/main: alice frontdoor_bench 127.0.0.1(51234) idle"
    with python(IDLE) as other:
        named = subprocess.Popen(["bash", "-c", f'exec -a "{title}" sleep 60'])
        try:
            # bash may not have exec'd yet: wait until the title is the one asked for.
            while cpu.database(named.pid) is None:
                assert named.poll() is None
                time.sleep(0.01)
            assert cpu.database(named.pid) == "frontdoor_bench"
        finally:
            named.kill()
            named.wait(timeout=30)
        assert cpu.database(other.pid) is None


def test_postgres_cpu_is_the_bench_backends_growth_new_ones_from_nothing():
    ticks = cpu.TICKS_PER_SECOND
    before = cpu.Reading(server=10, postgres={1: 100, 2: 50, 3: 7}, everything=1000)
    after = cpu.Reading(
        server=10 + ticks, postgres={1: 100 + ticks, 2: 50, 4: ticks}, everything=1000 + 5 * ticks
    )
    used = cpu.between(before, after)
    assert used.server == 1
    assert used.postgres == 2  # backend 1 grew by a second; backend 4 is new, with one
    assert used.total == 3
    assert used.everything == 5
    assert used.ended == 1  # backend 3 has gone
