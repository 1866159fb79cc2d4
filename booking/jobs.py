"""Scheduled jobs about bookings: sessions ahead, reminders, waiting lists, no-shows.

Each is a plain function of ``now``: idempotent, and re-checking under the
booking's or session's lock before it acts, so a late, repeated or concurrent
run changes nothing twice. ``register()`` adds them to the scheduler's registry;
the scheduler commits after each returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from booking.messages import queue_booking_message
from booking.places import lock_booking, lock_session
from booking.services import promote_waiting_list
from booking.visits import visit_for_booking
from frontdoor import clock, timetable
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    Booking,
    BookingStatus,
    Hub,
    Session,
    SessionStatus,
    Visit,
    VisitKind,
    VisitStatus,
)
from frontdoor.scheduler import register_job

# A session's no-shows are marked within this long after it ends (older ones are history).
NO_SHOW_LOOKBACK = timedelta(days=7)
BOOKED = "booked"  # a live appointment's status


def create_sessions_ahead(now: datetime) -> dict[str, int]:
    """Every series' sessions from today to 12 weeks ahead (``timetable.sync_all``)."""
    result = timetable.sync_all(today=clock.local(now).date())
    return {"created": result.created, "updated": result.updated, "flagged": result.flagged}


def _upcoming(hub: Hub, now: datetime, horizon: datetime):
    """(booking id, start) of confirmed bookings with reminders on, starting in (now, horizon]."""
    sessions = (
        select(Booking.id, Session.starts_at)
        .join(Session, Booking.session_id == Session.id)
        .where(
            Session.hub_id == hub.id,
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at > now,
            Session.starts_at <= horizon,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminders.is_(True),
        )
    )
    appointments = (
        select(Booking.id, Appointment.starts_at)
        .join(Appointment, Booking.appointment_id == Appointment.id)
        .where(
            Appointment.hub_id == hub.id,
            Appointment.status == BOOKED,
            Appointment.starts_at > now,
            Appointment.starts_at <= horizon,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminders.is_(True),
        )
    )
    return [*db.session.execute(sessions), *db.session.execute(appointments)]


def reminder_due(starts_at: datetime, booked_at: datetime, hours: tuple[int, ...], now: datetime):
    """The reminder (hours before) to queue at ``now``, or None.

    The latest reminder time already reached counts; earlier ones that a
    scheduler down for a while missed are not sent late on top of it. A family
    who booked after a reminder's time got their confirmation instead.
    """
    reached = [h for h in hours if starts_at - timedelta(hours=h) <= now < starts_at]
    if not reached:
        return None
    latest = min(reached)
    if booked_at >= starts_at - timedelta(hours=latest):
        return None
    return latest


def queue_reminders(now: datetime) -> dict[str, int]:
    """Queue each hub's reminders (by default 24 and 2 hours before), only to
    families who asked for them. The outbox key (booking, hours before, and the
    start it reminds of) makes each one exist once; a session moved to a new time
    gets its reminders again, for the new time."""
    queued = 0
    for hub in db.session.scalars(select(Hub).where(Hub.active.is_(True))):
        hours = tuple(sorted({int(h) for h in hub.settings.reminder_hours if int(h) > 0}))
        if not hours:
            continue
        for booking_id, starts_at in _upcoming(hub, now, now + timedelta(hours=max(hours))):
            booking = lock_booking(booking_id)
            if booking is None or booking.status != BookingStatus.CONFIRMED:
                continue
            if not booking.reminders:
                continue
            booked_at = booking.confirmed_at or booking.created_at
            hours_before = reminder_due(starts_at, booked_at, hours, now)
            if hours_before is not None:
                queued += queue_booking_message(
                    booking, "reminder", now=now, event=f"{hours_before}h@{starts_at:%Y%m%dT%H%MZ}"
                )
            db.session.commit()
    return {"queued": queued}


def sweep_waiting_lists(now: datetime) -> dict[str, int]:
    """Give any free place to the families waiting, for every session that has a
    waiting list and is not past its hub's cut-off (``promote_waiting_list`` checks)."""
    session_ids = db.session.scalars(
        select(Session.id)
        .where(
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at > now,
            exists().where(
                Booking.session_id == Session.id, Booking.status == BookingStatus.WAITING
            ),
        )
        .order_by(Session.starts_at)
    ).all()
    promoted = 0
    for session_id in session_ids:
        session = lock_session(session_id)
        if session is not None:
            promoted += len(promote_waiting_list(session, now=now))
        db.session.commit()
    return {"promoted": promoted}


def _not_arrived(now: datetime):
    """Confirmed bookings of sessions and appointments that ended without a check-in."""
    since = now - NO_SHOW_LOOKBACK
    no_visit = ~exists().where(Visit.booking_id == Booking.id)
    pending = (
        Booking.status == BookingStatus.CONFIRMED,
        Booking.checked_in_at.is_(None),
        no_visit,
    )
    sessions = (
        select(Booking.id)
        .join(Session, Booking.session_id == Session.id)
        .where(
            Session.status == SessionStatus.SCHEDULED,
            Session.ends_at <= now,
            Session.ends_at > since,
            *pending,
        )
    )
    appointments = (
        select(Booking.id)
        .join(Appointment, Booking.appointment_id == Appointment.id)
        .where(
            Appointment.status == BOOKED,
            Appointment.ends_at <= now,
            Appointment.ends_at > since,
            *pending,
        )
    )
    return [*db.session.scalars(sessions), *db.session.scalars(appointments)]


def mark_no_shows(now: datetime) -> dict[str, int]:
    """After a session (or appointment) ends, each confirmed booking not checked in
    gets a visit marked ``no_show``: the register and reports count it, and the
    unique visit-per-booking index means it happens once."""
    marked = 0
    for booking_id in _not_arrived(now):
        booking = lock_booking(booking_id)  # the lock check-in takes too
        if (
            booking is None
            or booking.status != BookingStatus.CONFIRMED
            or booking.checked_in_at is not None
            or db.session.scalar(select(Visit.id).where(Visit.booking_id == booking_id))
        ):
            db.session.commit()
            continue
        db.session.add(
            visit_for_booking(
                booking,
                kind=VisitKind.BOOKING,
                status=VisitStatus.NO_SHOW,
                arrived_at=booking.occasion.starts_at,
            )
        )
        db.session.commit()
        marked += 1
    return {"marked": marked}


def register() -> None:
    register_job(
        "sessions.ahead",
        create_sessions_ahead,
        daily_at="02:30",
        description="Create every series' sessions 12 weeks ahead",
    )
    register_job(
        "bookings.reminders",
        queue_reminders,
        every=timedelta(minutes=5),
        description="Queue reminders before sessions and appointments (families who asked)",
    )
    register_job(
        "bookings.waiting_lists",
        sweep_waiting_lists,
        every=timedelta(minutes=5),
        description="Give free places to families on waiting lists, until the cut-off",
    )
    register_job(
        "bookings.no_shows",
        mark_no_shows,
        every=timedelta(minutes=15),
        description="Mark bookings not checked in as no-shows after the session ends",
    )
