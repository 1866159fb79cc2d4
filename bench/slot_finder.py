"""Free appointment slots for 30 days across 10 practitioners (target p95 <= 50 ms).

A hub where 10 practitioners each work Monday to Friday 09:00-17:00, each in
their own room; one 30 minute type with a 10 minute buffer that they all offer;
about 200 appointments already booked, some leave, and a weekly session in one
of the rooms. Times ``free_slots(type, day_from=today, days=30)`` in-process with
a fresh database session per call (as a request would have), after a warm-up,
on SQLite and on PostgreSQL when it is reachable.
"""

from __future__ import annotations

import random
from datetime import time, timedelta

from bench.common import Result, bench_app, postgres_available, timed
from booking.appointments import book_appointment
from booking.contact import Contact, Party
from booking.slots import free_slots
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AppointmentType,
    Availability,
    AvailabilityException,
    Hub,
    Organisation,
    Role,
    Room,
    SessionSeries,
)
from frontdoor.staff import create_staff
from frontdoor.timetable import SeriesInput, local_datetime, save_series

PRACTITIONERS = 10
APPOINTMENTS = 200
LEAVE_DAYS = 12
DAYS = 30
PASSWORD = "bench-password"


def _build_hub() -> tuple[int, int, int]:
    """The hub; returns (type id, appointments booked, days of leave)."""
    now = clock.now()
    today = clock.today()
    council = Organisation(name="Bench Council", slug="bench")
    db.session.add(council)
    db.session.flush()
    hub = Hub(organisation_id=council.id, slug="bench", name="Bench Family Hub", settings_json={})
    rooms = [Room(hub=hub, name=f"Room {n}") for n in range(PRACTITIONERS)]
    db.session.add_all([hub, *rooms])
    db.session.flush()
    people = []
    for n in range(PRACTITIONERS):
        person = create_staff(
            organisation_id=council.id,
            email=f"practitioner{n}@bench.example",
            name=f"Practitioner{n} Bench",
            password=PASSWORD,
            roles=[(hub.id, Role.PRACTITIONER)],
        )
        people.append(person)
        for weekday in range(5):
            db.session.add(
                Availability(
                    staff_id=person.id,
                    hub_id=hub.id,
                    weekday=weekday,
                    start_time=time(9),
                    end_time=time(17),
                    room_id=rooms[n].id,
                )
            )
    kind = AppointmentType(
        hub_id=hub.id,
        name="Family support",
        duration_minutes=30,
        buffer_minutes=10,
        min_notice_minutes=120,
        max_days_ahead=60,
    )
    kind.practitioners = people
    db.session.add(kind)
    # A weekly session in the first practitioner's room takes it on Wednesday mornings.
    save_series(
        SessionSeries(),
        SeriesInput(
            hub_id=hub.id,
            title="Stay and play",
            weekdays=[2],
            start_date=today,
            start_time=time(10),
            end_time=time(11, 30),
            capacity=20,
            room_id=rooms[0].id,
        ),
        today=today,
    )
    db.session.commit()

    chance = random.Random(2026)
    # Some days of leave and training, whole and half days.
    for _ in range(LEAVE_DAYS):
        day = today + timedelta(days=chance.randrange(1, DAYS))
        start = time(9) if chance.random() < 0.5 else time(13)
        db.session.add(
            AvailabilityException(
                staff_id=chance.choice(people).id,
                starts_at=local_datetime(day, start, clock.LONDON),
                ends_at=local_datetime(day, time(17), clock.LONDON),
                reason="Leave",
            )
        )
    db.session.commit()
    # About 200 appointments, booked through the service (staff booking).
    booked = 0
    slots = free_slots(kind.id, day_from=today, days=DAYS, now=now)
    every = [slot for day in slots.values() for slot in day]
    for n, slot in enumerate(chance.sample(every, min(len(every), APPOINTMENTS * 2))):
        if booked >= APPOINTMENTS:
            break
        try:
            book_appointment(
                kind.id,
                slot.practitioner_id,
                slot.starts_at,
                Party(1, ("0-1",)),
                Contact(f"Parent{n}", email=f"parent{n}@bench.example"),
                now=now,
                source="staff",
            )
        except ServiceError:  # the room went to a colleague's booking
            db.session.rollback()
            continue
        db.session.commit()
        booked += 1
    return kind.id, booked, LEAVE_DAYS


def _measure(database: str) -> Result:
    with bench_app(database) as app, app.app_context():
        type_id, booked, leave = _build_hub()
        now, today = clock.now(), clock.today()

        def search() -> int:
            db.session.remove()  # a fresh session, as each request has
            found = free_slots(type_id, day_from=today, days=DAYS, now=now)
            return sum(len(day) for day in found.values())

        free = search()
        timed(search, count=20, seconds=5)  # warm-up
        samples = timed(search, count=300, seconds=60)
    return Result(
        f"slot finder, {PRACTITIONERS} practitioners x {DAYS} days ({database})",
        samples,
        "target p95 <= 50 ms",
        f"({free} free slots, {booked} booked, {leave} days of leave)",
    )


def run() -> list[Result]:
    results = [_measure("sqlite")]
    if postgres_available():
        results.append(_measure("postgresql"))
    else:
        print("  PostgreSQL not reachable: measured on SQLite only")
    return results
