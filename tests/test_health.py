"""What a load balancer and a council's monitoring see: /healthz, /readyz, /metrics.

/readyz is tested against a database that really goes away (a PostgreSQL database
that stops taking connections, or a SQLite file moved aside), a scheduler whose
heartbeat really is old, and a schema a migration behind.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from frontdoor import clock, create_app, health
from frontdoor.extensions import db
from frontdoor.outbox import queue_message
from frontdoor.scheduler import SchedulerProcess, beat
from tests.conftest import TEST_DATABASE_URL, is_postgres

TOKEN = "m" * 40
PREVIOUS_REVISION = "d4c9a2e7b610"


def _beat(app: Flask, age: timedelta = timedelta(0)) -> None:
    with app.app_context():
        beat(clock.now() - age)
        db.session.remove()


def _ready(app: Flask) -> tuple[int, list[str]]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()["problems"]


# --- an app on a database of its own, which a test may take away ---------------------


class Standalone:
    def __init__(self, app: Flask, url: str, path: Path | None) -> None:
        self.app = app
        self.url = url
        self.path = path  # the SQLite file

    def stop_database(self) -> None:
        if self.path is not None:
            self.path.rename(self.path.with_suffix(".away"))
        else:
            _admin(f'ALTER DATABASE "{self._name}" ALLOW_CONNECTIONS false')
            _admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                f" WHERE datname = '{self._name}'"
            )
        with self.app.app_context():
            db.engine.dispose()  # SQLite: no connection left holding the moved file

    def start_database(self) -> None:
        if self.path is not None:
            self.path.with_suffix(".away").rename(self.path)
        else:
            _admin(f'ALTER DATABASE "{self._name}" ALLOW_CONNECTIONS true')
        with self.app.app_context():
            db.engine.dispose()

    @property
    def _name(self) -> str:
        return str(make_url(self.url).database)


def _admin(statement: str) -> None:
    engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[Standalone]:
    from flask_migrate import upgrade

    path = None
    if is_postgres():
        name = f"test_ready_{secrets.token_hex(4)}"
        _admin(f'CREATE DATABASE "{name}"')
        url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    else:
        path = tmp_path / "ready.sqlite3"
        url = f"sqlite:///{path}"
    app = create_app(
        {
            "env": "test",
            "database_url": url,
            "secret_key": "test-secret-key",
            "instance_path": tmp_path,
            "log_level": "ERROR",
            "event_bus": "local",
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    try:
        yield Standalone(app, url, path)
    finally:
        with app.app_context():
            db.engine.dispose()
        if path is None:
            _admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def test_readyz_is_unready_while_the_database_is_down_and_ready_when_it_is_back(standalone):
    app = standalone.app
    _beat(app)
    assert _ready(app) == (200, [])

    standalone.stop_database()
    assert _ready(app) == (503, [health.DATABASE_UNREACHABLE])
    assert app.test_client().get("/healthz").status_code == 200  # alive all the same

    standalone.start_database()
    assert _ready(app) == (200, [])


# --- the scheduler's heartbeat and the migrations, on the suite's database -------------


def test_readyz_is_unready_when_the_scheduler_has_not_beaten_lately(app):
    assert _ready(app) == (503, [health.SCHEDULER_NEVER_BEAT])
    _beat(app)
    assert _ready(app) == (200, [])

    clock.freeze(clock.now() + health.HEARTBEAT_STALE + timedelta(seconds=1))
    assert _ready(app) == (503, [health.SCHEDULER_STALE])

    _beat(app)  # the scheduler is back: a fresh beat
    assert _ready(app) == (200, [])


def test_an_old_heartbeat_left_by_a_stopped_scheduler_is_stale(app):
    _beat(app, age=timedelta(minutes=10))
    assert _ready(app) == (503, [health.SCHEDULER_STALE])


def test_readyz_is_unready_when_the_database_is_a_migration_behind(app):
    _beat(app)
    with app.app_context():
        (current,) = db.session.scalars(text("SELECT version_num FROM alembic_version"))
        db.session.execute(
            text("UPDATE alembic_version SET version_num = :old"), {"old": PREVIOUS_REVISION}
        )
        db.session.commit()
    try:
        assert _ready(app) == (503, [health.MIGRATIONS_NOT_CURRENT])
    finally:
        with app.app_context():
            db.session.execute(
                text("UPDATE alembic_version SET version_num = :current"), {"current": current}
            )
            db.session.commit()
    assert _ready(app) == (200, [])


def test_the_running_scheduler_records_its_heartbeat(app):
    process = SchedulerProcess(app, poll_seconds=0.05)
    thread = threading.Thread(target=process.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if _ready(app)[0] == 200:
                break
            threading.Event().wait(0.05)
        assert _ready(app) == (200, [])
    finally:
        process.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()


# --- /metrics ----------------------------------------------------------------------------


@pytest.fixture
def metrics_token(app: Flask) -> Iterator[str]:
    config = app.config["FRONTDOOR"]
    config.metrics_token = TOKEN
    yield TOKEN
    config.metrics_token = ""


def _scrape(app: Flask, token: str = TOKEN):
    return app.test_client().get("/metrics", headers={"Authorization": f"Bearer {token}"})


def test_metrics_are_off_until_a_token_is_set(app):
    assert app.test_client().get("/metrics").status_code == 404


def test_metrics_are_refused_without_the_token(app, metrics_token):
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert _scrape(app, token="m" * 39 + "x").status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert _scrape(app).status_code == 200


def test_metrics_time_each_request_by_endpoint_never_by_path(app, metrics_token):
    app.test_client().get("/book/riverside/sessions/424242")  # a number in the path
    app.test_client().get("/healthz")
    shown = _scrape(app).get_data(as_text=True)
    assert 'frontdoor_request_seconds_count{endpoint="booking.session_page",method="GET"}' in shown
    assert 'frontdoor_request_seconds_bucket{endpoint="health.healthz",le="0.01",method="GET"}' in (
        shown
    )
    assert "424242" not in shown and "riverside" not in shown


def test_metrics_show_the_outbox_depth(app, metrics_token):
    with app.app_context():
        for number in range(3):
            queue_message(
                key=f"depth-{number}",
                channel="email",
                recipient=f"family{number}@example.org",
                template="booking_confirmed",
                language="en",
                payload={},
                now=clock.now(),
            )
        db.session.commit()
    shown = _scrape(app).get_data(as_text=True)
    assert 'frontdoor_outbox_messages{status="pending"} 3.0' in shown
    assert "family0@example.org" not in shown


def test_metrics_show_how_long_ago_each_job_succeeded(app, metrics_token):
    from frontdoor.scheduler import run_job

    with app.app_context():
        run_job("outbox.dispatch", now=clock.now() - timedelta(minutes=5))
        db.session.remove()
    shown = _scrape(app).get_data(as_text=True)
    line = next(
        line
        for line in shown.splitlines()
        if line.startswith('frontdoor_job_seconds_since_success{job="outbox.dispatch"}')
    )
    assert float(line.split()[-1]) >= 0


def test_metrics_show_how_overdue_a_job_is(app, metrics_token):
    from frontdoor.models import apscheduler_jobs

    now = clock.now().replace(microsecond=0)
    clock.freeze(now)
    with app.app_context():
        db.session.execute(
            apscheduler_jobs.insert().values(
                id="outbox.dispatch", next_run_time=now.timestamp() - 120, job_state=b"-"
            )
        )
        db.session.execute(
            apscheduler_jobs.insert().values(
                id="summary.daily", next_run_time=now.timestamp() + 600, job_state=b"-"
            )
        )
        db.session.commit()
    shown = _scrape(app).get_data(as_text=True)
    assert 'frontdoor_job_overdue_seconds{job="outbox.dispatch"} 120.0' in shown
    assert 'frontdoor_job_overdue_seconds{job="summary.daily"} 0.0' in shown


def test_a_short_metrics_token_is_refused_at_start():
    from frontdoor.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="FRONTDOOR_METRICS_TOKEN"):
        load_config({"metrics_token": "short", "env": "test", "secret_key": "x"})


# gunicorn's way: the app made, then forked into workers that each answer requests.
_WORKERS = """
import os, sys
from frontdoor import create_app
app = create_app({"env": "test", "database_url": sys.argv[1], "secret_key": "x",
                  "instance_path": sys.argv[2], "log_level": "ERROR"})
