"""Who greets whom: the duty rota, and matching a family's language and a help
request's topic to the staff who have them.

``greeters_for`` is the one answer to "who greets this family?": the kiosk's
thank-you screen, the arrivals board, a practitioner's own list and the duty
manager's escalation email all ask it. An appointment's practitioner greets for
an appointment, a booked session's lead for that session; drop-ins, walk-ins and
help requests go to the day's duty practitioners. Plain functions; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from frontdoor.errors import ServiceError
from frontdoor.events import bus
from frontdoor.extensions import db
from frontdoor.models import (
    Duty,
    DutyAssignment,
    HelpRequest,
    Hub,
    Role,
    StaffRole,
    StaffUser,
    Visit,
    VisitKind,
)
from frontdoor.remembered import Tag, attached, detached, unsettled

# --- who greets whom ---------------------------------------------------------------------


def local_day(hub: Hub, now: datetime) -> date:
    return now.astimezone(ZoneInfo(hub.timezone)).date()


def duty_staff(hub_id: int, day: date, duty: str = Duty.PRACTITIONER) -> list[StaffUser]:
    """Who is on ``duty`` at the hub that day, by name."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .join(DutyAssignment, DutyAssignment.staff_id == StaffUser.id)
            .where(
                DutyAssignment.hub_id == hub_id,
                DutyAssignment.day == day,
                DutyAssignment.duty == duty,
                StaffUser.active.is_(True),
            )
            .order_by(StaffUser.name)
            # Their roles are not needed to greet: loaded only if someone asks.
            .options(lazyload(StaffUser.roles))
        )
    )


class DutyRota:
    """Today's duty practitioners at one hub, read the first time the greeter rule
    asks and then kept: a board asks for every row, a booked family's check-in
    never (its session's lead greets).

    Each worker remembers a hub's rota for a day (``frontdoor.remembered``) until a
    duty of that hub's changes or someone on it does (a name, their languages,
    leaving): the day is the hub's own date ``now``, so a rota remembered
    yesterday is never today's."""

    def __init__(self, hub: Hub, now: datetime) -> None:
        self.hub_id = hub.id
        self.day = local_day(hub, now)

    @cached_property
    def practitioners(self) -> list[StaffUser]:
        hub_id, day, session = self.hub_id, self.day, db.session()
        if unsettled(session, ("duty_assignment", "staff_user")):
            return duty_staff(hub_id, day)  # this transaction's own rota, as it now is
        kept = bus().remembered.get(
            ("duty_rota", hub_id, day), lambda: _remembered_rota(hub_id, day)
        )
        return [attached(session, person) for person in kept or []]


def _remembered_rota(hub_id: int, day: date) -> tuple[list[StaffUser], list[Tag]]:
    staff = duty_staff(hub_id, day)
    tags: list[Tag] = [("duty_assignment", hub_id), *(("staff_user", p.id) for p in staff)]
    return [detached(person) for person in staff], tags


def staff_at(hub_id: int, roles: Iterable[Role] = (Role.PRACTITIONER,)) -> list[StaffUser]:
    """Active staff holding one of ``roles`` at the hub, by name."""
    holders = select(StaffRole.user_id).where(
        StaffRole.hub_id == hub_id, StaffRole.role.in_([str(r) for r in roles])
    )
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.id.in_(holders), StaffUser.active.is_(True))
            .order_by(StaffUser.name)
        )
    )


def duty_managers(hub_id: int, day: date) -> list[StaffUser]:
    """Who is told when something waits too long: the day's duty manager(s), or,
    with nobody on the manager rota, the hub's managers, so an escalation never
    goes to no one."""
    return duty_staff(hub_id, day, Duty.MANAGER) or staff_at(hub_id, (Role.MANAGER,))


def set_duty(hub_id: int, day: date, duty: str, staff_ids: Iterable[int]) -> list[StaffUser]:
    """Put exactly ``staff_ids`` on ``duty`` at the hub that day (replacing who was)."""
    if duty not in tuple(Duty):
        raise ServiceError("unknown_duty", field="duty")
    wanted = set(staff_ids)
    roles = (Role.MANAGER,) if duty == Duty.MANAGER else (Role.PRACTITIONER, Role.SESSION_LEAD)
    allowed = {s.id for s in staff_at(hub_id, roles)}
    if wanted - allowed:
        raise ServiceError("not_staff_here", field="staff")
    # Through the ORM, row by row, so every worker hears the rota changed
    # (``frontdoor.remembered``); flushed before the new rows, which may be the same.
    for row in db.session.scalars(
        select(DutyAssignment).where(
            DutyAssignment.hub_id == hub_id, DutyAssignment.day == day, DutyAssignment.duty == duty
        )
    ):
        db.session.delete(row)
    db.session.flush()
    for staff_id in sorted(wanted):
        db.session.add(DutyAssignment(hub_id=hub_id, day=day, staff_id=staff_id, duty=duty))
    db.session.flush()
    return duty_staff(hub_id, day, duty)


def best_matches(
    candidates: list[StaffUser], *, language: str = "", topic: str = ""
) -> list[StaffUser]:
    """Those who speak the family's language and know the topic, where staff said;
    everyone on duty when nobody matches."""

    def score(person: StaffUser) -> int:
        return (2 if language and language in (person.languages or []) else 0) + (
            1 if topic and topic in (person.skills or []) else 0
        )

    best = max((score(p) for p in candidates), default=0)
    return [p for p in candidates if score(p) == best] if best else list(candidates)


def welcomed_by_lead(visit: Visit) -> bool:
    """A drop-in family at a session whose series says "the lead welcomes the
    room": the lead greets them with the room, so the board shows them on one card
    for the session and they never escalate one by one. A family here for the first
    time still comes to someone by name (as does every help request)."""
    return (
        visit.kind == VisitKind.DROP_IN
        and visit.first_time is not True
        and visit.session is not None
        and visit.session.series.lead_welcomes_room
        and bool(visit.session.series.leads)
    )


def greeters_for(row: Visit | HelpRequest, rota: DutyRota) -> list[StaffUser]:
    """Who should greet them: an appointment's practitioner; a booked session's
    lead, or a drop-in session's lead where the lead welcomes the room; for other
    drop-ins, walk-ins and help requests today's duty practitioners (those who
    speak their language and know the topic, where staff said), or, with nobody on
    duty, the drop-in session's lead. Empty: anyone may."""
    if isinstance(row, HelpRequest):
        return best_matches(rota.practitioners, language=row.language, topic=row.topic)
    if row.booking is not None and row.booking.appointment is not None:
        return [row.booking.appointment.practitioner]
    if row.kind == VisitKind.BOOKING and (leads := _leads(row)):
        return leads
    if welcomed_by_lead(row):
        return _leads(row)
    if duty := rota.practitioners:
        return best_matches(duty, language=row.language)
    return _leads(row)


def _leads(visit: Visit) -> list[StaffUser]:
    return list(visit.session.series.leads) if visit.session is not None else []


def greeter_to_name(greeters: Sequence[StaffUser]) -> str | None:
    """Whom the kiosk promises the family, by first name: the one person who
    should greet them. None ("a member of the team") when any of several, or
    anyone, may: the screen never names one while the board asks for another."""
    return greeters[0].name.split()[0] if len(greeters) == 1 else None
