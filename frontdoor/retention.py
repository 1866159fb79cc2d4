"""The retention purge: personal data older than each hub's retention period goes.

Visits, bookings, help requests and connections keep their rows, so counts for reports stay
true; the names, contact details and free text in them are erased. Messages lose
their recipient and contents; development-channel copies are deleted. Each step
is one set-based UPDATE or DELETE per hub, and running it twice changes nothing.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select, update
from sqlalchemy.sql.expression import ColumnElement, Executable

from frontdoor.extensions import db, rows_changed
from frontdoor.models import (
    Appointment,
    ArrivalEvent,
    Booking,
    Connection,
    HelpRequest,
    Hub,
    HubSettings,
    JobRun,
    MessageStatus,
    OutboxMessage,
    RecordedMessage,
    Session,
    Visit,
)
from frontdoor.timetable import local_datetime

Day = TypeVar("Day", bound=date)  # a date, or a datetime (which keeps its time)

# The jobs page keeps this much history.
JOB_RUN_HISTORY = timedelta(days=90)
# Board events only serve boards catching up after a reconnect (they hold ids, no names).
EVENT_HISTORY = timedelta(days=2)


def months_before(at: Day, months: int) -> Day:
    """The same day (and time) ``months`` calendar months earlier (or the month's last day)."""
    years, index = divmod(at.month - 1 - months, 12)
    year, month = at.year + years, index + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def retention_cutoff(now: datetime, months: int, tz: ZoneInfo) -> datetime:
    """Where what is kept begins: midnight at the hub after the day ``months`` calendar
    months before today there. That day's visits go tonight, the next day's tomorrow,
    whatever the clocks did in between."""
    today = now.astimezone(tz).date()
    return local_datetime(months_before(today, months) + timedelta(days=1), time(0), tz)


def _update(statement: Executable) -> int:
    return rows_changed(statement.execution_options(synchronize_session=False))


# --- erasing: one function per kind of record, for the purge and for erasure on request.
# Each takes the conditions choosing the rows (by hub and age, or by id) and erases
# names, contact details and free text, keeping the row (and its family key) for counts.


def erase_visits(*where: ColumnElement[bool]) -> int:
    return _update(
        update(Visit)
        .where(*where, or_(Visit.first_name != "", Visit.last_name != ""))
        .values(first_name="", last_name="")
    )


def erase_help_requests(*where: ColumnElement[bool]) -> int:
    return _update(
        update(HelpRequest).where(*where, HelpRequest.first_name != "").values(first_name="")
    )


def erase_connections(*where: ColumnElement[bool]) -> int:
    """A connection keeps its service, status and dates (for counts); what the family
    shared, and the partner's reason, go with the visit."""
    return _update(
        update(Connection)
        .where(*where, Connection.shared_first_name != "")
        .values(
            shared_first_name="",
            shared_contact="",
            shared_reason="",
            shared_best_time="",
            shared_language="",
            decline_reason="",
        )
    )


def erase_bookings(*where: ColumnElement[bool]) -> int:
    return _update(
        update(Booking)
        .where(*where, or_(Booking.first_name != "", Booking.email != "", Booking.mobile != ""))
        .values(
            first_name="",
            last_name="",
            email="",
            mobile="",
            contact_key=None,
            access_needs="",
            cancel_reason="",
            reminders=False,
        )
    )


def erase_messages(*where: ColumnElement[bool]) -> int:
    """Sent (or given up) messages lose their recipient and contents; a message still
    waiting to be sent is left for the dispatcher."""
    return _update(
        update(OutboxMessage)
        .where(
            *where,
            OutboxMessage.status.not_in([MessageStatus.PENDING, MessageStatus.SENDING]),
            OutboxMessage.recipient != "",
        )
        .values(recipient="", payload={}, last_error="")
    )


def delete_recorded_messages(*where: ColumnElement[bool]) -> int:
    """Development-channel copies hold the whole message: they go."""
    return _update(delete(RecordedMessage).where(*where))


def purge_hub(hub_id: int, cutoff: datetime) -> dict[str, int]:
    """Erase personal data about everything at ``hub_id`` that ended before ``cutoff``
    (``retention_cutoff``)."""
    ended_sessions = select(Session.id).where(Session.hub_id == hub_id, Session.ends_at < cutoff)
    ended_appointments = select(Appointment.id).where(
        Appointment.hub_id == hub_id, Appointment.ends_at < cutoff
    )
    messages = erase_messages(OutboxMessage.hub_id == hub_id, OutboxMessage.created_at < cutoff)
    recorded = delete_recorded_messages(
        RecordedMessage.hub_id == hub_id, RecordedMessage.sent_at < cutoff
    )
    return {
        "visits": erase_visits(Visit.hub_id == hub_id, Visit.arrived_at < cutoff),
        "bookings": erase_bookings(
            or_(
                Booking.session_id.in_(ended_sessions),
                Booking.appointment_id.in_(ended_appointments),
            )
        ),
        "help_requests": erase_help_requests(
            HelpRequest.hub_id == hub_id, HelpRequest.created_at < cutoff
        ),
        "messages": messages + recorded,
        "connections": erase_connections(
            Connection.hub_id == hub_id, Connection.created_at < cutoff
        ),
    }


def purge_expired(now: datetime) -> dict[str, int]:
    """The nightly job: every hub by its own retention period (default 13 months),
    counted in calendar months and days at the hub (``retention_cutoff``)."""
    totals = {"visits": 0, "bookings": 0, "help_requests": 0, "messages": 0, "connections": 0}
    hubs = db.session.execute(select(Hub.id, Hub.settings_json, Hub.timezone)).all()
    for hub_id, settings, timezone in hubs:
        months = HubSettings.from_json(settings).retention_months
        if months < 1:
            continue
        cutoff = retention_cutoff(now, months, ZoneInfo(timezone))
        for name, count in purge_hub(hub_id, cutoff).items():
            totals[name] += count
    _update(delete(JobRun).where(JobRun.started_at < now - JOB_RUN_HISTORY))
    _update(delete(ArrivalEvent).where(ArrivalEvent.at < now - EVENT_HISTORY))
    return totals
