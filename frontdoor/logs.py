"""Structured logs: one JSON object a line, and never a family's personal data.

Request logs carry the endpoint, not the URL with its query string, and no form
data. An error is logged by its class, the database's own code for it and where
it was raised, never by its message: a database error's message repeats the
statement's values and PostgreSQL's DETAIL repeats the row (a name, an email,
access needs), and any other message may quote what a family typed. Anything
personal stays in the database, behind the audit log.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from pathlib import Path

from flask import Flask, g, request
from jinja2 import UndefinedError

from frontdoor.config import PROJECT_ROOT


def error_name(error: BaseException) -> str:
    """An error's class, with the database's code for it when it has one
    (PostgreSQL's SQLSTATE and constraint, SQLite's error name): never its message,
    except a template's undefined name, which names code, not people."""
    name = type(error).__name__
    if isinstance(error, UndefinedError):
        return f"{name}: {error.message}"
    original = getattr(error, "orig", None) or error
    codes = [
        code
        for code in (
            getattr(original, "sqlstate", None),  # psycopg
            getattr(getattr(original, "diag", None), "constraint_name", None),
            getattr(original, "sqlite_errorname", None),
        )
        if isinstance(code, str) and code
    ]
    return f"{name} ({', '.join(codes)})" if codes else name


def error_fields(error: BaseException) -> dict[str, str]:
    """An error for the logs: its class and where it was raised (the innermost
    frames of our own code and templates), never its message."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if _ours(frame.filename)] or frames
    where = [f"{_short(frame.filename)}:{frame.lineno} {frame.name}" for frame in ours[-4:]]
    return {"error": error_name(error), "where": " < ".join(reversed(where))}


def _ours(filename: str) -> bool:
    return filename.startswith(str(PROJECT_ROOT)) and "site-packages" not in filename


def _short(filename: str) -> str:
    if _ours(filename):
        return filename.removeprefix(str(PROJECT_ROOT) + "/")
    return Path(filename).name


def error_trace(error: BaseException) -> str:
    """Python's traceback, every chained error included, each error's message left out."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{error_name(current)}")
        if current.__cause__ is not None or current.__suppress_context__:
            current = current.__cause__
        else:
            current = current.__context__
    return "\n\nand before it:\n".join(parts)


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            entry.update(error_fields(error))
            entry["trace"] = error_trace(error)
        return json.dumps(entry, default=str)


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("frontdoor")
    logger.handlers[:] = [handler]
    logger.setLevel(app.config["FRONTDOOR"].log_level)
    logger.propagate = False
    # Werkzeug's own access log prints full URLs; ours prints endpoints.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "endpoint": request.endpoint,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
        return response
