"""Help requests: "I'd like to talk to someone", from the kiosk or the desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from frontdoor.errors import ServiceError
from frontdoor.events import publish
from frontdoor.extensions import db
from frontdoor.models import HelpRequest
from frontdoor.topics import TOPICS


def request_help(
    hub_id: int,
    *,
    topic: str,
    now: datetime,
    first_name: str = "",
    language: str = "en",
    private_room: bool = False,
    urgent: bool = False,
    nonce: str | None = None,
    kiosk_id: int | None = None,
) -> HelpRequest:
    """Ask for a practitioner. A double tap (same nonce) returns the first request."""
    if nonce and (earlier := db.session.scalar(select(HelpRequest).filter_by(nonce=nonce))):
        return earlier
    if topic not in TOPICS:
        raise ServiceError("unknown_topic", field="topic")
    if len(first_name.strip()) > 100:
        raise ServiceError("name_too_long", field="first_name")
    request = HelpRequest(
        hub_id=hub_id,
        topic=topic,
        first_name=first_name.strip(),
        language=language,
        private_room=private_room,
        urgent=urgent,
        created_at=now,
        nonce=nonce,
        kiosk_id=kiosk_id,
    )
    db.session.add(request)
    db.session.flush()
    publish(hub_id, "help.requested", now=now, subject="help", id=request.id, urgent=urgent)
    return request
