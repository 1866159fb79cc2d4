"""Introducing a family to a colleague in the hub: who may be introduced to, and
what the colleague sees on their own list.

- A colleague is active staff who greets families (practitioner, session lead or
  manager) at the connection's hub, and never the person making it.
- Nothing is emailed: the introduction waits on the colleague's own list with
  exactly what the family agreed to share, so they need not tell their story twice.

Making the connection (consent, what is shared) and the colleague's answer ("I'll see
them"; the first answer stands) are in ``services``. Plain functions that only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from arrivals.greeters import staff_at
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Connection,
    ConnectionStatus,
    HelpRequest,
    Role,
    StaffUser,
    Visit,
)

# Who may be introduced to: the people who greet families, not reception.
GREETING_ROLES = (Role.PRACTITIONER, Role.SESSION_LEAD, Role.MANAGER)
# Not answered yet: the colleague still has to say "I'll see them".
TO_SEE = (ConnectionStatus.SENT, ConnectionStatus.OPENED)


def colleagues_to_connect(hub_id: int, staff_id: int) -> list[StaffUser]:
    """The colleagues at a hub a member of staff may introduce a family to, by name."""
    return [person for person in staff_at(hub_id, GREETING_ROLES) if person.id != staff_id]


def greeting_roles(person: StaffUser, hub_id: int) -> list[Role]:
    """A colleague's greeting roles at a hub, most senior first."""
    held = person.roles_at(hub_id)
    return [role for role in Role if role in GREETING_ROLES and role in held]


def colleague_for(hub_id: int, staff_id: int, to_staff_id: int) -> StaffUser:
    """The colleague a connection at ``hub_id`` may go to; else ``colleague_is_you``
    or ``colleague_not_here`` (not active greeting staff at that hub)."""
    if to_staff_id == staff_id:
        raise ServiceError("colleague_is_you", field="to_staff")
    for person in colleagues_to_connect(hub_id, staff_id):
        if person.id == to_staff_id:
            return person
    raise ServiceError("colleague_not_here", field="to_staff")


# --- the colleague's own list ---------------------------------------------------------------


@dataclass(frozen=True)
class Introduction:
    """One family introduced to a member of staff, as their own list shows it."""

    connection: Connection
    family: str  # first name and last initial
    introduced_by: str
    came_from: str  # the visit or help request it started from
    came_at: datetime

    @property
    def seen_to(self) -> bool:
        return self.connection.status == ConnectionStatus.ACCEPTED


def _family(connection: Connection, visit: Visit | None) -> str:
    """The first name the family agreed to share, with the visit's last initial."""
    initial = f" {visit.last_name[:1]}." if visit is not None and visit.last_name else ""
    return f"{connection.shared_first_name}{initial}"


def _introduction(connection: Connection) -> Introduction:
    visit = db.session.get(Visit, connection.visit_id) if connection.visit_id else None
    asked = (
        db.session.get(HelpRequest, connection.help_request_id)
        if connection.help_request_id
        else None
    )
    came_at = visit.arrived_at if visit else asked.created_at if asked else connection.created_at
    return Introduction(
        connection=connection,
        family=_family(connection, visit),
        introduced_by=connection.made_by.short_name,
        came_from="A visit" if visit else "A help request",
        came_at=came_at,
    )


def introduced_to(
    staff_id: int, hub_id: int | None = None, *, to_see_only: bool = False
) -> list[Introduction]:
    """Families introduced to a member of staff (at one hub, or all), newest first:
    still to see and (unless ``to_see_only``) seen to; a withdrawn one has gone."""
    shown = TO_SEE if to_see_only else (*TO_SEE, ConnectionStatus.ACCEPTED)
    query = (
        select(Connection)
        .where(Connection.to_staff_id == staff_id, Connection.status.in_(shown))
        .order_by(Connection.created_at.desc(), Connection.id.desc())
    )
    if hub_id is not None:
        query = query.where(Connection.hub_id == hub_id)
    return [_introduction(c) for c in db.session.scalars(query)]
