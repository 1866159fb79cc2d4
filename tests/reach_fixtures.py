"""Visits and bookings for the reach tests, with the reach columns (family key, age
bands, area) set directly on the rows, as the kiosk and booking site will set them."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    Hub,
    Session,
    SessionSeries,
    StaffUser,
    Visit,
)

_REFS = itertools.count(1)


def hub(slug: str) -> Hub:
    return db.session.scalar(select(Hub).filter_by(slug=slug))


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), clock.LONDON).astimezone(clock.UTC)


def session_on(series: SessionSeries, day: date) -> Session:
    """A session of ``series`` on ``day`` (the demo's timetable, or one made here)."""
    found = db.session.scalar(select(Session).filter_by(series_id=series.id, occurrence_date=day))
    if found is None:
        found = Session(series_id=series.id, hub_id=series.hub_id, room_id=series.room_id,
                        occurrence_date=day, starts_at=at(day), ends_at=at(day, 11),
                        capacity=series.capacity)  # fmt: skip
        db.session.add(found)
        db.session.flush()
    return found


def series_led_by(email: str, led: bool = True) -> SessionSeries:
    """A series at the lead's hub that they lead (or, ``led=False``, do not)."""
    lead = db.session.scalar(select(StaffUser).filter_by(email=email))
    hub_ids = {role.hub_id for role in lead.roles}
    for series in db.session.scalars(select(SessionSeries).order_by(SessionSeries.id)):
        if series.hub_id in hub_ids and (lead in series.leads) == led:
            return series
    raise LookupError(email)


def book(session: Session, key: str | None, status: str = "confirmed", **reach) -> Booking:
    booking = Booking(session_id=session.id, reference=f"R{next(_REFS):07d}", status=status,
                      first_name="Amira", last_name="Khan", email="amira@example.com",
                      family_key=key, **reach)  # fmt: skip
    db.session.add(booking)
    db.session.flush()
    return booking


def arrive(
    hub_id: int,
    when: datetime,
    *,
    key: str | None = None,
    session: Session | None = None,
    booking: Booking | None = None,
    status: str = "left",
    adults: int = 1,
    bands: tuple[str, ...] = (),
    district: str = "",
    decile: int | None = None,
) -> Visit:
    visit = Visit(hub_id=hub_id, kind="booking" if booking else "drop_in",
                  session_id=session.id if session else None,
                  booking_id=booking.id if booking else None, first_name="Amira",
                  last_name="Khan", family_key=key, status=status, adults=adults,
                  children=len(bands), child_bands=list(bands), postcode_district=district,
                  imd_decile=decile, arrived_at=when)  # fmt: skip
    db.session.add(visit)
    db.session.flush()
    return visit
