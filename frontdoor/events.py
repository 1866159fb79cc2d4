"""The event bus behind the live arrivals board.

One interface, two implementations, chosen by ``Config.event_bus``:

- ``LocalBus``: one process (SQLite, development). Events are handed to this
  process's open streams when the transaction that published them commits.
- ``PostgresBus``: any number of gunicorn workers on any number of machines.
  ``publish`` sends ``NOTIFY`` inside the publishing transaction, so PostgreSQL
  delivers it on commit and never on rollback; one listener thread per process
  holds a ``LISTEN`` connection and hands events to that process's streams. When
  the database goes away the listener reconnects by itself and catches up from
  the event table.

Every event is also a row in ``arrival_event`` whose id only grows, so a board that
reconnects with ``Last-Event-ID`` is sent what it missed (``missed_events``).
Events carry kinds and ids, never a family's personal data: each board fetches
what its own viewer may see.

The bus also tells every process which remembered rows changed (``FORGET``
notices, ``frontdoor.remembered``): they are sent like events, in the changing
transaction, but are not rows of the event table and reach no stream.

A stream (``open_stream``) listens to one or more hubs, for every kind or only some:
the arrivals board takes everything at its hub; "My connections" takes only
``connection`` events, at every hub where its viewer has connections.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, has_app_context
from sqlalchemy import event as orm_event
from sqlalchemy import make_url, or_, select, text
from sqlalchemy.orm import Session as OrmSession

from frontdoor import remembered
from frontdoor.extensions import db
from frontdoor.metrics import OPEN_STREAMS
from frontdoor.models import ArrivalEvent

log = logging.getLogger("frontdoor.events")
CHANNEL = "frontdoor_arrivals"
LISTENER_NAME = "frontdoor-event-listener"
_PENDING = "frontdoor_pending_events"
MISSED_LIMIT = 500
# The kind of a notice that remembered rows changed: ``data["rows"]`` lists them.
FORGET = "forget"


@dataclass(frozen=True)
class Event:
    id: int
    hub_id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> str:
        return json.dumps(
            {"id": self.id, "hub": self.hub_id, "kind": self.kind, "data": self.data},
            separators=(",", ":"),
        )

    @classmethod
    def from_payload(cls, payload: str) -> Event:
        raw = json.loads(payload)
        return cls(int(raw["id"]), int(raw["hub"]), str(raw["kind"]), dict(raw.get("data") or {}))

    @classmethod
    def from_row(cls, row: ArrivalEvent) -> Event:
        return cls(row.id, row.hub_id, row.kind, dict(row.data or {}))

    def sse(self, name: str = "arrivals") -> str:
        """The event as a server-sent event: its id, a name htmx listens for, the data."""
        return f"id: {self.id}\nevent: {name}\ndata: {self.payload()}\n\n"


class Subscription:
    """One open stream's mailbox: events at its hubs, of its kinds (every kind when
    none are named; a kind takes its sub-kinds: ``connection`` takes ``connection.x``)."""

    def __init__(self, hub_ids: Iterable[int], kinds: Iterable[str] = ()) -> None:
        self.hub_ids = frozenset(hub_ids)
        self.kinds = frozenset(kinds)
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def wants(self, event: Event) -> bool:
        return not self.kinds or event.kind.partition(".")[0] in self.kinds

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def get(self, timeout: float) -> Event | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None


class EventBus(ABC):
    """What the board's streams and the services need from a bus."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[Subscription]] = {}
        self.remembered = remembered.Remembered(self.hears_everything)

    def hears_everything(self) -> bool:
        """Whether this process hears every change other processes commit now (what
        it remembers may be trusted only then)."""
        return True

    def forget(self, session: OrmSession, rows: set[remembered.Tag]) -> None:
        """Called inside the transaction that changes remembered ``rows``: every
        process forgets them once it commits (this one at its commit, by default)."""
        return None

    # --- the services' side -------------------------------------------------------
    def record(
        self, session: OrmSession, hub_id: int, kind: str, at: datetime, data: dict[str, Any]
    ) -> Event:
        """The event's row in the publishing transaction, staged for delivery."""
        row = ArrivalEvent(hub_id=hub_id, kind=kind, at=at, data=data)
        session.add(row)
        session.flush()
        event = Event.from_row(row)
        self.stage(session, event)
        return event

    @abstractmethod
    def stage(self, session: OrmSession, event: Event) -> None:
        """Called inside the publishing transaction; delivered once it commits."""

    def after_commit(self, event: Event) -> None:
        """Called after the publishing transaction committed (nothing by default)."""
        return None

    # --- the streams' side --------------------------------------------------------
    def subscribe(self, *hub_ids: int, kinds: Iterable[str] = ()) -> Subscription:
        subscription = Subscription(hub_ids, kinds)
        with self._lock:
            for hub_id in subscription.hub_ids:
                self._subscribers.setdefault(hub_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for hub_id in subscription.hub_ids:
                self._subscribers.get(hub_id, set()).discard(subscription)

    def dispatch(self, event: Event) -> None:
        """Hand an event to this process's streams for its hub that want its kind."""
        if event.kind == FORGET:
            self.remembered.forget((str(t), int(i)) for t, i in event.data.get("rows", ()))
            return
        with self._lock:
            targets = list(self._subscribers.get(event.hub_id, ()))
        for subscription in targets:
            if subscription.wants(event):
                subscription.put(event)

    def close(self) -> None:
        """Stop any background work (tests and shutdown); none by default."""
        return None


class LocalBus(EventBus):
    """One process: a committed event goes straight to this process's streams.

    It hears only this process's commits: rows are remembered (``remembered``) only
    on SQLite, where the server is one process; on a PostgreSQL database that chose
    this bus, another process (the scheduler, a second worker) could change them
    unheard, so nothing is remembered."""

    def __init__(self, *, remembers: bool = True) -> None:
        super().__init__()
        self._remembers = remembers

    def hears_everything(self) -> bool:
        return self._remembers

    def stage(self, session: OrmSession, event: Event) -> None:
        session.info.setdefault(_PENDING, []).append((self, event))

    def after_commit(self, event: Event) -> None:
        self.dispatch(event)


class PostgresBus(EventBus):
    """LISTEN/NOTIFY: every process hears every commit, from any machine."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.conninfo = (
            make_url(database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._caught_up: set[int] = set()
        self._last_id = 0
        self.connections = 0  # how often the listener has (re)connected

    def record(
        self, session: OrmSession, hub_id: int, kind: str, at: datetime, data: dict[str, Any]
    ) -> Event:
        # The row and its notice in one round trip (the payload as Event.payload's).
        event_id = session.execute(
            _RECORD,
            {"hub": hub_id, "kind": kind, "at": at, "data": json.dumps(data), "channel": CHANNEL},
        ).scalar_one()
        return Event(event_id, hub_id, kind, data)

    def stage(self, session: OrmSession, event: Event) -> None:
        # Transactional: PostgreSQL sends it when (and only if) this commits.
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": event.payload()},
        )

    def forget(self, session: OrmSession, rows: set[remembered.Tag]) -> None:
        # Sent on commit to every process, this one's listener included.
        notice = Event(0, 0, FORGET, {"rows": sorted(rows)})
        session.connection().execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": notice.payload()},
        )

    def hears_everything(self) -> bool:
        thread = self._thread
        if thread is None or self._pid != os.getpid() or not thread.is_alive():
            self.start()  # the first request of a worker (or of a fork) starts it
            return False
        return self._connected.is_set()

    def subscribe(self, *hub_ids: int, kinds: Iterable[str] = ()) -> Subscription:
        # A worker's first stream waits (briefly) for its listener, so nothing
        # committed after the stream's catch-up can slip past unheard.
        self.start()
        self._connected.wait(2.0)
        return super().subscribe(*hub_ids, kinds=kinds)

    def start(self) -> None:
        """Start this process's listener (again after a fork), once."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._stop.clear()
            self._connected.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._listen, name="frontdoor-event-listener", daemon=True
            )
            self._thread.start()

    def wait_until_listening(self, timeout: float = 10.0) -> bool:
        self.start()
        return self._connected.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def _deliver(self, event: Event, *, caught_up: bool = False) -> None:
        # Only what a catch-up delivered can come again (as a notification that
        # was already on its way): skip those, deliver everything else.
        if caught_up:
            self._caught_up.add(event.id)
        elif event.id in self._caught_up:
            self._caught_up.discard(event.id)
            return
        self._last_id = max(self._last_id, event.id)
        self.dispatch(event)

    def _catch_up(self, connection) -> None:
        """After a reconnect: what was committed while nobody here was listening."""
        if not self._last_id:
            row = connection.execute("SELECT coalesce(max(id), 0) FROM arrival_event").fetchone()
            self._last_id = int(row[0])
            return
        rows = connection.execute(
            "SELECT id, hub_id, kind, data FROM arrival_event WHERE id > %s ORDER BY id LIMIT %s",
            (self._last_id, MISSED_LIMIT),
        ).fetchall()
        for event_id, hub_id, kind, data in rows:
            if isinstance(data, str):
                data = json.loads(data)
            self._deliver(Event(event_id, hub_id, kind, dict(data or {})), caught_up=True)

    def _listen(self) -> None:
        import psycopg

        pause = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.conninfo,
                    autocommit=True,
                    connect_timeout=5,
                    application_name=LISTENER_NAME,
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Whatever changed while nobody here listened is unknown.
                    self.remembered.clear()
                    self.connections += 1
                    self._caught_up.clear()
                    self._catch_up(conn)
                    self._connected.set()
                    pause = 0.2
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            try:
                                self._deliver(Event.from_payload(notify.payload))
                            except (ValueError, KeyError):
                                log.warning("unreadable event ignored")
                        # A quiet second: prove the connection is alive.
                        conn.execute("SELECT 1")
            except Exception as error:  # the database went away: wait, then again
                self._connected.clear()
                if self._stop.is_set():
                    break
                log.warning(
                    "event listener reconnecting", extra={"fields": {"error": type(error).__name__}}
                )
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)


