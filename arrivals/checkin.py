"""Checking in: a family with a booking, or at a drop-in, has arrived.

Used by the kiosk and by reception ("check someone in by hand"). Every check-in
makes one visit, whatever double taps or second kiosks do, and says who will
greet the family: the greeter rule's answer (``arrivals.greeters``), the one the
board shows staff.

Lock, then look, then act: a check-in takes its booking's (or session's) row
lock, then looks for an earlier visit with the screen's nonce, and only then
checks the rules and records. A double tap that waited for the lock so gets the
first tap's visit; the unique nonce stays as the safety net.

Codes: ``not_found``, ``other_hub``, ``cancelled``, ``waiting_list``,
``not_today``, ``too_early``, ``session_over``, ``session_cancelled``,
``already_checked_in``, ``not_drop_in``, ``full``, ``online_only`` (a booking
for an online-only session: nobody walks in to one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from arrivals.greeters import DutyRota, greeter_to_name, greeters_for
from booking.availability import availability, in_person, units
from booking.contact import check_child_bands
from booking.places import lock_booking, lock_session
from booking.whats_on import whats_on
from frontdoor.areas import area_for_postcode
from frontdoor.errors import ServiceError
from frontdoor.events import publish
from frontdoor.extensions import db
from frontdoor.family import arrival_family_key
from frontdoor.fields import name_key
from frontdoor.models import (
    Booking,
    BookingStatus,
    Hub,
    Session,
    SessionSeries,
    SessionStatus,
    StaffUser,
    Visit,
    VisitKind,
)
from frontdoor.translated import in_language

MAX_PARTY = 20  # adults and children together, at one check-in


def check_party(adults: int, child_bands: Sequence[str]) -> None:
    """Who is here: at least one person, at most ``MAX_PARTY``, else ``party_size``;
    each child in one of the bands bookings count them in, else ``child_age_band``."""
    if adults < 0 or not 1 <= adults + len(child_bands) <= MAX_PARTY:
        raise ServiceError("party_size", field="adults")
    check_child_bands(child_bands)


def record_visit(hub_id: int, *, now: datetime, **details: object) -> Visit:
    """A new visit in the caller's transaction, announced to the arrivals board
    (which hears of it when the caller commits). Every check-in ends here."""
    visit = Visit(hub_id=hub_id, arrived_at=now, **details)
    db.session.add(visit)
    db.session.flush()
    publish(hub_id, "visit.arrived", now=now, subject="visit", id=visit.id)
    return visit


@dataclass(frozen=True)
class CheckIn:
    visit: Visit
    # Who will come to say hello (the greeter rule's one person, by first name),
    # and where to wait; None means "a member of staff".
    greeter: str | None
    wait_in: str | None
    created: bool = True
    # Kept apart from ``visit``, whose attributes a commit expires (reading them
    # again would cost a query).
    visit_id: int = 0


def _by_nonce(nonce: str | None) -> Visit | None:
    """The visit an earlier tap of this screen made. Asked under the row lock, so
    a tap racing this one has either committed its visit or not yet begun."""
    if not nonce:
        return None
    return db.session.scalar(select(Visit).where(Visit.nonce == nonce))


def _result(visit: Visit, *, now: datetime, created: bool = True) -> CheckIn:
    session = visit.session
    greeter = greeter_to_name(greeters_for(visit, DutyRota(visit.hub, now)))
    room = session.room.name if session is not None and session.room else None
    return CheckIn(visit, greeter, room, created, visit.id)


# The booking's session with what the thank-you screen needs (series, leads, room,
# hub), loaded with the booking's lock rather than one query each.
_WITH_GREETING = (
    joinedload(Booking.session).options(
        # The leads' roles are not needed to greet: not loaded.
        joinedload(Session.series).joinedload(SessionSeries.leads).lazyload(StaffUser.roles),
        joinedload(Session.room),
        joinedload(Session.hub),
    ),
)


def _check_time(session: Session, hub: Hub, now: datetime) -> None:
    tz = ZoneInfo(hub.timezone)
    if session.status == SessionStatus.CANCELLED:
        raise ServiceError("session_cancelled")
    if session.starts_at.astimezone(tz).date() != now.astimezone(tz).date():
        raise ServiceError("not_today", starts_at=session.starts_at)
    if now >= session.ends_at:
        raise ServiceError("session_over")
    opens = session.starts_at - timedelta(minutes=hub.settings.checkin_early_minutes)
    if now < opens:
        raise ServiceError("too_early", opens=opens)


def _check_booking(booking: Booking, session: Session, hub_id: int, now: datetime) -> None:
    if session.hub_id != hub_id:
        raise ServiceError("other_hub", hub=session.hub.name)
    if not in_person(session):
        raise ServiceError("online_only")
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError("cancelled")
    if booking.status == BookingStatus.WAITING:
        raise ServiceError("waiting_list")
    if booking.checked_in_at is not None:
        raise ServiceError("already_checked_in")
    _check_time(session, session.hub, now)


def booking_for_check_in(
    *, hub_id: int, now: datetime, reference: str | None = None, booking_id: int | None = None
) -> Booking:
    """The booking a family showed (QR: id and reference) or typed (reference), or
    chose from "find me" (id), if they may check in for it now.

    Reads only; ``check_in_booking`` checks again under the lock. Raises the same
    codes, so the kiosk can say "too early" before asking who is here.
    """
    booking = None
    if reference:
        booking = booking_by_reference(reference)
        if booking is not None and booking_id is not None and booking.id != booking_id:
            booking = None
    elif booking_id is not None:
        booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session is None:
        raise ServiceError("not_found")
    _check_booking(booking, booking.session, hub_id, now)
    return booking


def check_in_booking(
    booking_id: int,
    *,
    hub_id: int,
    adults: int,
    child_bands: Sequence[str],
    now: datetime,
    nonce: str | None = None,
    kiosk_id: int | None = None,
    card_key: str | None = None,
) -> CheckIn:
    """Record that a booked family has arrived (adults, and the children present by
    age band). A second tap of the same screen (``nonce``) gets the first tap's
    answer. A hub card they showed (``card_key``) names the family for the visit
    and the booking alike; else the visit takes the booking's key."""
    booking = lock_booking(booking_id, options=_WITH_GREETING)
    if earlier := _by_nonce(nonce):
        return _result(earlier, now=now, created=False)
    if booking is None or booking.session is None:
        raise ServiceError("not_found")
    session = booking.session
    _check_booking(booking, session, hub_id, now)
    check_party(adults, child_bands)
    booking.checked_in_at = now
    booking.family_key = arrival_family_key(
        organisation_id=session.hub.organisation_id,
        card_key=card_key,
        booking_key=booking.family_key,
    )
    visit = record_visit(
        hub_id,
        now=now,
        session_id=session.id,
        booking_id=booking.id,
        kind=VisitKind.BOOKING,
        first_name=booking.first_name,
        last_name=booking.last_name,
        adults=adults,
        children=len(child_bands),
        child_bands=list(child_bands),
        language=booking.language,
        family_key=booking.family_key,
        kiosk_id=kiosk_id,
        nonce=nonce,
        # The area the family gave when they booked (never a postcode).
        postcode_district=booking.postcode_district,
        lsoa=booking.lsoa,
        imd_decile=booking.imd_decile,
    )
    return _result(visit, now=now)


