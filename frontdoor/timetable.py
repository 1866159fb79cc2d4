"""Timetable rules: when a series happens, keeping its sessions in step, and
changes to one session. Plain functions; the caller commits.

Times in a series are wall-clock times at the hub. Each session's start is worked
out for its own date in Europe/London, so a 10:00 series stays at 10:00 on both
sides of the March and October clock changes while the stored UTC time moves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from frontdoor import audit
from frontdoor.bank_holidays import is_bank_holiday
from frontdoor.delivery import delivery_problems
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    LIVE_STATUSES,
    Booking,
    Delivery,
    Hub,
    Role,
    Room,
    Session,
    SessionSeries,
    SessionStatus,
    StaffRole,
    StaffUser,
)
from frontdoor.translated import checked_translations, translate

HORIZON = timedelta(weeks=12)
MAX_CAPACITY = 500
# A recurrence is looked at this far ahead when checking it yields any dates.
LOOKAHEAD_YEARS = 3


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time at the hub on ``day``.

    A time inside the spring-forward gap (01:30 on the March change) comes out an
    hour later on the new clock; no hub opens then, but it must not crash.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


# --- recurrence ---------------------------------------------------------------


@dataclass(frozen=True)
class Recurrence:
    weekdays: tuple[int, ...]
    interval_weeks: int
    start_date: date
    until_date: date | None = None
    count: int | None = None
    skip_bank_holidays: bool = True

    @classmethod
    def of(cls, series: SessionSeries) -> Recurrence:
        return cls(
            weekdays=tuple(sorted(series.weekdays)),
            interval_weeks=series.interval_weeks,
            start_date=series.start_date,
            until_date=series.until_date,
            count=series.occurrence_count,
            skip_bank_holidays=series.skip_bank_holidays,
        )

    def dates(self, start: date, end: date) -> list[date]:
        """Dates the series happens on within [start, end], in order."""
        found: list[date] = []
        produced = 0
        first_monday = self.start_date - timedelta(days=self.start_date.weekday())
        day = self.start_date
        last = min(end, self.until_date) if self.until_date else end
        while day <= last:
            weeks = (day - first_monday).days // 7
            on_rule = day.weekday() in self.weekdays and weeks % self.interval_weeks == 0
            if on_rule and not (self.skip_bank_holidays and is_bank_holiday(day)):
                produced += 1
                if self.count is not None and produced > self.count:
                    break
                if day >= start:
                    found.append(day)
            day += timedelta(days=1)
        return found


# --- validating a series --------------------------------------------------------


@dataclass
class SeriesInput:
    """What a lead can set on a series, already parsed into Python values."""

    hub_id: int
    title: str
    weekdays: list[int]
    start_date: date
    start_time: time
    end_time: time
    capacity: int
    description: str = ""
    category_id: int | None = None
    room_id: int | None = None
    age_bands: list[str] = field(default_factory=list)
    interval_weeks: int = 1
    until_date: date | None = None
    occurrence_count: int | None = None
    capacity_unit: str = "families"
    booking_mode: str = "drop_in"
    drop_in_places: int = 0
    booking_opens_days: int = 14
    booking_closes_minutes: int = 60
    skip_bank_holidays: bool = True
    lead_ids: list[int] = field(default_factory=list)
    lead_welcomes_room: bool = False
    delivery: str = Delivery.IN_PERSON
    joining_link: str = ""
    # The title and description in other languages: {field: {language: text}}.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def duration_minutes(self) -> int:
        start = datetime.combine(date.min, self.start_time)
        end = datetime.combine(date.min, self.end_time)
        return int((end - start).total_seconds() // 60)

    def recurrence(self) -> Recurrence:
        return Recurrence(
            weekdays=tuple(sorted(set(self.weekdays))),
            interval_weeks=self.interval_weeks,
            start_date=self.start_date,
            until_date=self.until_date,
            count=self.occurrence_count,
            skip_bank_holidays=self.skip_bank_holidays,
        )


def series_problems(data: SeriesInput) -> list[ServiceError]:
    """Every rule the input breaks, each with the field it belongs to."""
    problems: list[ServiceError] = []
    if data.duration_minutes <= 0:
        problems.append(ServiceError("ends_before_start", field="end_time"))
    if not 1 <= data.capacity <= MAX_CAPACITY:
        problems.append(ServiceError("capacity_range", field="capacity", low=1, high=MAX_CAPACITY))
    try:
        checked_translations(SessionSeries, data.translations)
    except ServiceError as refused:
        problems.append(refused)
    if data.booking_mode == "both" and not 0 < data.drop_in_places < data.capacity:
        problems.append(ServiceError("drop_in_places_range", field="drop_in_places"))
    problems += delivery_problems(
        data.delivery, data.joining_link, room_id=data.room_id, booking_mode=data.booking_mode
    )
    if data.until_date and data.occurrence_count:
        problems.append(ServiceError("until_and_count", field="occurrence_count"))
    if data.until_date and data.until_date < data.start_date:
        problems.append(ServiceError("until_before_start", field="until_date"))
    if not data.weekdays:
        problems.append(ServiceError("no_weekdays", field="weekdays"))
    elif not problems:
        horizon = data.start_date + timedelta(days=365 * LOOKAHEAD_YEARS)
        if not data.recurrence().dates(data.start_date, horizon):
            problems.append(ServiceError("no_dates", field="weekdays"))
    return problems


# --- keeping sessions in step with their series -------------------------------


def live_booking_counts(session_ids: Iterable[int]) -> dict[int, int]:
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Booking.session_id, func.count())
        .where(
            Booking.session_id.in_(ids),
            Booking.status.in_(LIVE_STATUSES),
        )
        .group_by(Booking.session_id)
    )
    # Never None (the IN above); said so for the type of ``Booking.session_id``.
    return {session_id: count for session_id, count in rows if session_id is not None}


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    flagged: int = 0


def _planned_times(series: SessionSeries, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    starts = local_datetime(day, series.start_time, tz)
    return starts, starts + timedelta(minutes=series.duration_minutes)


def sync_sessions(series: SessionSeries, *, today: date) -> SyncResult:
    """Make the series' sessions from ``today`` to 12 weeks ahead match its rule.

    Past sessions are history and never touched. A session with bookings is
    never removed or moved by an edit: it is kept and flagged for the lead.
    A session a lead moved or re-sized by hand keeps that change.
    """
    tz = ZoneInfo(series.hub.timezone)
    result = SyncResult()
    wanted = set(Recurrence.of(series).dates(today, today + HORIZON)) if series.active else set()
    existing = {
        s.occurrence_date: s
        for s in db.session.scalars(
            select(Session).where(Session.series_id == series.id, Session.occurrence_date >= today)
        )
    }
    booked = live_booking_counts(s.id for s in existing.values())

    for day in sorted(wanted - existing.keys()):
        starts, ends = _planned_times(series, day, tz)
        db.session.add(
            Session(
                series=series,
                hub_id=series.hub_id,
                room_id=series.room_id,
                occurrence_date=day,
                starts_at=starts,
                ends_at=ends,
                capacity=series.capacity,
            )
        )
        result.created += 1

    for day, session in existing.items():
        bookings = booked.get(session.id, 0)
        if day not in wanted:
            if bookings:
                _flag(session, "no_longer_in_series", result)
            else:
                db.session.delete(session)
                result.removed += 1
            continue
        result.updated += _follow_series(session, series, tz, bookings, result)
    db.session.flush()
    return result


def _follow_series(
    session: Session, series: SessionSeries, tz: ZoneInfo, bookings: int, result: SyncResult
) -> int:
    changed = False
    if not session.moved:
        starts, ends = _planned_times(series, session.occurrence_date, tz)
        planned = (starts, ends, series.room_id)
        if (session.starts_at, session.ends_at, session.room_id) != planned:
            if bookings:
                _flag(session, "series_changed", result)
            else:
                session.starts_at, session.ends_at, session.room_id = planned
                changed = True
    if not session.capacity_overridden and session.capacity != series.capacity:
        if series.capacity < bookings:
            _flag(session, "capacity_below_bookings", result)
        else:
            session.capacity = series.capacity
            changed = True
    return int(changed)


def _flag(session: Session, reason: str, result: SyncResult) -> None:
    if session.needs_attention != reason:
        session.needs_attention = reason
        result.flagged += 1


def save_series(
    series: SessionSeries, data: SeriesInput, *, today: date, staff_id: int | None = None
) -> SyncResult:
    """Apply validated input to a (new or existing) series and sync its sessions (audited)."""
    if problems := series_problems(data):
        raise problems[0]
    action = "series.update" if series.id else "series.create"
    series.hub_id = data.hub_id
    for name in (
        "title",
        "description",
        "category_id",
        "room_id",
        "age_bands",
        "interval_weeks",
        "start_date",
        "until_date",
        "occurrence_count",
        "start_time",
        "capacity",
        "capacity_unit",
        "booking_mode",
        "drop_in_places",
        "booking_opens_days",
        "booking_closes_minutes",
        "skip_bank_holidays",
        "lead_welcomes_room",
        "delivery",
    ):
        setattr(series, name, getattr(data, name))
    series.title = data.title.strip()
    series.weekdays = sorted(set(data.weekdays))
    series.duration_minutes = data.duration_minutes
    if data.booking_mode != "both":
        series.drop_in_places = 0
    # The link is kept only while families can join online.
    series.joining_link = "" if data.delivery == Delivery.IN_PERSON else data.joining_link.strip()
    languages = translate(series, data.translations)
    leads = select(StaffUser).where(StaffUser.id.in_(data.lead_ids))
    series.leads = list(db.session.scalars(leads))
    db.session.add(series)
    db.session.flush()
    db.session.refresh(series, ["hub"])
    result = sync_sessions(series, today=today)
    audit.record(
        action,
        staff_id=staff_id,
        subject_type="session_series",
        subject_id=series.id,
        hub_id=series.hub_id,
        detail=f"{series.title}: {result.created} added, {result.updated} changed, "
        f"{result.removed} removed, {result.flagged} flagged"
        + ("; the lead welcomes the room" if series.lead_welcomes_room else "")
        + (f"; runs {series.delivery.replace('_', ' ')}" if series.delivery != "in_person" else "")
        + ("; changed " + ", ".join(languages) if languages else ""),
    )
    return result


def sync_all(*, today: date) -> SyncResult:
    """Keep every active series 12 weeks ahead (the nightly job and the demo)."""
    total = SyncResult()
    for series in db.session.scalars(select(SessionSeries).options(joinedload(SessionSeries.hub))):
        step = sync_sessions(series, today=today)
        for name in ("created", "updated", "removed", "flagged"):
            setattr(total, name, getattr(total, name) + getattr(step, name))
    return total


# --- one session ------------------------------------------------------------------


def cancel_session(session: Session, reason: str) -> None:
    if not reason.strip():
        raise ServiceError("reason_required", field="reason")
    if session.is_cancelled:
        raise ServiceError("already_cancelled")
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason.strip()
    session.needs_attention = ""


def audit_session(action: str, session: Session, staff_id: int | None, detail: str) -> None:
    """One staff change to one session, in the audit log."""
    audit.record(
        action,
        staff_id=staff_id,
        subject_type="session",
        subject_id=session.id,
        hub_id=session.hub_id,
        detail=detail,
    )


def restore_session(session: Session, *, staff_id: int | None = None) -> None:
    session.status = SessionStatus.SCHEDULED
    session.cancel_reason = ""
    audit_session("session.restore", session, staff_id, "Restored")


def move_session(
    session: Session, *, day: date, start: time, end: time, room_id: int | None
) -> None:
    """The timetable's part of a move; ``booking.session_changes.move_session`` also tells
    the families booked."""
    tz = ZoneInfo(session.hub.timezone)
    starts, ends = local_datetime(day, start, tz), local_datetime(day, end, tz)
    if ends <= starts:
        raise ServiceError("ends_before_start", field="end_time")
    session.starts_at, session.ends_at, session.room_id = starts, ends, room_id
    session.moved = True
    session.needs_attention = ""


def keep_as_is(session: Session, *, staff_id: int | None = None) -> None:
    """The lead has looked at a flagged session and wants it kept unchanged."""
    session.needs_attention = ""
    session.moved = True
    audit_session("session.keep", session, staff_id, "Kept as it is after a series change")


# --- reading the timetable ------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_sessions(hub_id: int, monday: date, tz: ZoneInfo) -> dict[date, list[Session]]:
    """The hub's sessions in the week starting ``monday``, by local day."""
    start = local_datetime(monday, time(0), tz)
    end = local_datetime(monday + timedelta(days=7), time(0), tz)
    sessions = db.session.scalars(
        select(Session)
        .where(Session.hub_id == hub_id, Session.starts_at >= start, Session.starts_at < end)
        .options(
            joinedload(Session.series).joinedload(SessionSeries.category),
            joinedload(Session.room),
        )
        .order_by(Session.starts_at)
    ).all()
    days: dict[date, list[Session]] = {monday + timedelta(days=i): [] for i in range(7)}
    for session in sessions:
        days.setdefault(session.starts_at.astimezone(tz).date(), []).append(session)
    return days


