"""The reach bench's generator (bench/reach_data.py): a small council, two hubs and
30 days, written with PostgreSQL COPY. The rows must be ones the app accepts (read
back through the models and their own rules) and the counts must follow the scale;
a second run with the same scale reuses the data instead of making it again.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from bench.reach_data import SERIES, Scale, ensure, generate, reach_app
from booking.contact import Party
from frontdoor.extensions import db
from frontdoor.models import AGE_BANDS, Booking, HelpRequest, Session, Visit
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.postgres_only

SMALL = Scale(hubs=2, days=30, bookings_per_session=8, drop_ins_per_session=12)
LAST_DAY = date(2026, 11, 30)


def _sessions_expected(scale: Scale) -> int:
    days = [LAST_DAY - timedelta(days=n) for n in range(scale.days)]
    per_day = sum(sum(day.weekday() in weekdays for _, _, weekdays, _, _ in SERIES) for day in days)
    return per_day * scale.hubs


def test_generated_rows_are_ones_the_app_accepts(app_context):
    counts = generate(SMALL, LAST_DAY, log=lambda _: None)

    sessions = db.session.scalars(select(Session)).all()
    bookings = db.session.scalars(select(Booking)).all()
    visits = db.session.scalars(select(Visit)).all()
    assert counts == {
        "session": len(sessions),
        "booking": len(bookings),
        "visit": len(visits),
        "help_request": db.session.scalar(select(func.count()).select_from(HelpRequest)),
    }
    assert len(sessions) == _sessions_expected(SMALL)
    assert len({s.hub_id for s in sessions}) == SMALL.hubs
    first_day = LAST_DAY - timedelta(days=SMALL.days - 1)
    assert {s.starts_at.date() for s in sessions} <= {
        first_day + timedelta(days=n) for n in range(SMALL.days)
    }
    assert all(s.occurrence_date.weekday() != 6 for s in sessions)  # closed on Sundays

    per_session = Counter(b.session_id for b in bookings)
    low, high = SMALL.bookings_per_session * 3 // 4, SMALL.bookings_per_session * 5 // 4
    assert all(low <= n <= high for n in per_session.values())
    for booking in bookings:
        Party(booking.adults, tuple(booking.children)).check(max_people=10)
        assert booking.people == booking.adults + len(booking.children)
        assert booking.occasion is booking.session
    statuses = Counter(b.status for b in bookings)
    assert set(statuses) == {"confirmed", "cancelled"}

    by_id = {b.id: b for b in bookings}
    kinds = Counter(v.kind for v in visits)
    assert set(kinds) == {"booking", "drop_in", "walk_in"}
    for visit in visits:
        assert visit.children == len(visit.child_bands)
        assert set(visit.child_bands) <= set(AGE_BANDS)
        assert visit.adults + visit.children >= 1
        assert len(visit.family_key) == 32
        assert visit.imd_decile is None or 1 <= visit.imd_decile <= 10
        assert len(visit.postcode_district) <= 4 and len(visit.lsoa) in (0, 9)
        if visit.kind == "booking":
            booked = by_id[visit.booking_id]
            assert booked.status == "confirmed" and booked.checked_in_at is not None
            assert visit.session_id == booked.session_id
            assert visit.family_key == booked.family_key
        elif visit.kind == "drop_in":
            assert visit.session is not None and visit.booking_id is None
        else:
            assert visit.session_id is None and visit.booking_id is None
    # Only bookings someone came to have a visit, and no booking has two.
    came = [b for b in bookings if b.checked_in_at is not None]
    assert kinds["booking"] == len(came) == len({v.booking_id for v in visits if v.booking_id})

    # Some families come often and many come once; some gave no postcode.
    per_family = Counter(v.family_key for v in visits)
    assert max(per_family.values()) >= 10
    assert sum(1 for n in per_family.values() if n == 1) > len(per_family) / 3
    assert any(v.postcode_district == "" and v.imd_decile is None for v in visits)

    # New rows after the load take the next ids (the sequences were moved on).
    next_id = db.session.scalar(text("SELECT nextval(pg_get_serial_sequence('visit', 'id'))"))
    assert next_id > max(v.id for v in visits)


@pytest.fixture
def reach_url():
    """A database of its own beside the test database, dropped afterwards."""
    url = TEST_DATABASE_URL + "_reach"
    yield url
    base, name = url.rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def test_a_second_run_with_the_same_scale_reuses_the_data(reach_url):
    app = reach_app(reach_url)
    first = ensure(app, SMALL, log=lambda _: None)
    again = ensure(app, SMALL, log=lambda _: None)
    other = ensure(app, Scale(hubs=1, days=10), log=lambda _: None)

    assert not first.reused and again.reused and not other.reused
    assert again.counts == first.counts and again.last_day == first.last_day
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == other.counts["visit"]
        marker = db.session.execute(text("SELECT params FROM bench_reach_marker")).scalars().all()
        db.session.remove()
        db.engine.dispose()
    assert [json.loads(p)["hubs"] for p in marker] == [1]


def test_data_made_before_a_new_migration_is_upgraded_in_place_not_made_again(reach_url):
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade

    app = reach_app(reach_url)
    first = ensure(app, SMALL, log=lambda _: None)
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        head = script.get_current_head()
        downgrade(revision="-1")
        behind = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(
            text("UPDATE bench_reach_marker SET params = :p"),
            {"p": json.dumps({**dataclasses.asdict(SMALL), "schema": [behind]})},
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    again = ensure(app, SMALL, log=lambda _: None)

    assert again.reused and again.counts == first.counts
    with app.app_context():
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
        assert db.session.scalar(select(func.count()).select_from(Visit)) == first.counts["visit"]
        db.session.remove()
        db.engine.dispose()
