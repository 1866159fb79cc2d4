"""The arrivals board's scheduled work, which runs whether or not a board is open:
escalating visits and help requests nobody has greeted in time (and emailing the
duty manager at red), and checking out visits whose session has finished.

Each job is a plain function of ``now``, idempotent (every step is a conditional
UPDATE), leaving the commit to the scheduler."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update

from arrivals.board import OPEN, level_for, since
from arrivals.greeters import DutyRota, duty_managers, greeters_for
from frontdoor.events import publish
from frontdoor.extensions import db, rows_changed
from frontdoor.models import (
    HelpRequest,
    Hub,
    OutboxMessage,
    Session,
    StaffUser,
    Visit,
    VisitStatus,
)
from frontdoor.outbox import Links, Rendered, queue_message, register_template
from frontdoor.scheduler import register_job

KINDS = {"visit": "A family who checked in", "help": "Someone who asked to talk to someone"}


def render_waited_too_long(message: OutboxMessage, links: Links) -> Rendered:
    """To the duty manager, in English: where, how long and which colleague should
    have greeted them, never who the family is or why they came."""
    payload = message.payload
    who = KINDS.get(payload.get("kind", ""), "Someone")
    minutes = payload["minutes"]
    body = "\n\n".join(
        [
            f"{who} at {payload['hub']} has waited {minutes} minutes without being greeted.",
            _who_should_greet(payload),
            "Open the arrivals board to see who, and send someone: " + links.url("/admin/arrivals"),
        ]
    )
    return Rendered(f"{payload['hub']}: someone has waited {minutes} minutes", body)


def _who_should_greet(payload: dict) -> str:
    if payload.get("claimed_by"):
        return f"{payload['claimed_by']} said they would greet them."
    greeters = payload.get("greeters") or []
    if greeters:
        return "To greet them: " + ", ".join(greeters) + "."
    return "Nobody in particular was asked to greet them: anyone on the team may."


def _staff_names(row: Visit | HelpRequest, rota: DutyRota) -> dict[str, object]:
    """Which colleagues the board asks to greet them (the greeter rule's answer),
    and who said they would: staff names only, for the duty manager."""
    claimed = db.session.get(StaffUser, row.claimed_by_id) if row.claimed_by_id else None
    return {
        "greeters": [s.short_name for s in greeters_for(row, rota)],
        "claimed_by": claimed.short_name if claimed else None,
    }


def check_out_finished(now: datetime) -> int:
    """Check out everyone whose session ended more than the hub's grace period ago,
    and, at the end of the hub's day (or on a later day), everyone still checked in
    and every open help request. Safe to run any number of times; returns how many
    visits and help requests it closed."""
    closed = 0
    for hub in db.session.scalars(select(Hub).where(Hub.active.is_(True))):
        settings = hub.settings
        tz = ZoneInfo(hub.timezone)
        local_now = now.astimezone(tz)
        day_start = datetime.combine(local_now.date(), time(0), tz)
        # Visits from an earlier day are always swept; today's after the day ends.
        sweep_before = now if local_now.hour >= settings.day_ends_hour else day_start
        grace = timedelta(minutes=settings.checkout_grace_minutes)
        ended = select(Session.id).where(Session.hub_id == hub.id, Session.ends_at <= now - grace)
        visit_ids = list(
            db.session.scalars(
                select(Visit.id).where(
                    Visit.hub_id == hub.id,
                    Visit.status.in_(OPEN),
                    or_(Visit.session_id.in_(ended), Visit.arrived_at < sweep_before),
                )
            )
        )
        help_ids = list(
            db.session.scalars(
                select(HelpRequest.id).where(
                    HelpRequest.hub_id == hub.id,
                    HelpRequest.status.in_(OPEN),
                    HelpRequest.created_at < sweep_before,
                )
            )
        )
        count = 0
        if visit_ids:
            count += rows_changed(
                update(Visit)
                .where(Visit.id.in_(visit_ids), Visit.status.in_(OPEN))
                .values(
                    status=VisitStatus.LEFT, left_at=now, left_by="auto", version=Visit.version + 1
                )
                .execution_options(synchronize_session=False)
            )
        if help_ids:
            count += rows_changed(
                update(HelpRequest)
                .where(HelpRequest.id.in_(help_ids), HelpRequest.status.in_(OPEN))
                .values(status=VisitStatus.LEFT, closed_at=now, version=HelpRequest.version + 1)
                .execution_options(synchronize_session=False)
            )
        if count:
            publish(hub.id, "checked_out", now=now, count=count)
            closed += count
    return closed


# --- escalation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    subject: str
    id: int
    hub_id: int
    level: int  # 1 amber, 2 red


def escalate_overdue(now: datetime) -> list[Escalation]:
    """Turn amber everyone not greeted within the hub's N minutes, and red at 2N
    (urgent help requests: red after 2 minutes), publishing an event each time
    (boards re-alert) and, at red, alerting the hub's duty manager(s) by message.

    Idempotent: each step is a conditional UPDATE (``escalation < level`` and
    still waiting), so running it twice at once, or again later, acts once."""
    done: list[Escalation] = []
    for hub in db.session.scalars(select(Hub).where(Hub.active.is_(True))):
        minutes = hub.settings.greeting_escalation_minutes
        rota = DutyRota(hub, now)
        amber_before = now - timedelta(minutes=minutes)
        for model, began in ((Visit, Visit.arrived_at), (HelpRequest, HelpRequest.created_at)):
            extra = []
            if model is HelpRequest:
                extra = [or_(began <= amber_before, HelpRequest.urgent.is_(True))]
            else:
                extra = [began <= amber_before]
            candidates = cast(
                Sequence[Visit | HelpRequest],
                db.session.scalars(
                    select(model).where(
                        model.hub_id == hub.id,
                        model.status == VisitStatus.WAITING,
                        model.escalation < 2,
                        *extra,
                    )
                ).all(),
            )
            for row in candidates:
                level = level_for(row, now, minutes)
                if level <= row.escalation:
                    continue
                changed = rows_changed(
                    update(model)
                    .where(
                        model.id == row.id,
                        model.escalation < level,
                        model.status == VisitStatus.WAITING,
                    )
                    .values(escalation=level, escalated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if changed != 1:
                    continue  # another run (or a greeting) got there first
                subject = "visit" if model is Visit else "help"
                managers = duty_managers(hub.id, rota.day) if level == 2 else []
                greeting = _staff_names(row, rota) if managers else {}
                publish(
                    hub.id,
                    "escalated",
                    now=now,
                    subject=subject,
                    id=row.id,
                    level=level,
                    managers=[m.id for m in managers],
                )
                for manager in managers:
                    queue_message(
                        key=f"escalation:{subject}:{row.id}:{level}:{manager.id}",
                        channel="email",
                        recipient=manager.email,
                        template="waited_too_long",
                        language="en",
                        # No family's name or topic: where, for how long, and
                        # which colleague should greet them.
                        payload={
                            "hub": hub.name,
                            "minutes": int((now - since(row)).total_seconds() // 60),
                            "kind": subject,
                            **greeting,
                        },
                        now=now,
                        hub_id=hub.id,
                    )
                done.append(Escalation(subject, row.id, hub.id, level))
    return done


def register() -> None:
    register_template("waited_too_long", render_waited_too_long)
    register_job(
        "arrivals.escalate",
        escalate_overdue,
        every=timedelta(minutes=1),
        description="Escalate people nobody has greeted: amber, then red (duty manager told)",
    )
    register_job(
        "arrivals.check_out",
        check_out_finished,
        every=timedelta(minutes=5),
        description="Check out visits whose session has finished, and everyone at the day's end",
    )
