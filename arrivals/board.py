"""What the arrivals board shows at a hub now, who is expected, how long people
have waited (amber and red), and the fire roll call: the read side of arrivals.

Used by the staff side (``admin/arrivals.py``) and by ``arrivals.actions`` (whose
escalation uses the same levels). Plain functions that only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from arrivals.cards import Place, Row, board_order, place_of, room_card
from arrivals.greeters import DutyRota, duty_staff, greeters_for, local_day, welcomed_by_lead
from frontdoor.errors import ServiceError
from frontdoor.events import latest_event_id
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    Booking,
    BookingStatus,
    Duty,
    HelpRequest,
    Hub,
    Role,
    Session,
    SessionSeries,
    SessionStatus,
    StaffLogin,
    StaffRole,
    StaffUser,
    Visit,
    VisitKind,
    VisitStatus,
)

OPEN = (VisitStatus.WAITING, VisitStatus.GREETED, VisitStatus.WITH_STAFF)
URGENT_AFTER = timedelta(minutes=2)
EXPECTED_AHEAD = timedelta(hours=1)
EXPECTED_BEHIND = timedelta(minutes=30)
# Roles that may see what a help request is about; reception may not.
TOPIC_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SESSION_LEAD, Role.PRACTITIONER})


def since(row: Visit | HelpRequest) -> datetime:
    """When they arrived, or asked for help."""
    return row.arrived_at if isinstance(row, Visit) else row.created_at


# --- the board ------------------------------------------------------------------------


def level_for(row: Visit | HelpRequest, now: datetime, minutes: int) -> int:
    """0 fine, 1 amber (waited N minutes), 2 red (2N; urgent help after 2 minutes).
    Only someone still waiting to be greeted escalates, and never a family the
    lead welcomes with the room (``welcomed_by_lead``): the board and the scheduled
    escalation (``arrivals.jobs``) both ask here."""
    if row.status != VisitStatus.WAITING:
        return 0
    if isinstance(row, Visit) and welcomed_by_lead(row):
        return 0
    waited = now - since(row)
    if isinstance(row, HelpRequest) and row.urgent and waited >= URGENT_AFTER:
        return 2
    if waited >= timedelta(minutes=2 * minutes):
        return 2
    if waited >= timedelta(minutes=minutes):
        return 1
    return 0


@dataclass
class Expected:
    booking_id: int
    name: str
    what: str
    starts_at: datetime
    people: int


@dataclass
class Board:
    hub: Hub
    now: datetime
    minutes: int
    waiting: list[Row]
    help: list[Row]
    with_staff: list[Row]
    expected: list[Expected]
    families: int
    adults: int
    children: int
    duty: list[StaffUser]
    last_event_id: int

    @property
    def cards(self) -> list[Row]:
        """Every card, in the order reception reads them (``board_order``)."""
        return board_order([*self.help, *self.waiting, *self.with_staff])

    def only_for(self, staff_id: int) -> Board:
        """The board as one practitioner's own: theirs to greet, or claimed by them."""

        def mine(rows: list[Row]) -> list[Row]:
            return [
                r
                for r in rows
                if (r.claimed_by is not None and r.claimed_by.id == staff_id)
                or (r.claimed_by is None and staff_id in r.greeter_ids)
            ]

        return Board(
            self.hub,
            self.now,
            self.minutes,
            mine(self.waiting),
            mine(self.help),
            mine(self.with_staff),
            [],
            self.families,
            self.adults,
            self.children,
            self.duty,
            self.last_event_id,
        )


def _visit_what(visit: Visit) -> str:
    if visit.booking is not None and visit.booking.appointment is not None:
        return visit.booking.appointment.type.name
    if visit.session is not None:
        return visit.session.series.title
    return "Walk-in" if visit.kind == VisitKind.WALK_IN else "Drop-in"


def _visit_room(visit: Visit) -> str | None:
    if visit.booking is not None and visit.booking.appointment is not None:
        room = visit.booking.appointment.room
        return room.name if room else None
    if visit.session is not None and visit.session.room is not None:
        return visit.session.room.name
    return None


