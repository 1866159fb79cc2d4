"""The scheduler core: the job registry, recorded runs, coalescing after downtime,
and one scheduler at a time (a second process waits as a hot standby)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from frontdoor import clock, scheduler
from frontdoor.config import PROJECT_ROOT
from frontdoor.extensions import db
from frontdoor.models import JobRun, JobRunStatus, OutboxMessage, RecordedMessage
from frontdoor.outbox import queue_message
from frontdoor.scheduler import (
    REGISTRY,
    build_scheduler,
    next_run_times,
    register_job,
    run_job,
    stop_scheduler,
    sync_jobs,
)

WAIT = 90  # seconds: an upper bound for waiting on other processes, never a measurement


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def test_job():
    """A registered job for the test, removed afterwards."""
    calls: list[datetime] = []

    def record(now: datetime) -> dict[str, int]:
        calls.append(now)
        if len(calls) == 2:
            raise RuntimeError("the second call fails")
        return {"seen": len(calls)}

    register_job("test.record", record, every=timedelta(minutes=1), description="A test job")
    yield calls
    REGISTRY.pop("test.record", None)


def test_registering_a_job_is_one_line_and_replaces_by_id(test_job):
    spec = register_job(
        "test.record", lambda now: None, every=timedelta(minutes=2), description="Again"
    )
    assert REGISTRY["test.record"] is spec and spec.schedule == "every 2 minutes"
    with pytest.raises(ValueError):
        register_job("test.bad", lambda now: None, description="Neither")
    assert register_job(
        "test.daily", lambda now: None, daily_at="07:00", description="Daily"
    ).schedule == ("daily at 07:00")
    REGISTRY.pop("test.daily")


def test_every_job_the_issue_names_is_registered(app):
    assert {
        "outbox.dispatch",
        "bookings.reminders",
        "bookings.waiting_lists",
        "bookings.no_shows",
        "sessions.ahead",
        "summary.daily",
        "retention.purge",
        "arrivals.escalate",
        "arrivals.check_out",
    } <= set(REGISTRY)


def test_each_run_is_recorded_with_its_result_or_its_error(app_context, test_job):
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    first = run_job("test.record", now=at)
    assert (first.status, first.result, first.started_at) == (JobRunStatus.OK, "seen 1", at)
    with pytest.raises(RuntimeError):
        run_job("test.record", now=at)
    failed = db.session.scalar(select(JobRun).order_by(JobRun.id.desc()))
    assert (failed.status, failed.result) == (JobRunStatus.ERROR, "RuntimeError")
    assert test_job == [at, at]


def test_a_daily_job_keeps_its_wall_clock_time_across_the_clock_change():
    spec = register_job("test.daily", lambda now: None, daily_at="07:00", description="Daily")
    REGISTRY.pop("test.daily")
    trigger = spec.trigger()
    saturday = trigger.get_next_fire_time(None, datetime(2026, 10, 24, 0, 0, tzinfo=UTC))
    monday = trigger.get_next_fire_time(None, datetime(2026, 10, 26, 0, 0, tzinfo=UTC))
    assert saturday.astimezone(UTC) == datetime(2026, 10, 24, 6, 0, tzinfo=UTC)  # 07:00 BST
    assert monday.astimezone(UTC) == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)  # 07:00 GMT


def test_missed_runs_coalesce_into_one_and_survive_a_restart(app, app_context):
    """The scheduler was down for half an hour: six five-minute runs of the reminders
    job were missed. It comes back and runs the job once."""
    first = build_scheduler(app)
    first.start(paused=True)
    try:
        sync_jobs(first)
        missed_since = datetime.now(UTC) - timedelta(minutes=30)
        first.modify_job("bookings.reminders", next_run_time=missed_since)
        # A restart keeps the stored (missed) time rather than starting afresh.
        stop_scheduler(first)
        second = build_scheduler(app)
        second.start(paused=True)
        sync_jobs(second)
        assert second.get_job("bookings.reminders").next_run_time == missed_since
        second.resume()

        def ran() -> bool:
            db.session.rollback()
            upcoming = next_run_times().get("bookings.reminders")
            return upcoming is not None and upcoming > datetime.now(UTC)

        wait_for(ran, "the missed job to run")
        wait_for(
            lambda: (
                db.session.scalar(select(JobRun.status).where(JobRun.job == "bookings.reminders"))
                == JobRunStatus.OK
            ),
            "the run to finish",
        )
    finally:
        stop_scheduler(second)
    db.session.rollback()
    runs = db.session.scalar(
        select(func.count()).select_from(JobRun).where(JobRun.job == "bookings.reminders")
    )
    assert runs == 1


def _scheduler_process(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "FRONTDOOR_ENV": "test",
        "FRONTDOOR_DATABASE_URL": database_url,
        "FRONTDOOR_SECRET_KEY": "test-secret-key",
        "FRONTDOOR_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frontdoor.cli",
            "scheduler",
            "--every",
            "1",
            "--standby-poll",
            "0.5",
        ],
        env=env,
        cwd=PROJECT_ROOT,
    )


def _queue(key: str) -> int:
    message = queue_message(
        key=key,
        channel="email",
        recipient="manager@example.com",
        template="daily_summary",
        language="en",
        payload={"hub": "Hub", "day": "2026-11-23", "counts": {"arrivals": 1}},
        now=clock.now() - timedelta(seconds=1),
    )
    db.session.commit()
    return message.id


def _owners() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(JobRun.owner).distinct()))


def _recorded(outbox_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(RecordedMessage)
        .where(RecordedMessage.outbox_id == outbox_id)
    )


def _dispatch_runs() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(JobRun).where(JobRun.job == "outbox.dispatch")
    )


def test_two_scheduler_processes_run_each_job_once_and_the_standby_takes_over(
    app, app_context, database_url
):
    """Two real ``frontdoor scheduler`` processes started at once: one runs every job,
    the other waits; a message is sent once; when the first is killed, the second runs."""
    first_message = _queue("test:two-schedulers:1")
    processes = [_scheduler_process(database_url), _scheduler_process(database_url)]
    try:
        wait_for(lambda: _recorded(first_message) == 1, "the message to be sent")
        wait_for(lambda: _dispatch_runs() >= 4, "several dispatcher runs")
        owners = _owners()
        assert len(owners) == 1, owners
        active_pid = int(next(iter(owners)).rsplit(":", 1)[1])
        active = next(p for p in processes if p.pid == active_pid)
        standby = next(p for p in processes if p.pid != active_pid)
        assert _recorded(first_message) == 1
        # Every job ran, all in the one process.
        db.session.rollback()
        assert set(db.session.scalars(select(JobRun.job).distinct())) == set(REGISTRY)
        # Killed outright, maybe mid-job: the database (or the kernel, for SQLite's
        # file lock) frees its lock, and the standby takes over.
        active.send_signal(signal.SIGKILL)
        assert active.wait(WAIT) == -signal.SIGKILL
        second_message = _queue("test:two-schedulers:2")
        wait_for(lambda: len(_owners()) == 2, "the standby to take over")
        wait_for(lambda: _recorded(second_message) == 1, "the second message to be sent")
        assert _recorded(first_message) == 1
        assert standby.poll() is None
        db.session.rollback()
        statuses = set(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))
        assert statuses == {"sent"}
        # Whatever the killed process was running is marked interrupted, not left running.
        dead = f":{active_pid}"
        db.session.rollback()
        left_running = db.session.scalar(
            select(func.count())
            .select_from(JobRun)
            .where(JobRun.owner.endswith(dead), JobRun.status == JobRunStatus.RUNNING)
        )
        assert left_running == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_development_server_starts_the_scheduler_once(tmp_path):
    """``make run``: the serving process starts it at its first request, once; a CLI
    command that creates the app (``frontdoor db upgrade``) never does."""
    from flask_migrate import upgrade

    from frontdoor import create_app

    app = create_app(
        {
            "env": "test",
            "database_url": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            "secret_key": "x",
            "instance_path": tmp_path,
            "log_level": "WARNING",
            "scheduler_in_process": True,
        }
    )
    with app.app_context():
        upgrade()
    assert scheduler._in_process is None
    client = app.test_client()
    client.get("/book/")
    client.get("/book/")
    process = scheduler._in_process
    assert process is not None
    try:
        named = [t for t in threading.enumerate() if t.name == "frontdoor-scheduler"]
        assert len(named) == 1
        wait_for(lambda: process.scheduler is not None and process.scheduler.running, "start")
    finally:
        process.stop()
        for thread in threading.enumerate():
            if thread.name == "frontdoor-scheduler":
                thread.join(WAIT)


def test_the_jobs_page_shows_next_and_last_runs_and_an_overdue_scheduler(app, signed_in):
    client = signed_in("manager@riverside.example")
    with app.app_context():
        stopped = build_scheduler(app)
        stopped.start(paused=True)
        sync_jobs(stopped)
        stopped.modify_job("retention.purge", next_run_time=datetime.now(UTC) - timedelta(hours=1))
        stop_scheduler(stopped)
        run_job("retention.purge")
        db.session.remove()
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Overdue: is the scheduler running?" in page
    assert "visits 0, bookings 0, help_requests 0, messages 0" in page
    assert "daily at 03:30" in page
