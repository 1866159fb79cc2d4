"""The scheduler's tables: APScheduler's job store, and a row per job run.

``apscheduler_jobs`` is APScheduler 3's own ``SQLAlchemyJobStore`` table, declared
here with the same columns so that the migration creates it and the models and
migrations never drift. ``job_run`` is ours: when each job ran and what it did,
for the staff side's jobs page. ``scheduler_heartbeat`` is one row the running
scheduler touches every minute, so ``/readyz`` can tell a live scheduler from one
that has stopped (or never started).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, Index, LargeBinary, String, Table, Text, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from frontdoor.models.base import Base, utcnow

apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobRunStatus:
    RUNNING = "running"
    OK = "ok"
    ERROR = "error"
    # The process running it stopped (killed) before it finished.
    INTERRUPTED = "interrupted"


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default=JobRunStatus.RUNNING)
    # A short summary (counts), or the error's class: never personal data.
    result: Mapped[str] = mapped_column(Text, default="")
    # host:pid of the scheduler process that ran it.
    owner: Mapped[str] = mapped_column(String(120), default="")


class SchedulerHeartbeat(Base):
    """The running scheduler's last sign of life. One row (id 1): only the lock
    holder writes it, so there is one scheduler to speak for."""

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
    # host:pid of the scheduler process, as in ``job_run.owner``.
    owner: Mapped[str] = mapped_column(String(120), default="")