# PostgreSQL: the event's row and its notice in one statement.
_RECORD = text(
    "WITH recorded AS (INSERT INTO arrival_event (hub_id, kind, at, data)"
    " VALUES (:hub, :kind, :at, CAST(:data AS json)) RETURNING id, hub_id, kind, data)"
    " SELECT id FROM recorded, LATERAL (SELECT pg_notify(:channel, json_build_object("
    "'id', id, 'hub', hub_id, 'kind', kind, 'data', data)::text)) AS notified"
)


def _noticed(session: OrmSession, flush_context) -> None:
    """After each flush: remembered rows it changed are announced in its transaction."""
    rows = remembered.changed_rows(session)
    if rows and has_app_context():
        bus().forget(session, rows)
        remembered.pending(session).update(rows)


def _after_commit(session: OrmSession) -> None:
    changed = remembered.take_pending(session)
    if changed and has_app_context():
        bus().remembered.forget(changed)
    pending = session.info.pop(_PENDING, None)
    for staged_on, event in pending or ():
        try:
            staged_on.after_commit(event)
        except Exception:  # a stream's trouble never undoes a commit
            log.exception("event delivery failed")


def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)
    remembered.take_pending(session)


def bus() -> EventBus:
    return current_app.extensions["frontdoor_events"]


