"""The arrivals board's scheduled work, which runs whether or not a board is open:
escalating visits and help requests nobody has greeted in time (and emailing the
duty manager at red), and checking out visits whose session has finished."""

from __future__ import annotations

from datetime import timedelta

from booking.arrivals import check_out_finished, escalate_overdue
from frontdoor.models import OutboxMessage
from frontdoor.outbox import Links, Rendered, register_template
from frontdoor.scheduler import register_job

KINDS = {"visit": "A family who checked in", "help": "Someone who asked to talk to someone"}


def render_waited_too_long(message: OutboxMessage, links: Links) -> Rendered:
    """To the duty manager, in English: where and how long, never who or why."""
    payload = message.payload
    who = KINDS.get(payload.get("kind", ""), "Someone")
    minutes = payload["minutes"]
    body = "\n\n".join(
        [
            f"{who} at {payload['hub']} has waited {minutes} minutes without being greeted.",
            "Open the arrivals board to see who, and send someone: " + links.url("/admin/arrivals"),
        ]
    )
    return Rendered(f"{payload['hub']}: someone has waited {minutes} minutes", body)


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
