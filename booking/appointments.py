"""Appointments: free slots cut from practitioners' availability, and booking them.

The one place the public site and the staff side find, book, cancel and move
appointments. Plain functions with explicit arguments; the caller commits.
Errors are ``ServiceError`` codes: ``not_found``, ``not_offered``, ``too_soon``,
``too_far``, ``slot_taken``, ``checked_in``, ``already_cancelled``, ``too_late``,
``reason_required``, ``same_slot``, ``not_confirmed``, ``not_appointment``, plus
the party and contact codes of ``Party.check`` and ``Contact.checked``.

How slots are cut
    Each availability window (a weekday, a start and an end in the hub's wall
    clock) is cut into back-to-back slots of the type's duration plus buffer,
    starting at the window's own start: a 09:00-17:00 window and a 30 minute type
    with a 10 minute buffer give 09:00, 09:40, 10:20 ... 16:20. The whole held
    time (appointment and buffer) lies inside the window.

    Stepping by duration plus buffer, rather than every 15 minutes, because:
    a practitioner who offers one type fills the day with no gaps whatever order
    families book in (a 15 minute grid lets a 09:15 booking strand 09:00-09:15);
    families see a short list of tidy times instead of many overlapping ones; and
    the grid depends only on the availability, never on other bookings, so "is
    this a real slot?" has one answer for the page and for the locked re-check.
    The cost: a practitioner offering types of different lengths can be left a
    short gap where two grids meet.

What makes a slot unavailable
    Anything of the practitioner's overlapping the slot's held time (start to end
    plus buffer): a live appointment of any type at any hub (held until its own
    ``held_until``) or an availability exception (leave, training). When the
    window names a room, the room must be free for the appointment itself: no
    other live appointment and no scheduled session there. And the public may not
    book sooner than the type's minimum notice, or later than ``max_days_ahead``
    days after today (in the hub's time zone).

Safety
    ``book_appointment``, ``move_appointment`` and ``cancel_appointment`` take the
    practitioner's lock before the re-check, so two families choosing the same
    (or overlapping) times are served one after the other. A unique index on
    (practitioner, start) for live appointments is the database's own last word.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select, true
from sqlalchemy.orm import joinedload

from booking import places
from booking.contact import Contact, Party
from booking.messages import queue_booking_message
from booking.services import BookingResult, booking_for_key, new_booking
from frontdoor.closures import closed_days
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AppointmentType,
    Availability,
    AvailabilityException,
    Booking,
    BookingSource,
    BookingStatus,
    Hub,
    Role,
    Room,
    Session,
    SessionStatus,
    StaffRole,
    StaffUser,
    type_practitioners,
)
from frontdoor.timetable import local_datetime

BOOKED = "booked"
CANCELLED = "cancelled"


class Slot(NamedTuple):
    """A time a family can book: UTC instants, who with, and where.

    A named tuple: a month of slots for ten people is thousands of them.
    """

    starts_at: datetime
    ends_at: datetime
    practitioner_id: int
    practitioner_name: str
    room_id: int | None

    @property
    def practitioner_first_name(self) -> str:
        return first_name(self.practitioner_name)


def first_name(full_name: str) -> str:
    """What families see of a practitioner: the first word of the name."""
    parts = full_name.split()
    return parts[0] if parts else full_name


# --- the practitioner's lock -----------------------------------------------------


def lock_practitioner(staff_id: int) -> StaffUser | None:
    """Take the practitioner's write lock for the rest of the transaction (across
    all hubs and types). ``FOR NO KEY UPDATE`` on PostgreSQL: exclusive between
    bookers, but it does not hold up inserts that merely reference the staff row,
    such as a sign-in."""
    return places.lock_row(StaffUser, staff_id, key_share=True)


# --- when things are busy ----------------------------------------------------------


class _Timeline:
    """Busy intervals, answering "does [start, end) overlap any?" by bisection."""

    __slots__ = ("max_ends", "starts")

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        ordered = sorted(intervals)
        self.starts = [start for start, _ in ordered]
        self.max_ends: list[datetime] = []
        latest = None
        for _, end in ordered:
            latest = end if latest is None or end > latest else latest
            self.max_ends.append(latest)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Every interval starting before ``end`` is a candidate; one of them
        # overlaps exactly when the latest of their ends is after ``start``.
        before = bisect_left(self.starts, end)
        return before > 0 and self.max_ends[before - 1] > start


_EMPTY = _Timeline(())


@dataclass
class _Busy:
    practitioners: dict[int, _Timeline]
    rooms: dict[int, _Timeline]

    def blocks(self, staff_id: int, room_id: int | None, start, end, held) -> bool:
        if self.practitioners.get(staff_id, _EMPTY).overlaps(start, held):
            return True
        return room_id is not None and self.rooms.get(room_id, _EMPTY).overlaps(start, end)


def _load_busy(
    staff_ids: list[int],
    room_ids: set[int],
    start: datetime,
    end: datetime,
    *,
    exclude_appointment_id: int | None = None,
) -> _Busy:
    """Everything that blocks slots between ``start`` and ``end``, in four queries."""
    by_staff: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    by_room: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    skip = [Appointment.id != exclude_appointment_id] if exclude_appointment_id else []
    if staff_ids:
        rows = db.session.execute(
            select(
                Appointment.practitioner_id, Appointment.starts_at, Appointment.held_until
            ).where(
                Appointment.practitioner_id.in_(staff_ids),
                Appointment.status == BOOKED,
                Appointment.starts_at < end,
                Appointment.held_until > start,
                *skip,
            )
        )
        for staff_id, starts, held in rows:
            by_staff[staff_id].append((starts, held))
        rows = db.session.execute(
            select(
                AvailabilityException.staff_id,
                AvailabilityException.starts_at,
                AvailabilityException.ends_at,
            ).where(
                AvailabilityException.staff_id.in_(staff_ids),
                AvailabilityException.starts_at < end,
                AvailabilityException.ends_at > start,
            )
        )
        for staff_id, starts, ends in rows:
            by_staff[staff_id].append((starts, ends))
    if room_ids:
        rows = db.session.execute(
            select(Appointment.room_id, Appointment.starts_at, Appointment.ends_at).where(
                Appointment.room_id.in_(room_ids),
                Appointment.status == BOOKED,
                Appointment.starts_at < end,
                Appointment.ends_at > start,
                *skip,
            )
        )
        for room_id, starts, ends in rows:
            by_room[room_id].append((starts, ends))
        rows = db.session.execute(
            select(Session.room_id, Session.starts_at, Session.ends_at).where(
                Session.room_id.in_(room_ids),
                Session.status == SessionStatus.SCHEDULED,
                Session.starts_at < end,
                Session.ends_at > start,
            )
        )
        for room_id, starts, ends in rows:
            by_room[room_id].append((starts, ends))
    return _Busy(
        {k: _Timeline(v) for k, v in by_staff.items()},
        {k: _Timeline(v) for k, v in by_room.items()},
    )


# --- the grid of candidate slots ---------------------------------------------------------


class _Window(NamedTuple):
    staff_id: int
    room_id: int | None
    weekday: int
    start_time: time
    end_time: time
    valid_from: date | None
    valid_until: date | None


class _Candidate(NamedTuple):
    day: date
    staff_id: int
    room_id: int | None
    starts_at: datetime
    ends_at: datetime
    held_until: datetime


def _windows(hub_id: int, staff_ids: Iterable[int]) -> list[_Window]:
    """The practitioners' weekly windows at the hub, as plain rows."""
    staff_ids = list(staff_ids)
    if not staff_ids:
        return []
    rows = db.session.execute(
        select(
            Availability.staff_id,
            Availability.room_id,
            Availability.weekday,
            Availability.start_time,
            Availability.end_time,
            Availability.valid_from,
            Availability.valid_until,
        )
        .where(Availability.hub_id == hub_id, Availability.staff_id.in_(staff_ids))
        .order_by(Availability.staff_id, Availability.start_time, Availability.id)
    )
    return [_Window(*row) for row in rows]