def room_clashes(
    room_id: int | None,
    slots: Iterable[tuple[datetime, datetime]],
    *,
    exclude_series_id: int | None = None,
    exclude_session_id: int | None = None,
) -> list[Session]:
    """Scheduled sessions in the same room overlapping any of ``slots``."""
    slots = list(slots)
    if room_id is None or not slots:
        return []
    first, last = min(s for s, _ in slots), max(e for _, e in slots)
    query = select(Session).where(
        Session.room_id == room_id,
        Session.status == SessionStatus.SCHEDULED,
        Session.starts_at < last,
        Session.ends_at > first,
    )
    if exclude_series_id is not None:
        query = query.where(Session.series_id != exclude_series_id)
    if exclude_session_id is not None:
        query = query.where(Session.id != exclude_session_id)
    query = query.options(joinedload(Session.series)).order_by(Session.starts_at)
    candidates = db.session.scalars(query).all()
    return [c for c in candidates if any(c.starts_at < e and c.ends_at > s for s, e in slots)]


def planned_slots(
    data: SeriesInput, tz: ZoneInfo, *, today: date
) -> list[tuple[datetime, datetime]]:
    """The start and end of each session the input would create in the horizon."""
    slots = []
    for day in data.recurrence().dates(max(today, data.start_date), today + HORIZON):
        starts = local_datetime(day, data.start_time, tz)
        slots.append((starts, starts + timedelta(minutes=data.duration_minutes)))
    return slots


