"""Shared set-up for the booking tests: a bookable session at a known time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, Room, Session, SessionSeries
from frontdoor.timetable import SeriesInput, save_series

# A Tuesday in late November; the session is at 10:00 the Tuesday after.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SESSION_DAY = NOW.date() + timedelta(days=7)


def make_session(
    *,
    capacity: int = 5,
    mode: str = "booking",
    unit: str = "families",
    drop_in_places: int = 0,
    hub_settings: dict | None = None,
) -> int:
    """A hub with one weekly bookable series; returns the id of next week's session."""
    clock.freeze(NOW)
    council = db.session.scalar(select(Organisation).filter_by(slug="test")) or Organisation(
        name="Test Council", slug="test"
    )
    db.session.add(council)
    db.session.flush()
    slug = f"hub{db.session.query(Hub).count() + 1}"
    hub = Hub(
        organisation_id=council.id, slug=slug, name=f"Hub {slug}", settings_json=hub_settings or {}
    )
    room = Room(hub=hub, name="Hall")
    db.session.add_all([hub, room])
    db.session.flush()
    series = SessionSeries()
    save_series(
        series,
        SeriesInput(
            hub_id=hub.id,
            title="Baby Massage",
            weekdays=[SESSION_DAY.weekday()],
            start_date=NOW.date(),
            start_time=time(10),
            end_time=time(11),
            capacity=capacity,
            booking_mode=mode,
            capacity_unit=unit,
            drop_in_places=drop_in_places,
            room_id=room.id,
        ),
        today=NOW.date(),
    )
    db.session.commit()
    return db.session.scalar(
        select(Session.id).where(
            Session.series_id == series.id, Session.occurrence_date == SESSION_DAY
        )
    )
