"""The scheduler: APScheduler 3 with its job store in the application database.

Faces register their jobs here (``register_job``), next to the code they serve;
this module knows nothing of them. A job is a plain function taking ``now`` and
returning a short summary; it is idempotent and re-checks under a lock before it
acts, so running it twice, late, or after a crash does no harm.

One process runs the jobs: ``frontdoor scheduler`` in production (its own systemd
unit), or a thread inside the development server (``make run``). Before it starts
it takes a lock: a PostgreSQL advisory lock (a file lock on SQLite), held for the
life of the process. A second scheduler waits for that lock as a hot standby and
takes over when the first one stops.

Jobs coalesce (a scheduler that was down runs each missed job once, not once per
missed time) and have a misfire grace time. Each run is recorded in ``job_run``,
and the running scheduler touches ``scheduler_heartbeat`` every minute (``/readyz``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from frontdoor import clock
from frontdoor.config import SCHEDULER_JOB_THREADS
from frontdoor.extensions import db, rows_changed
from frontdoor.logs import error_fields
from frontdoor.models import JobRun, JobRunStatus, SchedulerHeartbeat

log = logging.getLogger("frontdoor.scheduler")

# The advisory lock's key: one scheduler per database.
LOCK_KEY = zlib.crc32(b"frontdoor.scheduler")
POLL_SECONDS = 5.0
# How often the running scheduler records that it is alive; /readyz allows a few
# missed beats (frontdoor/health.py) before it calls the scheduler stopped.
HEARTBEAT_SECONDS = 60.0


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[datetime], object]
    description: str
    # Every so often, or daily at a wall-clock time in Europe/London.
    every: timedelta | None = None
    daily_at: tuple[int, int] | None = None
    misfire_grace: timedelta = timedelta(hours=1)

    def trigger(self, every_seconds: float | None = None):
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if every_seconds:
            return IntervalTrigger(seconds=every_seconds, timezone=clock.LONDON)
        if self.every is not None:
            return IntervalTrigger(seconds=self.every.total_seconds(), timezone=clock.LONDON)
        assert self.daily_at is not None
        hour, minute = self.daily_at
        return CronTrigger(hour=hour, minute=minute, timezone=clock.LONDON)

    @property
    def schedule(self) -> str:
        if self.every is not None:
            minutes = self.every.total_seconds() / 60
            if minutes < 1:
                return f"every {int(self.every.total_seconds())} seconds"
            return f"every {minutes:g} minute{'s' if minutes != 1 else ''}"
        hour, minute = self.daily_at or (0, 0)
        return f"daily at {hour:02d}:{minute:02d}"


REGISTRY: dict[str, JobSpec] = {}


def register_job(
    job_id: str,
    func: Callable[[datetime], object],
    *,
    description: str,
    every: timedelta | None = None,
    daily_at: str | None = None,
    misfire_grace: timedelta | None = None,
) -> JobSpec:
    """Add a job: ``register_job("arrivals.escalate", escalate_overdue,
    every=timedelta(minutes=1), description="...")``. ``func(now)`` runs in an app
    context; the scheduler commits after it returns and rolls back if it raises.
    Registering the same id again replaces it (apps are created many times in tests).
    """
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= or daily_at=")
    at = None
    if daily_at is not None:
        hour, minute = (int(part) for part in daily_at.split(":"))
        at = (hour, minute)
    if misfire_grace is None:
        # A frequent job that missed its time is simply run at the next; a daily
        # one is still worth running up to most of a day late.
        misfire_grace = (
            timedelta(hours=12) if at else max(every or timedelta(0), timedelta(hours=1))
        )
    spec = JobSpec(job_id, func, description, every, at, misfire_grace)
    REGISTRY[job_id] = spec
    return spec


# --- running one job ------------------------------------------------------------------


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(job_id: str, *, now: datetime | None = None) -> JobRun:
    """Run one registered job now, in the current app context, and record the run."""
    spec = REGISTRY[job_id]
    now = now or clock.now()
    run = JobRun(job=job_id, started_at=now, owner=_owner())
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    try:
        result = spec.func(now)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.error("job failed", extra={"fields": {"job": job_id, **error_fields(error)}})
        _finish(run_id, JobRunStatus.ERROR, type(error).__name__)
        raise
    _finish(run_id, JobRunStatus.OK, _summary(result))
    return db.session.get_one(JobRun, run_id)


def _summary(result: object) -> str:
    if result is None:
        return "done"
    if isinstance(result, dict):
        return ", ".join(f"{key} {value}" for key, value in result.items()) or "nothing to do"
    if isinstance(result, list | tuple | set):
        return f"{len(result)} done"
    return str(result)[:500]


def _finish(run_id: int, status: str, result: str) -> None:
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status=status, result=result, finished_at=clock.now())
    )
    db.session.commit()


_APP: Flask | None = None


def fire(job_id: str) -> None:
    """What APScheduler calls (by reference, so the job store holds no code)."""
    assert _APP is not None, "the scheduler has no app"
    if job_id not in REGISTRY:
        log.warning("unknown job", extra={"fields": {"job": job_id}})
        return
    with _APP.app_context():
        try:
            run_job(job_id)
        except Exception:  # recorded in job_run and logged; the scheduler goes on
            log.warning("job run ended with an error", extra={"fields": {"job": job_id}})
        finally:
            db.session.remove()


def mark_interrupted(now: datetime) -> int:
    """Runs left "running" by a scheduler that died: only the lock holder calls this,
    so no other process can be running them."""
    changed = rows_changed(
        update(JobRun)
        .where(JobRun.status == JobRunStatus.RUNNING)
        .values(status=JobRunStatus.INTERRUPTED, finished_at=now, result="the process stopped")
    )
    db.session.commit()
    return changed


def beat(now: datetime) -> None:
    """Record that the running scheduler is alive. Only the lock holder calls this,
    so one row speaks for the one scheduler."""
    heartbeat = db.session.get(SchedulerHeartbeat, 1)
    if heartbeat is None:
        db.session.add(SchedulerHeartbeat(id=1, beat_at=now, owner=_owner()))
    else:
        heartbeat.beat_at = now
        heartbeat.owner = _owner()
    db.session.commit()


def _beat_safely(app: Flask) -> None:
    """A beat that fails (the database is away for a moment) is logged and tried
    again next time: the jobs go on, and /readyz notices if it lasts."""
    with app.app_context():
        try:
            beat(clock.now())
        except Exception as error:
            db.session.rollback()
            log.warning("scheduler heartbeat failed", extra={"fields": error_fields(error)})
        finally:
            db.session.remove()


# --- the lock that makes one scheduler run at a time ------------------------------------


class SchedulerLock(ABC):
    """Held by the one scheduler that runs jobs; the others wait for it."""

    @abstractmethod
    def try_acquire(self) -> bool: ...

    @abstractmethod
    def held(self) -> bool: ...

    @abstractmethod
    def release(self) -> None: ...


class PostgresLock(SchedulerLock):
    """A session-level advisory lock on a connection of its own, kept open while
    the scheduler runs; PostgreSQL frees it if the process dies."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool)
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
        ).scalar()
        return bool(got)

    def held(self) -> bool:
        if self.connection is None:
            return False
        try:
            return bool(
                self.connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND pid = pg_backend_pid() AND objid::bigint = :key AND granted"
                    ),
                    {"key": LOCK_KEY & 0xFFFFFFFF},
                ).scalar()
            )
        except Exception:
            return False

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                self.connection.close()
            except Exception:  # the connection is gone, and the lock with it
                log.warning("scheduler lock connection lost while releasing")
            self.connection = None
        self.engine.dispose()