def series_clashes(
    data: SeriesInput, *, today: date, series_id: int | None = None
) -> list[Session]:
    """Other sessions already in the room when the input's sessions would be."""
    hub = db.session.get_one(Hub, data.hub_id)
    slots = planned_slots(data, ZoneInfo(hub.timezone), today=today)
    return room_clashes(data.room_id, slots, exclude_series_id=series_id)


def move_clashes(
    session: Session, *, day: date, start: time, end: time, room_id: int | None
) -> list[Session]:
    """Other sessions in the room at the time a session would move to."""
    tz = ZoneInfo(session.hub.timezone)
    starts, ends = local_datetime(day, start, tz), local_datetime(day, end, tz)
    if ends <= starts:
        return []  # move_session refuses this with the real reason
    return room_clashes(room_id, [(starts, ends)], exclude_session_id=session.id)


def booked_ahead(series: SessionSeries, *, today: date) -> int:
    """How many of the series' sessions from ``today`` on have live bookings.

    An edit keeps these as they are and flags them, so the lead is told first."""
    ids = db.session.scalars(
        select(Session.id).where(Session.series_id == series.id, Session.occurrence_date >= today)
    )
    return len(live_booking_counts(ids))


def possible_leads(hub_id: int) -> list[StaffUser]:
    """Active staff who may lead a session at the hub: its session leads and practitioners."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(StaffRole)
            .where(
                StaffUser.active,
                StaffRole.hub_id == hub_id,
                StaffRole.role.in_([Role.SESSION_LEAD, Role.PRACTITIONER]),
            )
            .distinct()
            .order_by(StaffUser.name)
        )
    )


def rooms_in_use(room: Room) -> bool:
    sessions = select(func.count()).select_from(Session).where(Session.room_id == room.id)
    return bool(
        db.session.scalar(sessions)
        or db.session.scalar(
            select(func.count()).select_from(SessionSeries).where(SessionSeries.room_id == room.id)
        )
    )
