"""What's on at one hub over the next few days: for the kiosk and the booking site."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from booking.availability import Availability, availability, count_taken_by_session
from frontdoor.extensions import db
from frontdoor.models import BookingSource, Hub, ServiceCategory, Session, SessionSeries
from frontdoor.timetable import HORIZON, local_datetime


@dataclass
class WhatsOn:
    # (local day, its sessions) for every day in the range, empty days included.
    days: list[tuple[date, list[Session]]]
    # Categories and age bands of the sessions in the range, for filters. Pages list
    # categories in the family's order (``frontdoor.translated.in_family_order``).
    categories: list[ServiceCategory]
    age_bands: set[str]
    # What each session offers now, and its places left, by session id.
    available: dict[int, Availability] = field(default_factory=dict)

    @property
    def sessions(self) -> list[Session]:
        return [session for _, sessions in self.days for session in sessions]

    def drop_ins_now(self) -> list[Session]:
        """Sessions families may drop in to now, full ones too (to say so)."""
        return [s for s in self.sessions if self.available[s.id].drop_in_now]


def matches(session: Session, ages: Collection[str], category_id: int | None, words: str) -> bool:
    """Whether a session is for any of ``ages``, in the category, and mentions
    every one of ``words`` in its title or description (empty filters match all)."""
    series = session.series
    if ages and not set(ages) & set(series.age_bands or ()):
        return False
    if category_id is not None and series.category_id != category_id:
        return False
    # A family may search in English or in any language the hub wrote it in.
    written = [series.title, series.description, *_all_languages(series)]
    text = "\n".join(written).casefold()
    return all(word in text for word in words.casefold().split())


def _all_languages(series: SessionSeries) -> list[str]:
    given = series.translations or {}
    return [text for field in ("title", "description") for text in given.get(field, {}).values()]


def whats_on(
    hub_id: int,
    *,
    now: datetime,
    first_day: date | None = None,
    days: int = 8,
    ages: Collection[str] = (),
    category_id: int | None = None,
    words: str = "",
    source: str = BookingSource.PUBLIC,
) -> WhatsOn:
    """Sessions not yet over, from ``first_day`` (today) for ``days`` local days,
    each with its availability for a booking from ``source``.

    Cancelled sessions are included (the pages say so); the filters narrow the
    days, never the choices offered, so a family can always widen again.
    """
    hub = db.session.get_one(Hub, hub_id)
    tz = ZoneInfo(hub.timezone)
    first_day = first_day or now.astimezone(tz).date()
    start = local_datetime(first_day, time(0), tz)
    end = local_datetime(first_day + timedelta(days=days), time(0), tz)
    sessions = db.session.scalars(
        select(Session)
        .join(Session.series)
        .where(
            Session.hub_id == hub_id,
            Session.ends_at > now,
            Session.starts_at >= start,
            Session.starts_at < end,
            SessionSeries.active.is_(True),
        )
        .options(
            joinedload(Session.series).joinedload(SessionSeries.category),
            joinedload(Session.room),
            joinedload(Session.series).selectinload(SessionSeries.leads),
        )
        .order_by(Session.starts_at)
    ).all()
    categories = {s.series.category.id: s.series.category for s in sessions if s.series.category}
    bands = {band for s in sessions for band in s.series.age_bands or ()}
    chosen = [s for s in sessions if matches(s, ages, category_id, words)]
    by_day: dict[date, list[Session]] = {first_day + timedelta(days=i): [] for i in range(days)}
    for session in chosen:
        by_day.setdefault(session.starts_at.astimezone(tz).date(), []).append(session)
    taken = count_taken_by_session(chosen)
    return WhatsOn(
        days=sorted(by_day.items()),
        categories=list(categories.values()),
        age_bands=bands,
        available={s.id: availability(s, now, taken[s.id], source=source) for s in chosen},
    )


def session_at_hub(session_id: int, hub_id: int) -> Session | None:
    """One session of this hub, with what its page shows loaded."""
    return db.session.scalar(
        select(Session)
        .where(Session.id == session_id, Session.hub_id == hub_id)
        .options(
            joinedload(Session.series).joinedload(SessionSeries.category),
            joinedload(Session.room),
            joinedload(Session.series).selectinload(SessionSeries.leads),
        )
    )


def timetable_ahead(hub_id: int, *, today: date, tz: ZoneInfo) -> list[Session]:
    """The hub's sessions from ``today`` (at the hub) to the end of the timetable's
    12 weeks, cancelled ones included, with series and room: the hub's calendar feed.
    Sessions of a series stopped by its lead are left out, as on every page."""
    start = local_datetime(today, time(0), tz)
    end = local_datetime(today + HORIZON + timedelta(days=1), time(0), tz)
    return list(
        db.session.scalars(
            select(Session)
            .join(Session.series)
            .where(
                Session.hub_id == hub_id,
                Session.starts_at >= start,
                Session.starts_at < end,
                SessionSeries.active.is_(True),
            )
            .options(contains_eager(Session.series), joinedload(Session.room))
            .order_by(Session.starts_at, Session.id)
        )
    )