def _candidates(
    kind: AppointmentType, windows: list[_Window], days: Iterable[date], tz: ZoneInfo
) -> Iterator[_Candidate]:
    """Every slot the windows give on ``days``, ignoring bookings and notice."""
    length = timedelta(minutes=kind.duration_minutes)
    step = length + timedelta(minutes=kind.buffer_minutes)
    by_weekday: dict[int, list[_Window]] = defaultdict(list)
    for window in windows:
        by_weekday[window.weekday].append(window)
    for day in days:
        for window in by_weekday.get(day.weekday(), ()):
            if (window.valid_from and day < window.valid_from) or (
                window.valid_until and day > window.valid_until
            ):
                continue
            # Cut on the wall clock: slots fit between the window's local times.
            opens = datetime.combine(day, window.start_time)
            count = (datetime.combine(day, window.end_time) - opens) // step
            if count <= 0:
                continue
            first = local_datetime(day, window.start_time, tz)
            last = opens + step * (count - 1)
            if local_datetime(day, last.time(), tz) - first == step * (count - 1):
                # No clock change inside the window (the usual case): add in UTC.
                starts = [first + step * n for n in range(count)]
            else:  # a window across 01:00-02:00 on a change day: convert each
                starts = [local_datetime(day, (opens + step * n).time(), tz) for n in range(count)]
            for start in starts:
                yield _Candidate(
                    day, window.staff_id, window.room_id, start, start + length, start + step
                )