def open_visits(hub_id: int) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.hub_id == hub_id, Visit.status.in_(OPEN))
            .options(
                joinedload(Visit.session)
                .joinedload(Session.series)
                .selectinload(SessionSeries.leads),
                joinedload(Visit.session).joinedload(Session.room),
                # An appointment's type, practitioner and room, which every board
                # row shows: loaded here, not once per row.
                joinedload(Visit.booking)
                .joinedload(Booking.appointment)
                .options(
                    joinedload(Appointment.type),
                    joinedload(Appointment.practitioner),
                    joinedload(Appointment.room),
                ),
            )
            .order_by(Visit.arrived_at, Visit.id)
        ).unique()
    )


def open_help_requests(hub_id: int) -> list[HelpRequest]:
    return list(
        db.session.scalars(
            select(HelpRequest)
            .where(HelpRequest.hub_id == hub_id, HelpRequest.status.in_(OPEN))
            .order_by(HelpRequest.urgent.desc(), HelpRequest.created_at, HelpRequest.id)
        )
    )


def _staff_by_id(ids: set[int]) -> dict[int, StaffUser]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))}


def board(hub_id: int, *, now: datetime) -> Board:
    """Everything the board shows at one hub now."""
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise ServiceError("not_found")
    minutes = hub.settings.greeting_escalation_minutes
    rota = DutyRota(hub, now)
    visits = open_visits(hub_id)
    helps = open_help_requests(hub_id)
    arrivals: list[Visit | HelpRequest] = [*visits, *helps]
    claimed = _staff_by_id({r.claimed_by_id for r in arrivals if r.claimed_by_id})

    def row(item: Visit | HelpRequest) -> Row:
        arrived = since(item)
        common = partial(
            Row,
            id=item.id,
            version=item.version,
            status=item.status,
            since=arrived,
            waited_seconds=max(int((now - arrived).total_seconds()), 0),
            level=max(
                level_for(item, now, minutes),
                item.escalation if item.status == VisitStatus.WAITING else 0,
            ),
            greeters=greeters_for(item, rota),
            claimed_by=claimed.get(item.claimed_by_id) if item.claimed_by_id else None,
            language=item.language,
        )
        if isinstance(item, Visit):
            return common(
                subject="visit",
                name=item.display_name,
                what=_visit_what(item),
                adults=item.adults,
                children=item.children,
                first_time=item.first_time,
                room=_visit_room(item),
            )
        return common(
            subject="help",
            name=item.first_name or "Someone",
            what="Help request",
            urgent=item.urgent,
            private_room=item.private_room,
        )

    rooms = _rooms(visits, now)
    grouped = {v.id for v in visits if v.status == VisitStatus.WAITING and welcomed_by_lead(v)}
    cards = board_order(
        [*(row(v) for v in visits if v.id not in grouped), *(row(h) for h in helps), *rooms]
    )
    return Board(
        hub=hub,
        now=now,
        minutes=minutes,
        waiting=[r for r in cards if place_of(r) == Place.WAITING],
        help=[r for r in cards if place_of(r) in (Place.URGENT_HELP, Place.HELP)],
        with_staff=[r for r in cards if place_of(r) == Place.WITH_STAFF],
        expected=expected(hub_id, now=now),
        families=len(visits),
        adults=sum(v.adults for v in visits),
        children=sum(v.children for v in visits),
        duty=rota.practitioners,
        last_event_id=latest_event_id(hub_id),
    )


def _rooms(visits: list[Visit], now: datetime) -> list[Row]:
    """One card per session whose lead welcomes the room and has drop-in families
    waiting for that welcome; its counts take in the session's first-timers."""
    waiting: dict[int, list[Visit]] = {}
    for visit in visits:
        if visit.status == VisitStatus.WAITING and welcomed_by_lead(visit) and visit.session_id:
            waiting.setdefault(visit.session_id, []).append(visit)
    cards = []
    for session_id, families in waiting.items():
        session = families[0].session
        if session is None:  # never: welcomed_by_lead asks for a session
            continue
        in_room = [v for v in visits if v.session_id == session_id and v.kind == VisitKind.DROP_IN]
        cards.append(
            room_card(session, in_room, waiting=families, now=now, room=_visit_room(families[0]))
        )
    return cards


