"""What rarely changes, remembered by each worker and forgotten the moment it changes.

A kiosk's device row with its hub, a session with its hub, series and room, a hub's
duty rota for a day (who is on it, the staff rows): the hot paths read them on every
request, and a manager changes them a few times a week.
Each worker process keeps what it read (``Remembered.get``), as rows detached from
any database session, and hands each request its own copy (``attached``: a merge
that sends no statement).

Forgetting is the event bus's job, never a clock's:

- Every ORM change to a row of a remembered table (``TABLES``), by any service,
  page or command, is noticed at flush (one hook, ``events._noticed``, so no service
  can forget to say so); a bulk ``update()`` or ``delete()`` statement is not, so
  these tables are changed through the ORM. A set of rows (``SETS``: a hub's duty
  rota) is announced whole, as ``(table, hub)``, when a row of it is added, changed or
  deleted, since a new row changes the set too. This process forgets the row when the
  transaction commits; on PostgreSQL a ``NOTIFY`` in the same transaction tells
  every other process, on commit only, and their listeners forget it as it arrives.
- What is remembered is trusted only while the bus hears everything: in a
  process whose listener is not connected (starting, or reconnecting after the
  database went away) every read goes to the database and nothing is kept; when
  the listener (re)connects, everything is forgotten first, because what changed
  while nobody listened is not known. The one-process bus (``LocalBus``) hears
  only its own process, so it remembers on SQLite only.
- A row read while a change commits is not kept: ``get`` keeps what it read only
  when nothing was forgotten since it began to read.

The rules that decide under a lock (places left, a session's status ``FOR
UPDATE``) read the database, not this: a remembered row only finds the thing the
request is about. Inserts into ``TABLES`` need no notice (no row is remembered as missing, so
no made-up credential or address fills a worker), and a worker keeps at most
``LIMIT`` things.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

T = TypeVar("T")
Tag = tuple[str, int]

# The tables whose rows are remembered: a change to one of their rows is announced.
TABLES = frozenset({"kiosk_device", "hub", "room", "session_series", "session", "staff_user"})
# The tables remembered as a whole set of rows (a hub's duty rota): a change to one
# of their rows, a new row too, is announced as the set's (the table and the hub).
SETS = {"duty_assignment": "hub_id"}
# At most this many remembered things a worker: past it, the longest kept goes.
LIMIT = 5000


class Remembered:
    """One worker's remembered rows, by key, each with the rows (tags) it was read from."""

    def __init__(self, trusted: Callable[[], bool]) -> None:
        self._trusted = trusted
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[Any, frozenset[Tag]]] = {}
        self._by_tag: dict[Tag, set[Hashable]] = {}
        self._generation = 0

    def get(self, key: Hashable, load: Callable[[], tuple[T, Iterable[Tag]] | None]) -> T | None:
        """What ``key`` names: remembered, or ``load()``-ed (a value and the rows it
        came from, or None when there is nothing) and remembered if it is safe to."""
        if not self._trusted():
            loaded = load()
            return loaded[0] if loaded is not None else None
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation
        if entry is not None:
            return entry[0]
        loaded = load()
        if loaded is None:
            return None
        value, tags = loaded
        with self._lock:
            # Forgotten meanwhile (a change committed as we read), or deaf: not kept.
            if self._generation == generation and self._trusted():
                self._keep(key, value, frozenset(tags))
        return value

    def _keep(self, key: Hashable, value: Any, tags: frozenset[Tag]) -> None:
        self._drop(key)
        while len(self._entries) >= LIMIT:
            self._drop(next(iter(self._entries)))  # the longest kept
        self._entries[key] = (value, tags)
        for tag in tags:
            self._by_tag.setdefault(tag, set()).add(key)

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        for tag in entry[1] if entry else ():
            self._by_tag.get(tag, set()).discard(key)

    def forget(self, tags: Iterable[Tag]) -> None:
        """Forget everything read from any of these rows."""
        with self._lock:
            self._generation += 1
            for tag in tags:
                for key in self._by_tag.pop(tag, ()):
                    self._drop(key)

    def clear(self) -> None:
        """Forget everything (the bus may have missed changes; the tables were emptied)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._by_tag.clear()

    def __len__(self) -> int:
        return len(self._entries)


# --- rows kept apart from any database session ------------------------------------------


def detached(row: T, **related: Any) -> T:
    """A copy of ``row``'s columns (and of ``related`` rows, already copied) that
    belongs to no database session: safe to share between requests and threads."""
    mapper = inspect(row).mapper
    copy = mapper.class_manager.new_instance()
    for column in mapper.column_attrs:
        set_committed_value(copy, column.key, getattr(row, column.key))
    make_transient_to_detached(copy)
    for name, value in related.items():
        set_committed_value(copy, name, value)
    return copy


def attached(session: OrmSession, copy: T) -> T:
    """This request's own instance of a remembered row (and of the rows loaded
    with it), without a statement."""
    return session.merge(copy, load=False)


# --- noticing changes -----------------------------------------------------------------------

_CHANGED = "frontdoor_remembered_changed"


def changed_rows(session: OrmSession) -> set[Tag]:
    """The remembered tables' rows this flush changes or deletes, and the sets
    (``SETS``) it adds to, changes or takes from."""
    tags: set[Tag] = set()
    for row in (*session.dirty, *session.deleted):
        table = getattr(row, "__tablename__", None)
        if table in TABLES and inspect(row).identity is not None:
            tags.add((table, int(row.id)))
    for row in (*session.new, *session.dirty, *session.deleted):
        table = getattr(row, "__tablename__", None)
        if table in SETS:
            tags.add((table, int(getattr(row, SETS[table]))))
    return tags


def pending(session: OrmSession) -> set[Tag]:
    """The rows this transaction changed so far (forgotten here when it commits)."""
    return session.info.setdefault(_CHANGED, set())


def unsettled(session: OrmSession, tables: Iterable[str]) -> bool:
    """Whether this transaction changed rows of ``tables`` it has not committed
    (flushed or not): what it reads of them is neither taken from nor kept in
    memory, since it is not yet, and may never be, what every worker sees."""
    wanted = set(tables)
    if any(table in wanted for table, _ in session.info.get(_CHANGED, ())):
        return True
    return any(
        getattr(row, "__tablename__", None) in wanted
        for row in (*session.new, *session.dirty, *session.deleted)
    )


def take_pending(session: OrmSession) -> set[Tag]:
    return session.info.pop(_CHANGED, None) or set()
