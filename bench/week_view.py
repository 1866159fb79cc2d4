"""Week view of a hub's timetable with 50 series: server time per request (target p95 <= 30 ms).

Measured in-process through the WSGI app (no network), after a warm-up, on SQLite
and on PostgreSQL when it is reachable.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from bench.common import Result, bench_app, postgres_available, timed
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Role, Room, ServiceCategory, SessionSeries
from frontdoor.staff import create_staff
from frontdoor.timetable import SeriesInput, save_series, week_start

SERIES = 50
PASSWORD = "bench-password"


def _build_hub() -> None:
    council = Organisation(name="Bench Council", slug="bench")
    db.session.add(council)
    db.session.flush()
    hub = Hub(organisation_id=council.id, slug="bench", name="Bench Family Hub", settings_json={})
    rooms = [Room(hub=hub, name=f"Room {n}") for n in range(8)]
    category = ServiceCategory(organisation_id=council.id, name="Stay and play")
    db.session.add_all([hub, category, *rooms])
    db.session.flush()
    lead = create_staff(
        organisation_id=council.id,
        email="lead@bench.example",
        name="Bench Lead",
        password=PASSWORD,
        roles=[(hub.id, Role.SESSION_LEAD)],
    )
    today = clock.today()
    for n in range(SERIES):
        starts = time(9 + n % 9, 0 if n % 2 else 30)
        save_series(
            SessionSeries(),
            SeriesInput(
                hub_id=hub.id,
                title=f"Session {n}",
                description="A bench session",
                category_id=category.id,
                room_id=rooms[n % len(rooms)].id,
                age_bands=["0-1", "1-3"],
                weekdays=[n % 7, (n + 3) % 7],
                interval_weeks=1 + n % 2,
                start_date=week_start(today) - timedelta(weeks=1),
                start_time=starts,
                end_time=time(starts.hour + 1, starts.minute),
                capacity=10 + n % 20,
                booking_mode=["drop_in", "booking", "both"][n % 3],
                drop_in_places=3 if n % 3 == 2 else 0,
                lead_ids=[lead.id],
            ),
            today=today,
        )
    db.session.commit()


def _measure(database: str) -> Result:
    with bench_app(database) as app:
        with app.app_context():
            _build_hub()
        client = app.test_client()
        page = client.get("/admin/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/admin/sign-in",
            data={"email": "lead@bench.example", "password": PASSWORD, "csrf_token": token},
        )
        url = f"/admin/timetable?hub=bench&week={clock.today().isoformat()}"
        first = client.get(url)
        assert first.status_code == 200 and "Session 1" in first.get_data(as_text=True)
        timed(lambda: client.get(url), count=20, seconds=5)  # warm-up
        samples = timed(lambda: client.get(url), count=300, seconds=20)
        with app.app_context():
            sessions = db.session.execute(
                db.text("SELECT count(*) FROM session WHERE hub_id = 1")
            ).scalar()
    return Result(
        f"week view, {SERIES} series ({database})",
        samples,
        "target p95 <= 30 ms",
        f"({sessions} sessions in 12 weeks)",
    )


def run() -> list[Result]:
    results = [_measure("sqlite")]
    if postgres_available():
        results.append(_measure("postgresql"))
    else:
        print("  PostgreSQL not reachable: measured on SQLite only")
    return results