def publish(hub_id: int, kind: str, *, now: datetime, **data: Any) -> Event:
    """Record an event in the caller's transaction; streams get it on commit.

    ``data`` holds ids and codes only, never a family's personal data.
    """
    return bus().record(db.session(), hub_id, kind, now, data)


def missed_events(
    hub_ids: int | Collection[int],
    after_id: int,
    *,
    kinds: Collection[str] = (),
    limit: int = MISSED_LIMIT,
) -> list[Event]:
    """Events at a hub (or hubs) after ``after_id``, oldest first, of ``kinds`` (and
    their sub-kinds) when named (for ``Last-Event-ID``)."""
    hubs = [hub_ids] if isinstance(hub_ids, int) else list(hub_ids)
    query = select(ArrivalEvent).where(ArrivalEvent.hub_id.in_(hubs), ArrivalEvent.id > after_id)
    if kinds:
        sub_kinds = [ArrivalEvent.kind.startswith(f"{kind}.", autoescape=True) for kind in kinds]
        query = query.where(or_(ArrivalEvent.kind.in_(list(kinds)), *sub_kinds))
    rows = db.session.scalars(query.order_by(ArrivalEvent.id).limit(limit))
    return [Event.from_row(row) for row in rows]


def latest_event_id(hub_id: int) -> int:
    return (
        db.session.scalar(
            select(ArrivalEvent.id)
            .where(ArrivalEvent.hub_id == hub_id)
            .order_by(ArrivalEvent.id.desc())
            .limit(1)
        )
        or 0
    )


