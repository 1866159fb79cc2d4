"""The cards on the arrivals board, and the order they are shown in.

``board_order`` is the one answer to "what does reception look at first?": urgent
help requests, then other help requests, then families waiting to be greeted, then
those already with staff; oldest first within each. The desk's board and the
reception wall display both show cards in this order (``arrivals.board``).

A series whose lead welcomes the room (``arrivals.greeters.welcomed_by_lead``)
has its drop-in families on one card per session (``room_card``) rather than one
card each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from frontdoor.models import Session, StaffUser, Visit, VisitStatus


@dataclass
class Row:
    subject: str  # "visit", "help", or "room" (a session's families together)
    id: int
    version: int
    status: str
    name: str  # first name and last initial; a room card: the session's title
    what: str
    since: datetime
    waited_seconds: int
    level: int
    greeters: list[StaffUser]
    claimed_by: StaffUser | None
    adults: int = 0
    children: int = 0
    language: str = "en"
    first_time: bool | None = None
    urgent: bool = False
    private_room: bool = False
    room: str | None = None
    families: int = 0  # a room card: families checked in to the session
    first_timers: int = 0  # a room card: of them, here for the first time

    @property
    def greeter_ids(self) -> list[int]:
        return [s.id for s in self.greeters]

    @property
    def key(self) -> str:
        return f"{self.subject}-{self.id}"


class Place(IntEnum):
    """Where a card stands on the board, first to last."""

    URGENT_HELP = 0
    HELP = 1
    WAITING = 2
    WITH_STAFF = 3


def place_of(row: Row) -> Place:
    if row.status != VisitStatus.WAITING:
        return Place.WITH_STAFF
    if row.subject == "help":
        return Place.URGENT_HELP if row.urgent else Place.HELP
    return Place.WAITING


def board_order(rows: Iterable[Row]) -> list[Row]:
    """Cards in the order reception reads them (see the module's docstring)."""
    return sorted(rows, key=lambda row: (place_of(row), row.since, row.subject, row.id))


def room_card(
    session: Session,
    visits: Sequence[Visit],
    *,
    waiting: Sequence[Visit],
    now: datetime,
    room: str | None,
) -> Row:
    """One card for a session whose lead welcomes the room: how many families are
    in (``visits``, first-timers too), how many came for the first time, and the
    lead to welcome them. It stands with the waiting since the earliest of
    ``waiting`` (the families it stands for) and never turns amber or red:
    first-timers have cards of their own that do."""
    arrived = min((v.arrived_at for v in waiting), default=now)
    return Row(
        subject="room",
        id=session.id,
        version=0,
        status=VisitStatus.WAITING,
        name=session.series.title,
        what=session.series.title,
        since=arrived,
        waited_seconds=max(int((now - arrived).total_seconds()), 0),
        level=0,
        greeters=list(session.series.leads),
        claimed_by=None,
        adults=sum(v.adults for v in visits),
        children=sum(v.children for v in visits),
        room=room,
        families=len(visits),
        first_timers=sum(1 for v in visits if v.first_time),
    )