class FileLock(SchedulerLock):
    """SQLite: an exclusive ``flock`` on a file beside the database; the kernel frees
    it if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def try_acquire(self) -> bool:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        return True

    def held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def lock_for(app: Flask) -> SchedulerLock:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        return PostgresLock(url)
    database = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    base = Path(database) if database and database != ":memory:" else app.instance_path
    return FileLock(Path(f"{base}.scheduler.lock"))


# --- the APScheduler instance ------------------------------------------------------------


def build_scheduler(app: Flask):
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    global _APP
    _APP = app
    # An engine of its own: APScheduler disposes its store's engine when it stops.
    store = SQLAlchemyJobStore(
        url=app.config["SQLALCHEMY_DATABASE_URI"],
        engine_options=app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        tablename="apscheduler_jobs",
    )
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(SCHEDULER_JOB_THREADS)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=clock.LONDON,
    )


def sync_jobs(scheduler, *, every_seconds: float | None = None) -> None:
    """Make the stored jobs match the registry. A job whose trigger is unchanged
    keeps its stored next run time, so one missed while the scheduler was down
    still runs (once, coalesced) when it comes back."""
    for spec in REGISTRY.values():
        trigger = spec.trigger(every_seconds)
        grace = int(spec.misfire_grace.total_seconds())
        existing = scheduler.get_job(spec.id)
        if existing is None:
            scheduler.add_job(
                "frontdoor.scheduler:fire",
                trigger,
                args=[spec.id],
                id=spec.id,
                name=spec.id,
                misfire_grace_time=grace,
                coalesce=True,
                max_instances=1,
            )
            continue
        if str(existing.trigger) != str(trigger):
            scheduler.reschedule_job(spec.id, trigger=trigger)
        if existing.misfire_grace_time != grace:
            scheduler.modify_job(spec.id, misfire_grace_time=grace)
    for job in scheduler.get_jobs():
        if job.id not in REGISTRY:
            job.remove()


def stop_scheduler(scheduler) -> None:
    """Stop, waiting for running jobs. The job store is taken away first: APScheduler's
    loop looks at the store once more as it stops, and would move a job that is due
    at that moment on to its next time without running it."""
    if scheduler is None or not scheduler.running:
        return
    scheduler.pause()
    scheduler.remove_jobstore("default")
    scheduler.shutdown(wait=True)


class SchedulerProcess:
    """Waits for the lock, then runs the jobs until ``stop`` or until the lock is lost."""

    def __init__(
        self,
        app: Flask,
        *,
        every_seconds: float | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.app = app
        self.every_seconds = every_seconds
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.lock = lock_for(app)
        self.scheduler = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> int:
        announced = False
        while not self.lock.try_acquire():
            if not announced:
                log.info("scheduler waiting as standby: another scheduler holds the lock")
                announced = True
            if self.stopping.wait(self.poll_seconds):
                return 0
        try:
            with self.app.app_context():
                interrupted = mark_interrupted(clock.now())
                db.session.remove()
            config = self.app.config["FRONTDOOR"]
            if config.is_production and "dev" in (config.email_channel, config.sms_channel):
                log.warning("the development channel is in use: messages are only recorded")
            log.info(
                "scheduler running",
                extra={"fields": {"jobs": sorted(REGISTRY), "interrupted_runs": interrupted}},
            )
            self.scheduler = scheduler = build_scheduler(self.app)
            scheduler.start(paused=True)
            sync_jobs(scheduler, every_seconds=self.every_seconds)
            scheduler.resume()
            _beat_safely(self.app)
            next_beat = time.monotonic() + HEARTBEAT_SECONDS
            while not self.stopping.wait(self.poll_seconds):
                if not self.lock.held():
                    log.error("scheduler lost its lock; stopping")
                    return 1
                if time.monotonic() >= next_beat:
                    _beat_safely(self.app)
                    next_beat = time.monotonic() + HEARTBEAT_SECONDS
            return 0
        finally:
            stop_scheduler(self.scheduler)
            self.lock.release()
            log.info("scheduler stopped")


# --- in the development server -------------------------------------------------------------

_in_process: SchedulerProcess | None = None
_in_process_guard = threading.Lock()


def start_in_process(app: Flask) -> bool:
    """Start the scheduler in a thread of this process, once. Returns whether it started."""
    global _in_process
    with _in_process_guard:
        if _in_process is not None:
            return False
        _in_process = SchedulerProcess(app)
        threading.Thread(target=_in_process.run, name="frontdoor-scheduler", daemon=True).start()
        return True


def init_app(app: Flask) -> None:
    """With ``scheduler_in_process`` (``make run``), start the scheduler in the process
    that serves requests, exactly once: at once in the reloader's serving child
    (``WERKZEUG_RUN_MAIN``), else at the first request. The reloader's watcher
    process and CLI commands such as ``frontdoor db upgrade`` never serve, so never
    start it; and the lock keeps even several workers down to one scheduler."""
    if not app.config["FRONTDOOR"].scheduler_in_process:
        return
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        start_in_process(app)
        return

    @app.before_request
    def _start_scheduler() -> None:
        if _in_process is None:
            start_in_process(app)


def next_run_times() -> dict[str, datetime | None]:
    """Each stored job's next run time (read straight from the job store's table)."""
    from frontdoor.models import apscheduler_jobs

    rows = db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    return {
        job_id: (datetime.fromtimestamp(at, UTC) if at is not None else None) for job_id, at in rows
    }
