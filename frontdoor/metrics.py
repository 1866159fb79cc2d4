"""Prometheus metrics: what a council's monitoring scrapes from ``/metrics``.

Two kinds. Counted in the process as requests go by: each request's time, labelled
by its Flask endpoint (never the path, which can carry a booking reference), and
the event streams open now. Read from the database at each scrape: the outbox's
depth, how long ago each scheduled job last succeeded and how overdue it is, and
the scheduler's heartbeat age. Those come from one database, so any worker on any
machine gives the same answer, and nothing personal is ever a label.

gunicorn runs several workers, each with its own counts. With
``PROMETHEUS_MULTIPROC_DIR`` set (deploy/frontdoor-web.service does), every worker
writes its counts to files there and a scrape adds them up (prometheus_client's
multiprocess mode); without it (development, one process) a scrape shows this
process alone.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from datetime import datetime

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from frontdoor import clock
from frontdoor.config import Config
from frontdoor.extensions import db
from frontdoor.models import JobRun, JobRunStatus, MessageStatus, OutboxMessage, SchedulerHeartbeat

# This process's own instruments, apart from prometheus_client's default registry
# (whose process and platform collectors mean little under multiprocess mode).
PROCESS = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "frontdoor_request_seconds",
    "Time to answer a request, by Flask endpoint (an event stream: until it opens).",
    ["endpoint", "method"],
    registry=PROCESS,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OPEN_STREAMS = Gauge(
    "frontdoor_open_event_streams",
    "Server-sent event streams open now (arrivals boards, colleagues' lists).",
    registry=PROCESS,
    multiprocess_mode="livesum",  # the workers' sum, forgetting workers that died
)
# Only methods the app serves become a label; anything else is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PENDING = (MessageStatus.PENDING, MessageStatus.SENDING)


def authorised(config: Config, header: str) -> bool:
    """Whether an ``Authorization`` header carries the metrics token."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not config.metrics_token:
        return False
    return hmac.compare_digest(token.strip().encode(), config.metrics_token.encode())


def exposition(config: Config) -> bytes:
    """Everything ``/metrics`` shows, in Prometheus's text format."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(DatabaseCollector())
    if config.metrics_multiprocess_dir:
        MultiProcessCollector(scraped, path=config.metrics_multiprocess_dir)
        return generate_latest(scraped)
    return generate_latest(PROCESS) + generate_latest(scraped)


class DatabaseCollector:
    """Gauges read at scrape time, in the scraping request's app context."""

    def describe(self) -> list[Metric]:
        return []  # nothing to read until a scrape asks (no query at registration)

    def collect(self) -> Iterator[Metric]:
        now = clock.now()
        yield _outbox_depth()
        yield from _job_lag(now)
        yield _heartbeat_age(now)


def _outbox_depth() -> Metric:
    counts: dict[str, int] = {str(status): 0 for status in PENDING}
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(PENDING))
        .group_by(OutboxMessage.status)
    )
    counts.update({str(status): int(count) for status, count in rows})
    depth = GaugeMetricFamily(
        "frontdoor_outbox_messages",
        "Messages waiting in the outbox: pending, or being sent now.",
        labels=["status"],
    )
    for status, count in counts.items():
        depth.add_metric([status], count)
    return depth


def _job_lag(now: datetime) -> Iterator[Metric]:
    from frontdoor.scheduler import REGISTRY, next_run_times

    rows = db.session.execute(
        select(JobRun.job, func.max(JobRun.finished_at))
        .where(JobRun.status == JobRunStatus.OK)
        .group_by(JobRun.job)
    )
    succeeded = {job: last for job, last in rows}
    since = GaugeMetricFamily(
        "frontdoor_job_seconds_since_success",
        "Seconds since each scheduled job last finished without an error.",
        labels=["job"],
    )
    overdue = GaugeMetricFamily(
        "frontdoor_job_overdue_seconds",
        "Seconds each scheduled job is past its due time (0 when not yet due).",
        labels=["job"],
    )
    due = next_run_times()
    for job in sorted(REGISTRY):
        last = succeeded.get(job)
        if last is not None:
            since.add_metric([job], _seconds(now, last))
        if due.get(job) is not None:
            overdue.add_metric([job], max(0.0, _seconds(now, due[job])))
    yield since
    yield overdue


def _heartbeat_age(now: datetime) -> Metric:
    age = GaugeMetricFamily(
        "frontdoor_scheduler_heartbeat_age_seconds",
        "Seconds since the running scheduler last recorded that it is alive.",
    )
    beat = db.session.scalar(select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == 1))
    if beat is not None:
        age.add_metric([], _seconds(now, beat))
    return age


def _seconds(now: datetime, then: datetime | None) -> float:
    return (now - then).total_seconds() if then is not None else 0.0


def init_app(app: Flask) -> None:
    @app.after_request
    def _time_request(response):
        # Started by frontdoor/logs.py's timer, the one clock on each request.
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            method = request.method if request.method in METHODS else "other"
            endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
            REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)
        return response
