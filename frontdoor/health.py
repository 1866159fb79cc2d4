"""Health checks for a load balancer and an orchestrator, and the metrics page.

- ``/healthz``: the process answers (200). Touches no database, so a database
  outage never has every web worker restarted for nothing.
- ``/readyz``: this worker can serve: the database answers, its schema is the one
  this code's migrations end at, and the scheduler has recorded a heartbeat
  lately. 503 with the reasons (short fixed phrases, nothing personal) if not.
- ``/metrics``: Prometheus's text format, for a bearer token only
  (frontdoor/metrics.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from frontdoor import clock, metrics
from frontdoor.extensions import db
from frontdoor.models import SchedulerHeartbeat
from frontdoor.scheduler import HEARTBEAT_SECONDS
from frontdoor.staff_auth import public

bp = Blueprint("health", __name__)

# Three missed beats: one slow beat or a scheduler restart is not an outage.
HEARTBEAT_STALE = timedelta(seconds=3 * HEARTBEAT_SECONDS)
DATABASE_UNREACHABLE = "database unreachable"
MIGRATIONS_NOT_CURRENT = "database migrations not current"
SCHEDULER_NEVER_BEAT = "scheduler has never recorded a heartbeat"
SCHEDULER_STALE = "scheduler heartbeat is stale"


@cache
def migration_heads(directory: str) -> frozenset[str]:
    """The revisions this code's migrations end at (read once per process)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(directory).get_heads())


def problems(now: datetime, heads: frozenset[str]) -> list[str]:
    """Why this process is not ready to serve; empty when it is."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return [DATABASE_UNREACHABLE]
    found = []
    try:
        versions = frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:  # no alembic_version table: an empty database
        db.session.rollback()
        versions = frozenset()
    if versions != heads:
        found.append(MIGRATIONS_NOT_CURRENT)
    beat = db.session.scalar(select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == 1))
    if beat is None:
        found.append(SCHEDULER_NEVER_BEAT)
    elif now - beat > HEARTBEAT_STALE:
        found.append(SCHEDULER_STALE)
    return found


def _answer(body: dict[str, object], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@public
def healthz() -> Response:
    return _answer({"alive": True}, 200)


@bp.route("/readyz")
@public
def readyz() -> Response:
    heads = migration_heads(current_app.extensions["migrate"].directory)
    try:
        found = problems(clock.now(), heads)
    except SQLAlchemyError:  # the database went away between the checks
        db.session.rollback()
        found = [DATABASE_UNREACHABLE]
    if found:
        return _answer({"ready": False, "problems": found}, 503)
    return _answer({"ready": True, "problems": []}, 200)


@bp.route("/metrics")
@public  # open in the role sense; the bearer token is checked here
def metrics_page() -> Response:
    config = current_app.config["FRONTDOOR"]
    if not config.metrics_token:
        return Response("Not found\n", 404, mimetype="text/plain")
    if not metrics.authorised(config, request.headers.get("Authorization", "")):
        return Response(
            "A bearer token is needed\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            mimetype="text/plain",
        )
    return Response(
        metrics.exposition(config),
        200,
        {"Cache-Control": "no-store"},
        mimetype="text/plain; version=0.0.4",
    )


def init_app(app: Flask) -> None:
    metrics.init_app(app)
    app.register_blueprint(bp)
