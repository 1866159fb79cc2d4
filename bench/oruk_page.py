"""One Open Referral UK page of 100 services: server time per request (target p95 <= 100 ms).

``/openreferral/services?per_page=100`` with 150 session series published across
five hubs, measured in-process through the WSGI app (no network), after a warm-up, on
SQLite and on PostgreSQL when it is reachable.
"""

from __future__ import annotations

from datetime import time, timedelta

from bench.common import Result, bench_app, postgres_available, statements, timed
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Room, ServiceCategory, SessionSeries

HUBS = 5
SERIES = 150
PER_PAGE = 100


def _build_council() -> None:
    """Series only: the API reads series, not their sessions, so none are made."""
    council = Organisation(name="Bench Council", slug="bench")
    db.session.add(council)
    db.session.flush()
    categories = [
        ServiceCategory(organisation_id=council.id, name=f"Category {n}") for n in range(6)
    ]
    hubs = [
        Hub(
            organisation_id=council.id,
            slug=f"bench{n}",
            name=f"Bench Family Hub {n}",
            address=f"{n} Mill Lane, Riverside, RV1 2AB",
        )
        for n in range(HUBS)
    ]
    rooms = [Room(hub=hub, name=f"Room {n}") for hub in hubs for n in range(3)]
    db.session.add_all([*categories, *hubs, *rooms])
    db.session.flush()
    start = clock.today() - timedelta(weeks=4)
    for n in range(SERIES):
        hub = hubs[n % HUBS]
        counted = n % 5 == 0
        db.session.add(
            SessionSeries(
                hub_id=hub.id,
                room_id=rooms[(n % HUBS) * 3 + n % 3].id,
                category_id=categories[n % len(categories)].id,
                title=f"Session {n:03}",
                description="A bench session with <b>some</b> words in it.",
                age_bands=["0-1", "1-3", "parents"][: 1 + n % 3],
                weekdays=[n % 7, (n + 3) % 7],
                interval_weeks=1 + n % 2,
                start_date=start,
                occurrence_count=30 if counted else None,
                start_time=time(9 + n % 9),
                duration_minutes=60 + 30 * (n % 3),
                capacity=10,
                booking_mode=["drop_in", "booking", "both"][n % 3],
                skip_bank_holidays=n % 4 != 0,
            )
        )
    db.session.commit()


def _measure(database: str) -> Result:
    with bench_app(database) as app:
        with app.app_context():
            _build_council()
        client = app.test_client()
        url = f"/openreferral/services?per_page={PER_PAGE}&page=1"
        first = client.get(url).get_json()
        assert first["size"] == PER_PAGE and first["total_items"] == SERIES, first["total_items"]
        sent = statements(app, lambda: client.get(url))
        timed(lambda: client.get(url), count=20, seconds=5)  # warm-up
        samples = timed(lambda: client.get(url), count=300, seconds=30)
    return Result(
        f"ORUK page of {PER_PAGE} services ({database})",
        samples,
        "target p95 <= 100 ms",
        f"({SERIES} series published; {sent} SQL statements a page)",
    )


def run() -> list[Result]:
    results = [_measure("sqlite")]
    if postgres_available():
        results.append(_measure("postgresql"))
    else:
        print("  PostgreSQL not reachable: measured on SQLite only")
    return results