def drop_ins_now(hub_id: int, now: datetime) -> list[Session]:
    """Sessions at the hub families may drop in to now, full ones too (to say so)."""
    return whats_on(hub_id, now=now, days=1).drop_ins_now()


def next_times(session: Session, count: int = 3) -> list[Session]:
    return list(
        db.session.scalars(
            select(Session)
            .where(
                Session.series_id == session.series_id,
                Session.starts_at > session.starts_at,
                Session.status == SessionStatus.SCHEDULED,
            )
            .order_by(Session.starts_at)
            .limit(count)
        )
    )


def check_in_drop_in(
    session_id: int,
    *,
    hub_id: int,
    first_name: str,
    adults: int,
    child_bands: Sequence[str],
    now: datetime,
    first_time: bool | None = None,
    language: str = "en",
    nonce: str | None = None,
    kiosk_id: int | None = None,
    kind: str = VisitKind.DROP_IN,
    card_key: str | None = None,
    postcode: str = "",
) -> CheckIn:
    """A family arriving for a drop-in (or a walk-in recorded by reception).
    A second tap of the same screen (``nonce``) gets the first tap's answer.
    The visit carries the key of the hub card they showed, if any; a
    ``postcode`` is kept only as its area (``frontdoor.areas``)."""
    first_name = first_name.strip()
    if not first_name:
        raise ServiceError("first_name_required", field="first_name")
    if len(first_name) > 100:
        raise ServiceError("name_too_long", field="first_name")
    check_party(adults, child_bands)
    area = area_for_postcode(postcode)
    session = lock_session(session_id)
    if earlier := _by_nonce(nonce):
        return _result(earlier, now=now, created=False)
    if session is None or session.hub_id != hub_id:
        raise ServiceError("not_found")
    available = availability(session, now)  # counted under the lock
    if refusal := available.drop_in_refusal():
        raise refusal
    if not available.fits_drop_in(units(session, adults + len(child_bands))):
        raise ServiceError("full", next_times=next_times(session))
    visit = record_visit(
        hub_id,
        now=now,
        session_id=session.id,
        kind=kind,
        first_name=first_name,
        adults=adults,
        children=len(child_bands),
        child_bands=list(child_bands),
        first_time=first_time,
        language=language,
        family_key=arrival_family_key(
            organisation_id=session.hub.organisation_id, card_key=card_key
        ),
        kiosk_id=kiosk_id,
        nonce=nonce,
        **area.kept(),
    )
    return _result(visit, now=now)