def open_stream(
    hub_ids: Collection[int],
    *,
    last_event_id: int | None,
    kinds: Collection[str] = (),
    name: str = "arrivals",
) -> Response:
    """The response for a server-sent event stream of events at ``hub_ids`` (of
    ``kinds``, when named), each sent as an event called ``name``; a browser that
    reconnects with ``Last-Event-ID`` is sent what it missed first."""
    events_bus = bus()
    subscription = events_bus.subscribe(*hub_ids, kinds=kinds)
    # Subscribed first, then caught up: nothing falls between the two.
    catch_up = []
    if last_event_id is not None and hub_ids:
        catch_up = missed_events(hub_ids, last_event_id, kinds=kinds)
    db.session.remove()  # a stream holds no database connection
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app
    response = current_app.response_class(
        stream(app, subscription, catch_up, name=name), mimetype="text/event-stream"
    )
    response.call_on_close(lambda: events_bus.unsubscribe(subscription))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events straight on
    return response


def stream(
    app: Flask, subscription: Subscription, catch_up: list[Event], *, name: str = "arrivals"
) -> Iterator[str]:
    """A server-sent event stream: what was missed, then events as they come,
    heartbeat comments while quiet, and an end after ``stream_max_seconds`` (the
    browser reconnects with ``Last-Event-ID``). Holds no database connection."""
    config = app.config["FRONTDOOR"]
    heartbeat = float(config.stream_heartbeat_seconds)
    ends = time.monotonic() + float(config.stream_max_seconds)
    events_bus: EventBus = app.extensions["frontdoor_events"]
    OPEN_STREAMS.inc()
    try:
        # Tell the browser how long to wait before reconnecting, then say hello.
        yield "retry: 2000\n: connected\n\n"
        sent = set()
        for missed in catch_up:
            sent.add(missed.id)
            yield missed.sse(name)
        while True:
            left = ends - time.monotonic()
            if left <= 0:
                return
            event = subscription.get(timeout=min(heartbeat, left))
            if event is None:
                yield ": heartbeat\n\n"
            elif event.id not in sent:
                yield event.sse(name)
    finally:
        OPEN_STREAMS.dec()
        events_bus.unsubscribe(subscription)


def init_app(app: Flask) -> None:
    config = app.config["FRONTDOOR"]
    if config.event_bus == "postgres":
        app.extensions["frontdoor_events"] = PostgresBus(config.database_url)
    else:
        sqlite = config.database_url.startswith("sqlite")
        app.extensions["frontdoor_events"] = LocalBus(remembers=sqlite)
    if not orm_event.contains(OrmSession, "after_commit", _after_commit):
        orm_event.listen(OrmSession, "after_commit", _after_commit)
        orm_event.listen(OrmSession, "after_flush", _noticed)
        orm_event.listen(OrmSession, "after_soft_rollback", _after_rollback_soft)


def _after_rollback_soft(session: OrmSession, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction
        _after_rollback(session)
