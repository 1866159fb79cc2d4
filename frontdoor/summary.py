"""The daily summary email to each hub's managers: yesterday in numbers, and any
message that could not be sent (so a failure is seen by a person)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from frontdoor import clock, counting
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    HelpRequest,
    Hub,
    MessageStatus,
    OutboxMessage,
    Role,
    Session,
    StaffRole,
    StaffUser,
    Visit,
)
from frontdoor.outbox import Links, Rendered, queue_message, register_template

TEMPLATE = "daily_summary"


def hub_day_counts(hub_id: int, day) -> dict[str, int]:
    start, end = counting.day_bounds(day)

    def count(model, when, *where) -> int:
        return (
            db.session.scalar(
                select(func.count()).select_from(model).where(when >= start, when < end, *where)
            )
            or 0
        )

    return {
        "arrivals": count(Visit, Visit.arrived_at, Visit.hub_id == hub_id, counting.arrived()),
        "no_shows": count(Visit, Visit.arrived_at, Visit.hub_id == hub_id, counting.no_show()),
        "help_requests": count(HelpRequest, HelpRequest.created_at, HelpRequest.hub_id == hub_id),
        "sessions": count(Session, Session.starts_at, Session.hub_id == hub_id),
        "bookings_made": db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .join(Session, Booking.session_id == Session.id)
            .where(
                Session.hub_id == hub_id,
                Booking.created_at >= start,
                Booking.created_at < end,
                counting.booked(),
            )
        )
        or 0,
        "messages_not_sent": db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.hub_id == hub_id,
                OutboxMessage.status.in_([MessageStatus.FAILED, MessageStatus.DEAD]),
            )
        )
        or 0,
    }


def queue_daily_summaries(now: datetime) -> dict[str, int]:
    """Yesterday's summary to every active manager of every active hub, once each."""
    day = clock.local(now).date() - timedelta(days=1)
    queued = 0
    for hub in db.session.scalars(select(Hub).where(Hub.active.is_(True)).order_by(Hub.id)):
        managers = db.session.scalars(
            select(StaffUser)
            .join(StaffRole, StaffRole.user_id == StaffUser.id)
            .where(
                StaffRole.hub_id == hub.id,
                StaffRole.role == Role.MANAGER,
                StaffUser.active.is_(True),
            )
            .distinct()
        ).all()
        if not managers:
            continue
        counts = hub_day_counts(hub.id, day)
        for manager in managers:
            key = f"summary:{hub.id}:{day.isoformat()}:{manager.id}"
            message = queue_message(
                key=key,
                channel="email",
                recipient=manager.email,
                template=TEMPLATE,
                language="en",
                payload={"hub": hub.name, "day": day.isoformat(), "counts": counts},
                now=now,
                hub_id=hub.id,
            )
            queued += message.id is None
        db.session.flush()
    return {"queued": queued}


LABELS = {
    "arrivals": "Arrivals (check-ins and drop-ins)",
    "no_shows": "Booked but did not come",
    "help_requests": "Asked to talk to someone",
    "sessions": "Sessions",
    "bookings_made": "Bookings made",
    "messages_not_sent": "Messages that could not be sent (see Outbox)",
}


def render_summary(message: OutboxMessage, links: Links) -> Rendered:
    """Staff-facing, in English."""
    payload = message.payload
    day = datetime.fromisoformat(payload["day"]).strftime("%A %-d %B %Y")
    lines = [f"{LABELS.get(name, name)}: {value}" for name, value in payload["counts"].items()]
    body = "\n".join(
        [
            f"{payload['hub']}, {day}",
            "",
            *lines,
            "",
            f"The staff side: {links.url('/admin/')}",
        ]
    )
    return Rendered(f"{payload['hub']}: summary for {day}", body)


def register() -> None:
    register_template(TEMPLATE, render_summary)