@dataclass(frozen=True)
class TodaysBooking:
    """One line of "Is this you?": all a shared screen may show of a booking."""

    booking_id: int
    name: str  # first name and last initial: all the kiosk may show
    title: str
    starts_at: datetime
    icon: str  # the session's category picture
    # Shown only when two lines would otherwise read the same: first the number
    # in the party, then (if that ties too) when the booking was made.
    people: int | None = None
    booked_at: datetime | None = None


# What a line shows of a booking's session, loaded with the bookings.
_WITH_SERIES = (
    joinedload(Booking.session).joinedload(Session.series).joinedload(SessionSeries.category)
)


def find_todays_bookings(
    hub_id: int, first_name: str, *, now: datetime, locale: str = "en"
) -> list[TodaysBooking]:
    """Bookings at this hub, in the check-in window now, for people of that first name,
    each titled in ``locale`` (the family's language)."""
    wanted = name_key(first_name)
    if not wanted:
        return []
    hub = db.session.get_one(Hub, hub_id)
    early = timedelta(minutes=hub.settings.checkin_early_minutes)
    candidates = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(
            Session.hub_id == hub_id,
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at <= now + early,
            Session.ends_at > now,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.checked_in_at.is_(None),
        )
        .options(_WITH_SERIES)
        .order_by(Session.starts_at, Booking.id)
    )
    return told_apart(
        [
            b
            for b in candidates
            if name_key(b.first_name) == wanted and b.session and in_person(b.session)
        ],
        locale,
    )


def bookings_to_choose(
    hub_id: int, booking_ids: Sequence[int], *, locale: str = "en"
) -> list[TodaysBooking]:
    """The lines "find me" offered (by id, in that order), as the kiosk shows them
    again: only this hub's, told apart where two would read the same."""
    found = {
        b.id: b
        for b in db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(Booking.id.in_(booking_ids), Session.hub_id == hub_id)
            .options(_WITH_SERIES)
        )
    }
    return told_apart([found[i] for i in booking_ids if i in found], locale)


def told_apart(bookings: Sequence[Booking], locale: str = "en") -> list[TodaysBooking]:
    """Lines for a shared screen: first name and last initial, the session and its
    time. Two families of one first name and last initial at one session would
    read the same, so those lines add the number in the party, and, if that ties
    too, when each was booked: enough to choose, nothing more about anyone."""
    lines = [_line(b, session, locale) for b in bookings if (session := b.session) is not None]
    people = {b.id: b.people for b in bookings}
    booked_at = {b.id: b.created_at for b in bookings}
    lines = _where_alike(lines, lambda line: replace(line, people=people[line.booking_id]))
    return _where_alike(lines, lambda line: replace(line, booked_at=booked_at[line.booking_id]))


def _line(booking: Booking, session: Session, locale: str) -> TodaysBooking:
    category = session.series.category
    return TodaysBooking(
        booking.id,
        booking.display_name,
        in_language(session.series, "title", locale),
        session.starts_at,
        category.icon if category else "session",
    )


def _where_alike(
    lines: list[TodaysBooking], tell: Callable[[TodaysBooking], TodaysBooking]
) -> list[TodaysBooking]:
    """``tell`` applied to each line that reads the same as another."""

    def reads(line: TodaysBooking) -> tuple[object, ...]:
        return (line.name, line.title, line.starts_at, line.people)

    seen = Counter(reads(line) for line in lines)
    return [tell(line) if seen[reads(line)] > 1 else line for line in lines]


def booking_by_reference(reference: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.reference == reference))
