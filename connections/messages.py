"""The partner's email, in English: a family has been introduced, and the link.

It holds nothing about the family: what they agreed to share is only on the
page behind the signed link, which expires and can be withdrawn.

And the emails back to staff (``outcomes``, ``chasing``): a decline with its
reason, no answer in time (to the practitioner, then the duty manager), and a
partner's email that could not be delivered. They name the service and the day
the connection was made, never the family: an email is not a staff screen.
"""

from __future__ import annotations

from connections.chasing import partner_gave_up
from connections.services import LINK_DAYS, TEMPLATE, partner_link_token
from frontdoor.models import OutboxMessage
from frontdoor.outbox import Links, Rendered, register_template


def connection_link(links: Links, connection_id: int, link_ref: str) -> str:
    token = partner_link_token(links.secret_key, connection_id, link_ref)
    return links.url(f"/partners/connections/{token}")


def render_connection_request(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    hello = f"Hello {payload['contact']}," if payload.get("contact") else "Hello,"
    parts = [
        hello,
        f"{payload['hub']} family hub would like to introduce a family to "
        f"{payload['service']}. The family agreed to this and to what we share with you.",
        "Open the link to see what they agreed to share, then accept (and say when you "
        "will make contact) or decline (and say why). No account is needed:",
        connection_link(links, payload["connection_id"], payload["link_ref"]),
    ]
    if payload.get("through_hub"):
        where = f" ({payload['hub_address']})" if payload.get("hub_address") else ""
        parts.append(
            f"The family gave no contact details: please reach them through "
            f"{payload['hub']} family hub{where}."
        )
    parts.append(f"The link works for {LINK_DAYS} days unless the hub withdraws it.")
    return Rendered(f"A family introduced to {payload['service']}", "\n\n".join(parts))


MINE = "/admin/connections/mine"


def _introduction(payload: dict) -> str:
    return (
        f"the introduction you made on {payload['made_on']} to {payload['service']} "
        f"({payload['partner']})"
    )


def render_declined(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    body = "\n\n".join(
        [
            f"The partner declined {_introduction(payload)}. Their reason:",
            payload["reason"],
            "You may want to find the family another service: " + links.url(MINE),
        ]
    )
    return Rendered(f"Declined: {payload['service']}", body)


def render_overdue(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    body = "\n\n".join(
        [
            f"The partner has not answered {_introduction(payload)} in "
            f"{payload['days']} working days.",
            "You may want to phone them, or withdraw it and find the family another "
            "service: " + links.url(MINE),
        ]
    )
    return Rendered(f"No answer yet: {payload['service']}", body)


def render_escalated(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    body = "\n\n".join(
        [
            f"{payload['made_by']} at {payload['hub']} introduced a family to "
            f"{payload['service']} ({payload['partner']}) on {payload['made_on']}. The "
            f"partner has not answered in {payload['days']} working days.",
            f"{payload['made_by']} was told after half that time. Please check the family "
            "is not left without help.",
        ]
    )
    return Rendered(f"{payload['hub']}: an introduction with no answer", body)


def render_undelivered(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    parts = [
        f"The partner's email about {_introduction(payload)} could not be delivered, "
        "so they do not know about the family.",
    ]
    if payload.get("phone"):
        who = payload.get("contact") or payload["partner"]
        parts.append(f"You could phone {who} on {payload['phone']}.")
    parts.append(
        "Or withdraw it and find the family another service, and ask a manager to "
        "correct the partner's email address: " + links.url(MINE)
    )
    return Rendered(f"Not delivered: {payload['service']}", "\n\n".join(parts))


def register() -> None:
    register_template(TEMPLATE, render_connection_request, gave_up=partner_gave_up)
    register_template("connection_declined", render_declined)
    register_template("connection_overdue", render_overdue)
    register_template("connection_escalated", render_escalated)
    register_template("connection_undelivered", render_undelivered)
