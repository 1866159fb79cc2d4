"""Shared helpers for the benchmarks: a throwaway migrated database and percentiles."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, event, text

from frontdoor import create_app, passwords

POSTGRES_URL = os.environ.get(
    "FRONTDOOR_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/frontdoor_bench"
)


@dataclass
class Result:
    name: str
    samples_ms: list[float]
    target: str = ""
    extra: str = ""

    def line(self) -> str:
        ordered = sorted(self.samples_ms)
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return (
            f"{self.name:<44} n={len(ordered):<5} p50={p50:7.2f} ms  p95={p95:7.2f} ms"
            f"  {self.target}{'  ' + self.extra if self.extra else ''}"
        )


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def postgres_available() -> bool:
    try:
        engine = create_engine(
            POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as connection:
            name = POSTGRES_URL.rsplit("/", 1)[1]
            if not connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname=:n"), {"n": name}
            ).scalar():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return True
    except Exception:
        return False


@contextmanager
def bench_app(database: str) -> Iterator[Flask]:
    """A migrated, empty database (``sqlite`` or ``postgresql``) and an app on it."""
    from flask_migrate import upgrade

    passwords.use_cheap_hashing()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}" if database == "sqlite" else POSTGRES_URL
        if database != "sqlite":
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        app = create_app(
            {
                "env": "test",
                "database_url": url,
                "secret_key": "bench",
                "instance_path": Path(tmp),
                "log_level": "WARNING",
            }
        )
        with app.app_context():
            upgrade()
        yield app


def timed(fn: Callable[[], object], *, count: int, seconds: float) -> list[float]:
    """Call ``fn`` up to ``count`` times or until ``seconds`` pass; milliseconds each."""
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(samples) < count and time.perf_counter() < deadline:
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def statements(app: Flask, fn: Callable[[], object]) -> int:
    """How many SQL statements one call of ``fn`` sends: unlike its time, the same on a
    busy machine and a quiet one."""
    from frontdoor.extensions import db

    sent: list[str] = []

    def count(*args: object) -> None:
        sent.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(sent)
