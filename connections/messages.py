"""The partner's email, in English: a family has been introduced, and the link.

It holds nothing about the family: what they agreed to share is only on the
page behind the signed link, which expires and can be withdrawn.
"""

from __future__ import annotations

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


def register() -> None:
    register_template(TEMPLATE, render_connection_request)
