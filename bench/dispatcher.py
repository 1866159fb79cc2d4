"""Dispatcher throughput: messages sent per second into a local SMTP server (aiosmtpd).

N messages are queued in the outbox of a freshly migrated database (PostgreSQL when
reachable, and SQLite), then one ``dispatch_outbox`` call sends them all over one
kept-open SMTP connection to an aiosmtpd server on loopback: claim in batches of 50,
render, send, mark sent and commit one message at a time. Bounded: at most
``MESSAGES`` messages and ``SECONDS`` seconds per database.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, insert, select

from bench.common import Result, bench_app, postgres_available
from frontdoor import clock
from frontdoor.channels import SmtpChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.extensions import db
from frontdoor.models import MessageStatus, OutboxMessage
from frontdoor.outbox import Links

MESSAGES = 2000
SECONDS = 120


def _queue(count: int) -> None:
    now = clock.now() - timedelta(seconds=1)
    payload = {"hub": "Riverside", "day": "2026-11-23", "counts": {"arrivals": 12}}
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                "idempotency_key": f"bench:{number}",
                "channel": "email",
                "recipient": f"family{number}@example.com",
                "template": "daily_summary",
                "language": "en",
                "payload": payload,
                "status": MessageStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "last_error": "",
                "claim": "",
                "sent_by": "",
                "provider_ref": "",
            }
            for number in range(count)
        ],
    )
    db.session.commit()


def _round(database: str) -> Result:
    from flask import current_app

    from tests.message_servers import smtp_server

    with bench_app(database) as app, app.app_context(), smtp_server() as (port, server):
        _queue(MESSAGES)
        config = replace(current_app.config["FRONTDOOR"], smtp_port=port)
        links = Links(config.base_url, current_app.config["SECRET_KEY"])
        started = time.perf_counter()
        deadline = started + SECONDS
        sent = 0
        while sent < MESSAGES and time.perf_counter() < deadline:
            result = dispatch_outbox(
                clock.now(), channels={"email": SmtpChannel(config)}, links=links, max_batches=4
            )
            sent += result.sent
            if not result.sent:
                break
        elapsed = time.perf_counter() - started
        received = len(server.received)
        left = db.session.scalar(
            select(func.count()).where(OutboxMessage.status != MessageStatus.SENT)
        )
        db.session.remove()
    return Result(
        f"dispatch {MESSAGES} emails to aiosmtpd ({database})",
        [elapsed * 1000 / max(sent, 1)],
        extra=f"{sent / elapsed:.0f} messages/s; received {received}; not sent {left}"
        f" (p50/p95 = mean ms per message)",
    )


def run() -> list[Result]:
    results = [_round("sqlite")]
    if postgres_available():
        results.append(_round("postgresql"))
    else:
        print("  PostgreSQL not reachable: measured on SQLite only")
    return results
