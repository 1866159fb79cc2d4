"""Setting up appointments: the types a hub offers, practitioners' weekly
availability, and leave. Managers and practitioners use these from the staff
side; the slot finder (``booking.slots``) reads what they keep. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from booking.slots import BOOKED
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AppointmentType,
    Availability,
    AvailabilityException,
    Role,
    Room,
    StaffRole,
    StaffUser,
)

# --- setting up: types, weekly availability, leave ---------------------------------------

DURATION_RANGE = (5, 480)
BUFFER_RANGE = (0, 120)
NOTICE_RANGE = (0, 60 * 24 * 28)
DAYS_AHEAD_RANGE = (1, 365)
MAX_TYPE_NAME = 120
MAX_REASON = 200


def eligible_practitioners(hub_id: int) -> list[StaffUser]:
    """Active staff holding the practitioner role at the hub, by name."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(StaffRole, StaffRole.user_id == StaffUser.id)
            .where(
                StaffRole.hub_id == hub_id,
                StaffRole.role == Role.PRACTITIONER,
                StaffUser.active.is_(True),
            )
            .order_by(StaffUser.name, StaffUser.id)
            .distinct()
        )
    )


@dataclass
class TypeInput:
    """What a manager sets on an appointment type, already parsed."""

    hub_id: int
    name: str
    duration_minutes: int
    buffer_minutes: int = 0
    min_notice_minutes: int = 120
    max_days_ahead: int = 28
    description: str = ""
    active: bool = True
    practitioner_ids: list[int] | None = None


def _outside(value: int, bounds: tuple[int, int]) -> bool:
    return not bounds[0] <= value <= bounds[1]


def type_problems(data: TypeInput, *, type_id: int | None = None) -> list[ServiceError]:
    """Every rule the input breaks, each with the field it belongs to."""
    problems = []
    name = data.name.strip()
    if not name:
        problems.append(ServiceError("name_required", field="name"))
    elif len(name) > MAX_TYPE_NAME:
        problems.append(ServiceError("name_too_long", field="name", max=MAX_TYPE_NAME))
    else:
        clash = db.session.scalar(
            select(AppointmentType.id).where(
                AppointmentType.hub_id == data.hub_id,
                AppointmentType.name == name,
                AppointmentType.id != (type_id or 0),
            )
        )
        if clash:
            problems.append(ServiceError("name_taken", field="name"))
    for field, value, bounds in (
        ("duration_minutes", data.duration_minutes, DURATION_RANGE),
        ("buffer_minutes", data.buffer_minutes, BUFFER_RANGE),
        ("min_notice_minutes", data.min_notice_minutes, NOTICE_RANGE),
        ("max_days_ahead", data.max_days_ahead, DAYS_AHEAD_RANGE),
    ):
        if _outside(value, bounds):
            problems.append(
                ServiceError(f"{field}_range", field=field, low=bounds[0], high=bounds[1])
            )
    eligible = {p.id for p in eligible_practitioners(data.hub_id)}
    if set(data.practitioner_ids or ()) - eligible:
        problems.append(ServiceError("practitioner_not_here", field="practitioner_ids"))
    return problems


def save_type(kind: AppointmentType, data: TypeInput) -> AppointmentType:
    """Apply validated input to a new or existing type; raises the first problem."""
    if problems := type_problems(data, type_id=kind.id):
        raise problems[0]
    kind.hub_id = data.hub_id
    kind.name = data.name.strip()
    kind.description = data.description.strip()
    kind.duration_minutes = data.duration_minutes
    kind.buffer_minutes = data.buffer_minutes
    kind.min_notice_minutes = data.min_notice_minutes
    kind.max_days_ahead = data.max_days_ahead
    kind.active = data.active
    ids = set(data.practitioner_ids or ())
    kind.practitioners = list(
        db.session.scalars(select(StaffUser).where(StaffUser.id.in_(ids)).order_by(StaffUser.name))
    )
    db.session.add(kind)
    db.session.flush()
    return kind


@dataclass
class WindowInput:
    """One weekly window: local wall-clock times at the hub."""

    staff_id: int
    hub_id: int
    weekday: int
    start_time: time
    end_time: time
    room_id: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None


def _dates_meet(a_from, a_until, b_from, b_until) -> bool:
    return (a_until is None or b_from is None or b_from <= a_until) and (
        b_until is None or a_from is None or a_from <= b_until
    )


def window_problems(data: WindowInput) -> list[ServiceError]:
    problems = []
    if not 0 <= data.weekday <= 6:
        problems.append(ServiceError("weekday_range", field="weekday"))
    if data.end_time <= data.start_time:
        problems.append(ServiceError("ends_before_start", field="end_time"))
    if data.room_id is not None:
        room = db.session.get(Room, data.room_id)
        if room is None or room.hub_id != data.hub_id or not room.active:
            problems.append(ServiceError("room_not_here", field="room_id"))
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        problems.append(ServiceError("until_before_from", field="valid_until"))
    if not problems:
        # Working two places at once would offer the same hour twice.
        others = db.session.scalars(
            select(Availability).where(
                Availability.staff_id == data.staff_id,
                Availability.weekday == data.weekday,
                Availability.start_time < data.end_time,
                Availability.end_time > data.start_time,
            )
        )
        for other in others:
            if _dates_meet(other.valid_from, other.valid_until, data.valid_from, data.valid_until):
                problems.append(ServiceError("window_overlaps", field="start_time", other=other))
                break
    return problems


def add_availability(data: WindowInput) -> Availability:
    if problems := window_problems(data):
        raise problems[0]
    window = Availability(
        staff_id=data.staff_id,
        hub_id=data.hub_id,
        weekday=data.weekday,
        start_time=data.start_time,
        end_time=data.end_time,
        room_id=data.room_id,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
    )
    db.session.add(window)
    db.session.flush()
    return window


def remove_availability(window: Availability) -> None:
    """Stop offering a window. Appointments already booked in it stay booked."""
    db.session.delete(window)
    db.session.flush()


@dataclass(frozen=True)
class LeaveResult:
    exception: AvailabilityException
    # Appointments already booked in the time away: kept, for staff to rearrange.
    clashes: list[Appointment]


def add_leave(staff_id: int, starts_at: datetime, ends_at: datetime, reason: str) -> LeaveResult:
    """Time away at every hub (leave, training). No new slots are offered then."""
    if ends_at <= starts_at:
        raise ServiceError("ends_before_start", field="ends_on")
    if len(reason.strip()) > MAX_REASON:
        raise ServiceError("reason_too_long", field="reason", max=MAX_REASON)
    leave = AvailabilityException(
        staff_id=staff_id, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    db.session.add(leave)
    db.session.flush()
    clashes = list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.practitioner_id == staff_id,
                Appointment.status == BOOKED,
                Appointment.starts_at < ends_at,
                Appointment.ends_at > starts_at,
            )
            .order_by(Appointment.starts_at)
        )
    )
    return LeaveResult(leave, clashes)


def remove_leave(leave: AvailabilityException) -> None:
    db.session.delete(leave)
    db.session.flush()
