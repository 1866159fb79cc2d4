"""Nobody falls through the cracks: a connection the partner has not answered goes
back to the practitioner who made it after the hub's N working days
(``HubSettings.connection_chase_working_days``; weekends and bank holidays in
England not counted), and to the hub's duty manager after 2N. A partner's email
the outbox gave up on goes back to the practitioner at once (``partner_gave_up``).

Each step happens once per connection: a conditional UPDATE on ``chased_at`` /
``escalated_at`` claims it, and the outbox keys are idempotent too, so running the
job twice, late or at once does no harm. The scheduler commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute

from arrivals.greeters import duty_managers, local_day
from connections.outcomes import about, tell_practitioner
from frontdoor.events import publish
from frontdoor.extensions import db, rows_changed
from frontdoor.models import (
    Connection,
    ConnectionStatus,
    Hub,
    OutboxMessage,
    StaffUser,
)
from frontdoor.outbox import queue_message
from frontdoor.scheduler import register_job
from frontdoor.working_days import add_working_days

# Waiting for the partner: sent, or opened and not answered.
UNANSWERED = (ConnectionStatus.SENT, ConnectionStatus.OPENED)


@dataclass(frozen=True)
class Deadlines:
    back_to_practitioner: datetime
    to_duty_manager: datetime


def deadlines(connection: Connection, days: int, tz: ZoneInfo) -> Deadlines:
    """When an unanswered connection goes back: N and 2N working days after it was
    made, at the same time of day at the hub."""
    made = connection.created_at.astimezone(tz)
    return Deadlines(add_working_days(made, days), add_working_days(made, 2 * days))


def _claim(connection_id: int, stage: InstrumentedAttribute, now: datetime) -> bool:
    """Mark one stage done, if it is not yet and the partner still has not answered."""
    changed = rows_changed(
        update(Connection)
        .where(
            Connection.id == connection_id,
            stage.is_(None),
            Connection.status.in_(UNANSWERED),
        )
        .values({stage: now})
        .execution_options(synchronize_session=False)
    )
    return changed == 1


def chase_unanswered(now: datetime) -> dict[str, int]:
    """The scheduled job: every unanswered connection past a deadline goes back,
    once per stage. Returns how many went to practitioners and to duty managers."""
    done = {"chased": 0, "escalated": 0}
    for hub in db.session.scalars(select(Hub)):
        days = hub.settings.connection_chase_working_days
        tz = ZoneInfo(hub.timezone)
        # N working days are at least N calendar days: nothing younger can be due.
        candidates = db.session.scalars(
            select(Connection).where(
                Connection.hub_id == hub.id,
                Connection.status.in_(UNANSWERED),
                Connection.escalated_at.is_(None),
                Connection.created_at <= now - timedelta(days=days),
            )
        ).all()
        for connection in candidates:
            due = deadlines(connection, days, tz)
            went_back = now >= due.back_to_practitioner and _claim(
                connection.id, Connection.chased_at, now
            )
            if went_back:
                tell_practitioner(connection, "connection_overdue", now, days=days)
                done["chased"] += 1
            went_up = now >= due.to_duty_manager and _claim(
                connection.id, Connection.escalated_at, now
            )
            if went_up:
                _tell_duty_managers(connection, hub, 2 * days, now)
                done["escalated"] += 1
            if went_back or went_up:
                publish(hub.id, "connection", now=now, connection_id=connection.id,
                        status=connection.status)  # fmt: skip
    return done


def _tell_duty_managers(connection: Connection, hub: Hub, days: int, now: datetime) -> None:
    """Which practitioner, which partner, how long: never the family's name."""
    made_by = db.session.get(StaffUser, connection.made_by_id)
    for manager in duty_managers(hub.id, local_day(hub, now)):
        queue_message(
            key=f"connection_escalated:{connection.id}:{manager.id}",
            channel="email",
            recipient=manager.email,
            template="connection_escalated",
            language="en",
            payload={
                **about(connection),
                "hub": hub.name,
                "days": days,
                "made_by": made_by.short_name if made_by else "",
            },
            now=now,
            hub_id=hub.id,
        )


def partner_gave_up(message: OutboxMessage, now: datetime) -> None:
    """The outbox gave up on a partner's email (the address bounced, or the provider
    stayed down): the practitioner who made the connection is told, by email and on
    My connections (``outcomes.undelivered``)."""
    connection = db.session.get(Connection, message.payload.get("connection_id", 0))
    if connection is None:
        return
    service = connection.service
    tell_practitioner(
        connection,
        "connection_undelivered",
        now,
        contact=service.partner.contact_name if service else "",
        phone=service.partner.contact_phone if service else "",
    )
    publish(connection.hub_id, "connection", now=now, connection_id=connection.id,
            status=connection.status)  # fmt: skip


def register() -> None:
    register_job(
        "connections.chase",
        chase_unanswered,
        every=timedelta(minutes=15),
        description="Send unanswered introductions back to the practitioner, then the duty manager",
    )