def _offering(kind: AppointmentType, only: int | None = None) -> dict[int, str]:
    """Active practitioners offering the type: id to name, in one light query."""
    query = (
        select(StaffUser.id, StaffUser.name)
        .join(type_practitioners, type_practitioners.c.staff_id == StaffUser.id)
        .where(type_practitioners.c.type_id == kind.id, StaffUser.active.is_(True))
    )
    if only is not None:
        query = query.where(StaffUser.id == only)
    return dict(db.session.execute(query).all())


def _zone(kind: AppointmentType) -> ZoneInfo:
    return ZoneInfo(db.session.scalar(select(Hub.timezone).where(Hub.id == kind.hub_id)))


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def _last_bookable_day(kind: AppointmentType, now: datetime, tz: ZoneInfo) -> date:
    return _today(now, tz) + timedelta(days=kind.max_days_ahead)


def _day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return local_datetime(first, time(0), tz), local_datetime(last + timedelta(days=1), time(0), tz)


def _get_type(type_id: int) -> AppointmentType:
    kind = db.session.get(AppointmentType, type_id)
    if kind is None or not kind.active:
        raise ServiceError("not_found")
    return kind


def free_slots(
    type_id: int,
    *,
    day_from: date,
    days: int,
    now: datetime,
    practitioner_id: int | None = None,
) -> dict[date, list[Slot]]:
    """Free slots of a type on each of ``days`` local days from ``day_from``.

    Every day asked for is a key (an empty list when nothing is free), each list
    in time order then by practitioner's name. Raises ``not_found`` for an
    unknown or withdrawn type. Eight small queries, then computed in Python.
    """
    kind = _get_type(type_id)
    tz = _zone(kind)
    asked = [day_from + timedelta(days=n) for n in range(max(days, 0))]
    found: dict[date, list[Slot]] = {day: [] for day in asked}
    names = _offering(kind, practitioner_id)
    first = max(day_from, _today(now, tz))
    last = min(day_from + timedelta(days=days - 1), _last_bookable_day(kind, now, tz))
    if not names or first > last:
        return found
    windows = _windows(kind.hub_id, names)
    if not windows:
        return found
    start, end = _day_bounds(first, last, tz)
    busy = _load_busy(list(names), {w.room_id for w in windows if w.room_id}, start, end)
    earliest = now + timedelta(minutes=kind.min_notice_minutes)
    seen: set[tuple[int, datetime]] = set()
    closed = closed_days(kind.hub_id, first, last)
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    span = [day for day in span if day not in closed]
    staff_busy, room_busy = busy.practitioners, busy.rooms
    for day, staff_id, room_id, starts, ends, held in _candidates(kind, windows, span, tz):
        if starts < earliest or (staff_id, starts) in seen:
            continue
        # ``_Busy.blocks``, inlined: this loop runs for every candidate slot.
        timeline = staff_busy.get(staff_id)
        if timeline is not None and timeline.overlaps(starts, held):
            continue
        timeline = room_busy.get(room_id) if room_id is not None else None
        if timeline is not None and timeline.overlaps(starts, ends):
            continue
        seen.add((staff_id, starts))
        found[day].append(Slot(starts, ends, staff_id, names[staff_id], room_id))
    by_time_then_name = itemgetter(0, 3, 2)
    for day_slots in found.values():
        day_slots.sort(key=by_time_then_name)
    return found


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ServiceError("not_offered", field="starts_at")
    return moment.astimezone(UTC)


