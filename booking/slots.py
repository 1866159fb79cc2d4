"""The slot finder: free appointment times cut from practitioners' availability,
and the one check ("is this still a real, free slot?") that booking and moving
repeat under the practitioner's lock. Errors: ``not_found``, ``not_offered``,
``too_soon``, ``too_far``, ``slot_taken``.

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
    days after today (in the hub's time zone); staff may (``_bounds``).
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

from sqlalchemy import select

from booking import places
from frontdoor.closures import closed_days
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    AppointmentType,
    Availability,
    AvailabilityException,
    Hub,
    Session,
    SessionStatus,
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
    return ZoneInfo(
        db.session.execute(select(Hub.timezone).where(Hub.id == kind.hub_id)).scalar_one()
    )


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


class _Bounds(NamedTuple):
    earliest: datetime
    last_day: date


def _bounds(kind: AppointmentType, now: datetime, tz: ZoneInfo, *, public: bool) -> _Bounds:
    """The earliest start and the last day one may book: for the public, the type's
    minimum notice and ``max_days_ahead``; for staff, any time not yet passed."""
    if not public:
        return _Bounds(now, date.max)
    return _Bounds(
        now + timedelta(minutes=kind.min_notice_minutes),
        _today(now, tz) + timedelta(days=kind.max_days_ahead),
    )


def _day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return local_datetime(first, time(0), tz), local_datetime(last + timedelta(days=1), time(0), tz)


def get_type(type_id: int) -> AppointmentType:
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
    public: bool = True,
) -> dict[date, list[Slot]]:
    """Free slots of a type on each of ``days`` local days from ``day_from``.

    Every day asked for is a key (an empty list when nothing is free), each list
    in time order then by practitioner's name. Staff (``public=False``) are
    offered times inside the minimum notice too, as ``check_slot`` lets them book.
    Raises ``not_found`` for an unknown or withdrawn type. Eight small queries,
    then computed in Python.
    """
    kind = get_type(type_id)
    tz = _zone(kind)
    asked = [day_from + timedelta(days=n) for n in range(max(days, 0))]
    found: dict[date, list[Slot]] = {day: [] for day in asked}
    names = _offering(kind, practitioner_id)
    bounds = _bounds(kind, now, tz, public=public)
    first = max(day_from, _today(now, tz))
    last = min(day_from + timedelta(days=days - 1), bounds.last_day)
    if not names or first > last:
        return found
    windows = _windows(kind.hub_id, names)
    if not windows:
        return found
    start, end = _day_bounds(first, last, tz)
    busy = _load_busy(list(names), {w.room_id for w in windows if w.room_id}, start, end)
    earliest = bounds.earliest
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


def as_utc(moment: datetime) -> datetime:
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
    starts_at = as_utc(starts_at)
    bounds = _bounds(kind, now, tz, public=public)
    if starts_at < bounds.earliest:
        raise ServiceError("too_soon", field="starts_at")
    day = starts_at.astimezone(tz).date()
    if day > bounds.last_day:
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
    kind = get_type(type_id)
    return check_slot(kind, db.session.get(StaffUser, practitioner_id), starts_at, now=now)
