"""The CPU a group of processes has used, read from ``/proc`` as ``ps`` reads it.

A group is a process and everything under it: gunicorn's master and its workers, or
PostgreSQL's postmaster and its backends. Its total counts, for every process still
there, the CPU it used itself (``utime + stime``) and the CPU of the children it has
waited for (``cutime + cstime``). A backend or a worker that ends between two readings
is not lost: when its parent waits for it, its time moves into the parent's children
fields, so the total only grows and the difference of two readings is what the group
used between them. Times are in clock ticks (``SC_CLK_TCK``, usually 100 a second).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    """The fields of ``/proc/<pid>/stat`` the totals need."""

    pid: int
    name: str
    parent: int
    own: int  # utime + stime: ticks this process used itself
    waited: int  # cutime + cstime: ticks of the children it has waited for


def stat(pid: int) -> Stat | None:
    """One process's stat line, or None if it has gone."""
    try:
        line = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The name is in brackets and may hold spaces or brackets itself: split after the last.
    head, _, tail = line.rpartition(")")
    name = head.split("(", 1)[1]
    fields = tail.split()  # fields[0] is field 3 (state)
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return Stat(pid, name, int(fields[1]), utime + stime, cutime + cstime)


def processes() -> dict[int, Stat]:
    """Every process on the machine this one may read."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (one := stat(int(entry.name))) is not None:
            found[one.pid] = one
    return found


def group(root: int, every: dict[int, Stat] | None = None) -> list[Stat]:
    """``root`` and all its descendants (children, their children, ...)."""
    every = processes() if every is None else every
    children: dict[int, list[int]] = {}
    for one in every.values():
        children.setdefault(one.parent, []).append(one.pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in every:
            found.append(every[pid])
            todo.extend(children.get(pid, []))
    return found


def ticks(root: int, every: dict[int, Stat] | None = None) -> int:
    """All the CPU ``root``'s group has used so far, ended children included."""
    return sum(one.own + one.waited for one in group(root, every))


def postmasters(every: dict[int, Stat] | None = None) -> list[int]:
    """PostgreSQL's main processes on this machine: named ``postgres``, started by
    something else (every backend is named ``postgres`` too, under its postmaster)."""
    every = processes() if every is None else every

    def started_elsewhere(one: Stat) -> bool:
        parent = every.get(one.parent)
        return parent is None or parent.name != "postgres"

    return [one.pid for one in every.values() if one.name == "postgres" and started_elsewhere(one)]


# A client backend's title: "postgres: [cluster: ]user database host(port) state".
_BACKEND = re.compile(r"^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])")


def database(pid: int) -> str | None:
    """The database a PostgreSQL client backend serves, from the title ``ps`` shows;
    None for any other process."""
    try:
        title = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    match = _BACKEND.match(title)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Reading:
    """One moment's totals: the server's group; PostgreSQL's processes that work for
    the bench (its databases' backends, the postmaster and the background writers),
    each on its own; and every PostgreSQL process together, ended backends included."""

    server: int
    postgres: dict[int, int]
    everything: int


def read(server: int, databases: tuple[str, ...]) -> Reading:
    """Totals now for the group under ``server`` and for PostgreSQL, whose backends
    serving other databases (other work on a shared server) count only in
    ``everything``."""
    every = processes()
    roots = postmasters(every)
    ours = {}
    for root in roots:
        for one in group(root, every):
            serves = database(one.pid)
            if serves is None or serves in databases:
                ours[one.pid] = one.own
    return Reading(
        server=ticks(server, every),
        postgres=ours,
        everything=sum(ticks(root, every) for root in roots),
    )


@dataclass(frozen=True)
class Used:
    """CPU seconds used between two readings."""

    server: float
    postgres: float
    everything: float  # every PostgreSQL process, whatever database it served
    ended: int  # the bench's backends that ended in between: their last part is missing

    @property
    def total(self) -> float:
        return self.server + self.postgres


def between(before: Reading, after: Reading) -> Used:
    postgres = sum(n - before.postgres.get(pid, 0) for pid, n in after.postgres.items())
    return Used(
        server=(after.server - before.server) / TICKS_PER_SECOND,
        postgres=postgres / TICKS_PER_SECOND,
        everything=(after.everything - before.everything) / TICKS_PER_SECOND,
        ended=len(before.postgres.keys() - after.postgres.keys()),
    )
