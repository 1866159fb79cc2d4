""" "Send me this by text": a service's details, in the family's language, to a
mobile number they type on the kiosk or on their phone.

The one rule for both faces lives in ``text_service``: only a service families may
see; a mobile from any country (``frontdoor.contact.normalise_mobile``, the rule booking texts
use: a landline cannot take a text); one message per press of the form, however
often it is pressed (the form's nonce is the message's key); and a limit per kiosk
and per browser (``frontdoor.throttle``). The number is kept only until the
message is sent or given up on: the template forgets its recipient, so the
dispatcher erases it (``frontdoor.outbox``). Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from directory.services import service_for_families
from frontdoor.contact import normalise_mobile
from frontdoor.errors import ServiceError
from frontdoor.fields import new_nonce
from frontdoor.models import OutboxMessage
from frontdoor.outbox import Links, Rendered, queue_message, queued, register_template
from frontdoor.throttle import take_a_try

TEMPLATE = "service_text"
WINDOW = timedelta(hours=1)
# A kiosk is shared by every family in the foyer, so it may send more than one phone.
KIOSK_TEXTS = 30
BROWSER_TEXTS = 5
# Partners write as much as they like; a text stays a few parts long.
LONGEST_PART = 300


@dataclass(frozen=True)
class Sender:
    """Who asks for the text, for the limit: a kiosk, or one browser's session."""

    source: str
    limit: int


def from_kiosk(kiosk_id: int) -> Sender:
    return Sender(f"service_text|kiosk|{kiosk_id}", KIOSK_TEXTS)


def from_browser(browser_ref: str) -> Sender:
    return Sender(f"service_text|browser|{browser_ref}", BROWSER_TEXTS)


def text_service(
    reference: str,
    typed_mobile: str,
    *,
    sender: Sender,
    language: str,
    nonce: str | None,
    now: datetime,
    organisation_id: int | None = None,
) -> OutboxMessage:
    """Queue the text about the service with public id ``reference``; returns the
    message (the first press's, for a second press of the same form).

    Raises ``not_found`` (not a service families may see, or not the council's
    named by ``organisation_id``), ``invalid_mobile`` or ``too_many_texts``.
    """
    service = service_for_families(reference, now)
    if service is None or (
        organisation_id is not None and service.partner.organisation_id != organisation_id
    ):
        raise ServiceError("not_found")
    mobile = normalise_mobile(typed_mobile)
    key = f"{TEMPLATE}:{nonce or new_nonce()}"
    earlier = queued(key)
    if earlier is not None:  # a second press: the first press's text, not counted again
        return earlier
    if not take_a_try(sender.source, now=now, limit=sender.limit, window=WINDOW):
        raise ServiceError("too_many_texts")
    places = [service.address, service.hub.name if service.hub else ""]
    return queue_message(
        key=key,
        channel="sms",
        recipient=mobile,
        template=TEMPLATE,
        language=language,
        payload={
            "reference": service.oruk_id,
            "name": service.name,
            "how": _shorter(service.application_process),
            "places": [_shorter(place) for place in places if place],
            "online": service.online,
            "when": _shorter(service.schedule_description),
        },
        now=now,
        hub_id=service.hub_id,
    )


def _shorter(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_PART else text[: LONGEST_PART - 1].rstrip() + "…"


# --- the words ------------------------------------------------------------------------------


def render_service_text(message: OutboxMessage, links: Links) -> Rendered:
    """The text, in the family's language; the service's own words as its partner
    wrote them (in English)."""
    payload = message.payload
    where = [*payload.get("places", []), *([_("Online")] if payload.get("online") else [])]
    lines = [
        _("From your family hub: %(name)s", name=payload["name"]),
        _("How to get help from them: %(how)s", how=payload["how"]) if payload.get("how") else "",
        _("Where: %(where)s", where=", ".join(where)) if where else "",
        _("When: %(when)s", when=payload["when"]) if payload.get("when") else "",
        _("More: %(link)s", link=links.url(f"/book/support/services/{payload['reference']}")),
    ]
    return Rendered(payload["name"], "\n\n".join(line for line in lines if line))


def register() -> None:
    register_template(TEMPLATE, render_service_text, forget_recipient=True)
