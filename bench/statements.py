"""Statements counted inside the server's workers, for the CPU bench only.

gunicorn loads ``frontdoor()`` or ``yardstick()`` from here instead of the app itself:
the same app, with a SQLAlchemy listener on its engine that counts each statement it
sends to PostgreSQL (every ``cursor.execute``: SELECT, INSERT, UPDATE, DELETE, NOTIFY),
and each connection taken from the pool, which with ``pool_pre_ping`` costs one more
(a ``SELECT 1`` the listener does not see). Not counted: the BEGIN and COMMIT psycopg
sends around a transaction. Each worker keeps its counts in a small file of its own,
mapped into memory (``FRONTDOOR_BENCH_STATEMENTS``/<pid>), so counting costs a few
microseconds and the bench can add up every worker's without asking them.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, event

DIRECTORY = "FRONTDOOR_BENCH_STATEMENTS"
_LAYOUT = struct.Struct("<qq")  # statements, pool checkouts


class _Counter:
    def __init__(self, path: Path) -> None:
        path.write_bytes(bytes(_LAYOUT.size))
        with path.open("r+b") as file:
            self.map = mmap.mmap(file.fileno(), _LAYOUT.size)
        self.counts = [0, 0]
        self.lock = threading.Lock()  # a worker's threads count into one place

    def add(self, which: int) -> None:
        with self.lock:
            self.counts[which] += 1
            _LAYOUT.pack_into(self.map, 0, *self.counts)


def _count(engine: Engine) -> None:
    counter = _Counter(Path(os.environ[DIRECTORY]) / str(os.getpid()))
    event.listen(engine, "before_cursor_execute", lambda *_: counter.add(0))
    event.listen(engine.pool, "checkout", lambda *_: counter.add(1))


def frontdoor() -> Flask:
    from frontdoor import create_app
    from frontdoor.extensions import db

    app = create_app()
    with app.app_context():
        _count(db.engine)
    return app


def yardstick() -> Flask:
    from bench import baseline_app

    _count(baseline_app.engine)
    return baseline_app.app


def counted(directory: Path) -> tuple[int, int]:
    """Statements and pool checkouts so far, every worker's that wrote to ``directory``."""
    statements = checkouts = 0
    for path in directory.iterdir():
        one, two = _LAYOUT.unpack(path.read_bytes()[: _LAYOUT.size])
        statements, checkouts = statements + one, checkouts + two
    return statements, checkouts
