"""Shared set-up for the appointment tests: a hub, practitioners, a type, windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    AppointmentType,
    Availability,
    Hub,
    Organisation,
    Role,
    Room,
)
from frontdoor.staff import create_staff

# Tuesday 24 November 2026, 09:00 in London (GMT, so also 09:00 UTC).
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TOMORROW = date(2026, 11, 25)  # a Wednesday
PASSWORD = "a-long-test-password"


@dataclass
class Practice:
    hub_id: int
    slug: str
    room_id: int
    type_id: int
    staff: list[int] = field(default_factory=list)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC instant; in winter London's wall clock is UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def make_hub(slug: str) -> Hub:
    council = db.session.scalar(select(Organisation).filter_by(slug="test")) or Organisation(
        name="Test Council", slug="test"
    )
    db.session.add(council)
    db.session.flush()
    hub = Hub(organisation_id=council.id, slug=slug, name=f"Hub {slug}", settings_json={})
    db.session.add_all([hub, Room(hub=hub, name="Interview room")])
    db.session.flush()
    return hub


def make_type(hub_id: int, staff: list[int], **settings) -> AppointmentType:
    from frontdoor.models import StaffUser

    values = {
        "name": "Money advice",
        "duration_minutes": 30,
        "buffer_minutes": 10,
        "min_notice_minutes": 120,
        "max_days_ahead": 28,
    } | settings
    kind = AppointmentType(hub_id=hub_id, **values)
    kind.practitioners = [db.session.get(StaffUser, s) for s in staff]
    db.session.add(kind)
    db.session.flush()
    return kind


def add_window(
    staff_id: int,
    hub_id: int,
    weekdays=range(5),
    start: time = time(9),
    end: time = time(12),
    **extra,
) -> None:
    for weekday in weekdays:
        db.session.add(
            Availability(
                staff_id=staff_id,
                hub_id=hub_id,
                weekday=weekday,
                start_time=start,
                end_time=end,
                **extra,
            )
        )
    db.session.flush()


def make_practice(
    *,
    slug: str = "riverside",
    practitioners: int = 1,
    room: bool = False,
    window: tuple[time, time] = (time(9), time(12)),
    **type_settings,
) -> Practice:
    """A hub, ``practitioners`` practitioners working Mon-Fri in ``window`` and a
    type (30 minutes, 10 minute buffer, 2 hours' notice) they all offer."""
    clock.freeze(NOW)
    hub = make_hub(slug)
    room_id = db.session.scalar(select(Room.id).filter_by(hub_id=hub.id))
    staff = []
    for n in range(1, practitioners + 1):
        person = create_staff(
            organisation_id=hub.organisation_id,
            email=f"p{n}@{slug}.example",
            name=f"Pat{n} Person{n}",
            password=PASSWORD,
            roles=[(hub.id, Role.PRACTITIONER)],
        )
        staff.append(person.id)
        add_window(
            person.id, hub.id, start=window[0], end=window[1], room_id=room_id if room else None
        )
    kind = make_type(hub.id, staff, **type_settings)
    db.session.commit()
    return Practice(hub.id, slug, room_id, kind.id, staff)