child = os.fork()
app.test_client().get("/healthz")
if child:
    os.waitpid(child, 0)
else:
    os._exit(0)
"""


def test_under_several_workers_metrics_add_up_every_worker(database_url, tmp_path, app):
    import subprocess
    import sys

    from frontdoor import metrics

    shared = tmp_path / "metrics"
    shared.mkdir()
    subprocess.run(
        [sys.executable, "-c", _WORKERS, database_url, str(tmp_path)],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)},
        timeout=60,
        check=True,
    )
    config = app.config["FRONTDOOR"]
    config.metrics_multiprocess_dir = str(shared)
    try:
        with app.app_context():
            shown = metrics.exposition(config).decode()
    finally:
        config.metrics_multiprocess_dir = ""
    assert 'frontdoor_request_seconds_count{endpoint="health.healthz",method="GET"} 2.0' in shown


def _open_streams(app: Flask) -> float:
    shown = _scrape(app).get_data(as_text=True)
    line = next(
        line for line in shown.splitlines() if line.startswith("frontdoor_open_event_streams ")
    )
    return float(line.split()[-1])


def test_metrics_count_the_event_streams_open_now(app, metrics_token, signed_in):
    board = signed_in("reception@riverside.example")
    before = _open_streams(app)
    response = board.get("/admin/arrivals/stream?hub=riverside")
    assert response.status_code == 200
    chunks = iter(response.response)
    assert "retry:" in next(chunks).decode()  # the stream is open
    try:
        assert _open_streams(app) == before + 1
    finally:
        response.close()
    assert _open_streams(app) == before
