"""The family's message when a connection is made: what was arranged and who will
contact them, in their language (the visit's or the help request's), sent the way
they asked to be reached.

Its own module, beside the partner's email (``connections.messages``), so that
``connections.services`` can queue it without an import cycle.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from frontdoor.extensions import db
from frontdoor.models import (
    Connection,
    ConnectionStatus,
    ContactMethod,
    HelpRequest,
    Hub,
    OutboxMessage,
    Visit,
)
from frontdoor.outbox import Links, Rendered, queue_message, register_template

TEMPLATE = "connection_family"

# Only email and text reach a family by message. "Phone" means they asked for a
# call (the number may be a landline, which takes no text), and "through the hub"
# means they gave no details: neither gets a message.
CHANNELS: dict[str, str] = {ContactMethod.EMAIL: "email", ContactMethod.TEXT: "sms"}


def queue_family_message(connection: Connection, now: datetime) -> OutboxMessage | None:
    """Queue the family's message (once) if they gave an email or a number to text."""
    channel = CHANNELS.get(connection.shared_contact_method)
    if channel is None or not connection.shared_contact:
        return None
    source = (
        db.session.get(Visit, connection.visit_id)
        if connection.visit_id is not None
        else db.session.get(HelpRequest, connection.help_request_id)
    )
    hub = db.session.get_one(Hub, connection.hub_id)
    service = connection.service
    return queue_message(
        key=f"connection:{connection.id}:family",
        channel=channel,
        recipient=connection.shared_contact,
        template=TEMPLATE,
        language=source.language if source is not None else "en",
        payload={
            "connection_id": connection.id,
            "first_name": connection.shared_first_name,
            "hub": hub.name,
            # A partner's service; none when a colleague in the hub will see them.
            "service": service.name if service is not None else "",
            "partner": service.partner.name if service is not None else "",
        },
        now=now,
        hub_id=hub.id,
    )


def _arranged(payload: dict) -> tuple[str, str]:
    """(what was arranged, who will contact them), in the family's language."""
    if payload.get("service"):
        return (
            _(
                "As you agreed, we have introduced you to %(service)s (%(partner)s).",
                service=payload["service"],
                partner=payload["partner"],
            ),
            _("%(partner)s will contact you.", partner=payload["partner"]),
        )
    return (
        _("As you agreed, we have asked a colleague at %(hub)s to help you.", hub=payload["hub"]),
        _("Someone from %(hub)s will contact you.", hub=payload["hub"]),
    )


def render_family_message(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    arranged, who = _arranged(payload)
    if message.channel == "sms":
        return Rendered("", f"{payload['hub']}: {arranged} {who}")
    body = "\n\n".join(
        [
            _("Hello %(name)s,", name=payload["first_name"]),
            arranged,
            who,
            _("If you have any questions, ask us at %(hub)s.", hub=payload["hub"]),
        ]
    )
    return Rendered(_("What we arranged for you at %(hub)s", hub=payload["hub"]), body)


def still_wanted(message: OutboxMessage, now: datetime) -> str:
    """Not sent once staff have withdrawn the connection (made by mistake)."""
    connection = db.session.get(Connection, message.payload.get("connection_id"))
    if connection is None:
        return "connection_gone"
    if connection.status == ConnectionStatus.WITHDRAWN:
        return "connection_withdrawn"
    return ""


def register() -> None:
    register_template(TEMPLATE, render_family_message, still_wanted)