def expected(hub_id: int, *, now: datetime) -> list[Expected]:
    """Booked families due in the next hour (or started lately) not yet arrived."""
    found: list[Expected] = []
    sessions = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(
            Session.hub_id == hub_id,
            Session.status == SessionStatus.SCHEDULED,
            Session.starts_at <= now + EXPECTED_AHEAD,
            Session.starts_at >= now - EXPECTED_BEHIND,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.checked_in_at.is_(None),
        )
        .options(joinedload(Booking.session).joinedload(Session.series))
    )
    for b in sessions:
        if (session := b.session) is not None:  # always, by the join
            found.append(
                Expected(b.id, b.display_name, session.series.title, session.starts_at, b.people)
            )
    appointments = db.session.scalars(
        select(Booking)
        .join(Booking.appointment)
        .where(
            Appointment.hub_id == hub_id,
            Appointment.starts_at <= now + EXPECTED_AHEAD,
            Appointment.starts_at >= now - EXPECTED_BEHIND,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.checked_in_at.is_(None),
        )
        .options(joinedload(Booking.appointment).joinedload(Appointment.type))
    )
    for b in appointments:
        if (meeting := b.appointment) is not None:  # always, by the join
            found.append(
                Expected(b.id, b.display_name, meeting.type.name, meeting.starts_at, b.people)
            )
    return sorted(found, key=lambda e: (e.starts_at, e.name))


# --- the fire roll call --------------------------------------------------------------


@dataclass(frozen=True)
class StaffHere:
    """A colleague a fire warden looks for: on today's duty rota, signed in to
    Front Door today, or both."""

    person: StaffUser
    duties: tuple[str, ...]  # their duties on today's rota (``Duty``); empty: not on it
    signed_in: bool  # signed in to Front Door today


@dataclass
class RollCall:
    hub: Hub
    now: datetime
    visits: list[tuple[Visit, str | None, str]]  # visit, room, what for
    help: list[HelpRequest]
    adults: int
    children: int
    staff: list[StaffHere]

    @property
    def on_duty(self) -> int:
        return sum(1 for s in self.staff if s.duties)

    @property
    def signed_in(self) -> int:
        return sum(1 for s in self.staff if s.signed_in)


def roll_call(hub_id: int, *, now: datetime) -> RollCall:
    """Everyone in the building: visitors checked in and not out, open help
    requests, and staff: those on today's duty rota and those signed in to Front
    Door at the hub today (a rota is a plan, a sign-in is a trace: the warden
    needs both)."""
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise ServiceError("not_found")
    visits = open_visits(hub_id)
    return RollCall(
        hub=hub,
        now=now,
        visits=[(v, _visit_room(v), _visit_what(v)) for v in visits],
        help=open_help_requests(hub_id),
        adults=sum(v.adults for v in visits),
        children=sum(v.children for v in visits),
        staff=_staff_here(hub, now),
    )


def _staff_here(hub: Hub, now: datetime) -> list[StaffHere]:
    day = local_day(hub, now)
    duties: dict[int, list[str]] = {}
    people: dict[int, StaffUser] = {}
    for duty in Duty:
        for person in duty_staff(hub.id, day, duty):
            duties.setdefault(person.id, []).append(duty)
            people[person.id] = person
    signed_in = _signed_in_today(hub, day)
    people.update((p.id, p) for p in signed_in)
    signed_ids = {p.id for p in signed_in}
    return [
        StaffHere(p, tuple(duties.get(p.id, ())), p.id in signed_ids)
        for p in sorted(people.values(), key=lambda p: (p.name, p.id))
    ]


def _signed_in_today(hub: Hub, day: date) -> list[StaffUser]:
    """Staff of this hub signed in to Front Door (anywhere) and seen today."""
    day_start = datetime.combine(day, time(0), ZoneInfo(hub.timezone))
    signed_in = select(StaffLogin.user_id).where(
        StaffLogin.ended_at.is_(None),
        StaffLogin.last_seen_at >= day_start,
        StaffLogin.board_display_id.is_(None),  # a reception screen is not its owner here
    )
    here = select(StaffRole.user_id).where(StaffRole.hub_id == hub.id)
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(
                StaffUser.id.in_(signed_in),
                StaffUser.id.in_(here),
                StaffUser.active.is_(True),
            )
            .options(lazyload(StaffUser.roles))
        )
    )
