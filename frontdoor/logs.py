"""Structured logs: one JSON object a line, and never a family's personal data.

Request logs carry the endpoint, not the URL with its query string, and no form
data. Anything personal stays in the database, behind the audit log.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            entry["trace"] = self.formatException(record.exc_info)
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