def check_slot(
    kind: AppointmentType,
    practitioner: StaffUser | None,
    starts_at: datetime,
    *,
    now: datetime,
    public: bool = True,
    exclude_appointment_id: int | None = None,
) -> Slot:
    """The slot at ``starts_at`` with ``practitioner``, if a family may book it now.

    The rules of ``free_slots`` for one slot. Staff (``public=False``) may book
    inside the minimum notice, but never in the past. Call it under the
    practitioner's lock before writing.
    """
    if practitioner is None or not practitioner.active:
        raise ServiceError("not_found")
    if practitioner.id not in _offering(kind, practitioner.id):
        raise ServiceError("not_offered", field="practitioner")
    tz = _zone(kind)
    starts_at = _as_utc(starts_at)
    notice = timedelta(minutes=kind.min_notice_minutes) if public else timedelta(0)
    if starts_at < now + notice:
        raise ServiceError("too_soon", field="starts_at")
    day = starts_at.astimezone(tz).date()
    if public and day > _last_bookable_day(kind, now, tz):
        raise ServiceError("too_far", field="starts_at")
    if closed_days(kind.hub_id, day, day):
        raise ServiceError("hub_closed", field="starts_at")
    windows = _windows(kind.hub_id, [practitioner.id])
    matches = [c for c in _candidates(kind, windows, [day], tz) if c.starts_at == starts_at]
    if not matches:
        raise ServiceError("not_offered", field="starts_at")
    start, end = _day_bounds(day, day, tz)
    busy = _load_busy(
        [practitioner.id],
        {c.room_id for c in matches if c.room_id},
        start,
        end,
        exclude_appointment_id=exclude_appointment_id,
    )
    for slot in matches:
        if not busy.blocks(
            slot.staff_id, slot.room_id, slot.starts_at, slot.ends_at, slot.held_until
        ):
            return Slot(
                slot.starts_at, slot.ends_at, practitioner.id, practitioner.name, slot.room_id
            )
    raise ServiceError("slot_taken", field="starts_at")


def find_slot(type_id: int, practitioner_id: int, starts_at: datetime, *, now: datetime) -> Slot:
    """A free slot for the booking page to show, without locking anything."""
    kind = _get_type(type_id)
    return check_slot(kind, db.session.get(StaffUser, practitioner_id), starts_at, now=now)


# --- booking, cancelling, moving -------------------------------------------------------


def book_appointment(
    type_id: int,
    practitioner_id: int,
    starts_at: datetime,
    party: Party,
    contact: Contact,
    *,
    now: datetime,
    source: str = BookingSource.PUBLIC,
    idempotency_key: str | None = None,
) -> BookingResult:
    """Book one slot with one practitioner, under the practitioner's lock.

    The same form submitted twice (same ``idempotency_key``) gives the first
    booking back with ``created=False``.
    """
    contact = contact.checked()
    practitioner = lock_practitioner(practitioner_id)
    if earlier := booking_for_key(idempotency_key):
        return BookingResult(earlier, created=False)
    kind = _get_type(type_id)
    party.check(kind.hub.settings.max_party_size)
    slot = check_slot(kind, practitioner, starts_at, now=now, public=source == BookingSource.PUBLIC)
    appointment = Appointment(
        hub_id=kind.hub_id,
        type_id=kind.id,
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        held_until=slot.ends_at + timedelta(minutes=kind.buffer_minutes),
        status=BOOKED,
        created_at=now,
    )
    db.session.add(appointment)
    db.session.flush()
    booking = new_booking(
        party,
        contact,
        appointment_id=appointment.id,
        status=BookingStatus.CONFIRMED,
        source=source,
        idempotency_key=idempotency_key,
        now=now,
    )
    queue_booking_message(booking, "booked", now=now)
    return BookingResult(booking)


