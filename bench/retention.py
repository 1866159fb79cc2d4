"""Retention purge: 100,000 visits past the retention period, on PostgreSQL (target <= 10 s).

A freshly migrated database gets one hub, 100,000 visits from 14 to 26 months ago
(all past the default 13 months), 20,000 newer ones that must stay, and 10,000 old
help requests, inserted set-based. The timed part is the nightly job itself,
``purge_expired(now)``, and its commit. Then it checks the counts stayed and no old
name is left.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select, text

from bench.common import Result, bench_app, postgres_available
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Visit
from frontdoor.retention import purge_expired

OLD_VISITS = 100_000
NEW_VISITS = 20_000
TARGET_SECONDS = 10


def _fill(hub_id: int) -> None:
    for count, ages in ((OLD_VISITS, "14 months"), (NEW_VISITS, "0 months")):
        db.session.execute(
            text(
                "INSERT INTO visit (hub_id, kind, first_name, last_name, adults, children,"
                " language, status, arrived_at)"
                " SELECT :hub, 'walk_in', 'Name' || n, 'Family', 1, 1, 'en', 'left',"
                " now() - CAST(:age AS interval) - (n % 365) * interval '1 day'"
                " FROM generate_series(1, :count) AS n"
            ),
            {"hub": hub_id, "age": ages, "count": count},
        )
    db.session.execute(
        text(
            "INSERT INTO help_request (hub_id, topic, first_name, language, private_room,"
            " urgent, status, created_at)"
            " SELECT :hub, 'money', 'Name' || n, 'en', false, false, 'left',"
            " now() - interval '14 months' FROM generate_series(1, 10000) AS n"
        ),
        {"hub": hub_id},
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))


def run() -> list[Result]:
    if not postgres_available():
        print("  PostgreSQL not reachable: the retention bench needs it, skipped")
        return []
    with bench_app("postgresql") as app, app.app_context():
        council = Organisation(name="Bench Council", slug="bench")
        hub = Hub(organisation=council, slug="riverside", name="Riverside")
        db.session.add_all([council, hub])
        db.session.commit()
        _fill(hub.id)
        started = time.perf_counter()
        totals = purge_expired(clock.now())
        db.session.commit()
        elapsed = time.perf_counter() - started
        total = db.session.scalar(select(func.count()).select_from(Visit))
        named = db.session.scalar(
            select(func.count()).select_from(Visit).where(Visit.first_name != "")
        )
        db.session.remove()
    ok = totals["visits"] == OLD_VISITS and total == OLD_VISITS + NEW_VISITS
    ok = ok and named == NEW_VISITS
    verdict = "met" if elapsed <= TARGET_SECONDS else "MISSED"
    return [
        Result(
            f"purge {OLD_VISITS:,} visits past retention (PostgreSQL)",
            [elapsed * 1000],
            target=f"target <= {TARGET_SECONDS} s: {verdict}",
            extra=f"{elapsed:.2f} s; erased {totals}; rows kept {total:,};"
            f" {'checks passed' if ok else 'CHECKS FAILED'}",
        )
    ]