def _appointment_of(booking: Booking) -> Appointment:
    if booking.appointment_id is None:
        raise ServiceError("not_appointment")
    return booking.appointment


def cancel_appointment(
    booking: Booking, *, now: datetime, by_staff: bool = False, reason: str = ""
) -> None:
    """Cancel an appointment booking; the practitioner and room are free again.

    A family may not cancel once checked in (``checked_in``) or once the
    appointment has started (``too_late``); staff may, giving a reason.
    """
    appointment = _appointment_of(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    lock_practitioner(appointment.practitioner_id)
    db.session.refresh(booking)
    db.session.refresh(appointment)
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("already_cancelled")
    if not by_staff:
        if booking.checked_in_at is not None:
            raise ServiceError("checked_in")
        if now >= appointment.starts_at:
            raise ServiceError("too_late")
    if by_staff and not reason.strip():
        raise ServiceError("reason_required", field="reason")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason.strip()
    appointment.status = CANCELLED
    queue_booking_message(booking, "cancelled", now=now, reason=reason.strip())


def move_appointment(
    booking: Booking,
    new_starts_at: datetime,
    *,
    now: datetime,
    practitioner_id: int | None = None,
    by_staff: bool = False,
) -> Appointment:
    """Move an appointment to another free slot of its type, perhaps with another
    practitioner. The family keeps the booking and its reference, and is told.

    The appointment's own time does not block the move (a family may move into
    its own buffer). Staff may move inside the minimum notice.
    """
    appointment = _appointment_of(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise ServiceError("not_confirmed")
    target_id = practitioner_id or appointment.practitioner_id
    # Lock both in id order, so two opposite moves cannot deadlock.
    locked = {
        staff_id: lock_practitioner(staff_id)
        for staff_id in sorted({appointment.practitioner_id, target_id})
    }
    db.session.refresh(booking)
    db.session.refresh(appointment)
    if booking.status != BookingStatus.CONFIRMED or appointment.status != BOOKED:
        raise ServiceError("not_confirmed")
    new_starts_at = _as_utc(new_starts_at)
    if (target_id, new_starts_at) == (appointment.practitioner_id, appointment.starts_at):
        raise ServiceError("same_slot", field="starts_at")
    kind = db.session.get(AppointmentType, appointment.type_id)
    slot = check_slot(
        kind,
        locked[target_id],
        new_starts_at,
        now=now,
        public=not by_staff,
        exclude_appointment_id=appointment.id,
    )
    appointment.practitioner_id = slot.practitioner_id
    appointment.room_id = slot.room_id
    appointment.starts_at = slot.starts_at
    appointment.ends_at = slot.ends_at
    appointment.held_until = slot.ends_at + timedelta(minutes=kind.buffer_minutes)
    db.session.flush()
    db.session.refresh(appointment, ["practitioner", "room"])
    event = f"{slot.starts_at:%Y%m%dT%H%M}-{now:%Y%m%dT%H%M%S}"
    queue_booking_message(booking, "moved", now=now, event=event)
    return appointment


def upcoming(
    *, now: datetime, staff_id: int | None = None, hub_id: int | None = None, limit: int = 200
) -> list[Appointment]:
    """Live appointments from now on, soonest first: one practitioner's (anywhere),
    or one hub's."""
    mine = Appointment.practitioner_id == staff_id if staff_id is not None else true()
    here = Appointment.hub_id == hub_id if hub_id is not None else true()
    return list(
        db.session.scalars(
            select(Appointment)
            .where(mine, here, Appointment.status == BOOKED, Appointment.ends_at > now)
            .options(
                joinedload(Appointment.booking),
                joinedload(Appointment.type),
                joinedload(Appointment.hub),
                joinedload(Appointment.room),
            )
            .order_by(Appointment.starts_at)
            .limit(limit)
        )
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
        problems.append(ServiceError("name_too_long", field="name"))
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
        raise ServiceError("reason_too_long", field="reason")
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
