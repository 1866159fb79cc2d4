"""What families are told about their bookings, queued in the outbox.

The payload holds what the message needs, fixed at the time of the event;
the dispatcher renders it in the family's language and adds signed links.
"""

from __future__ import annotations

from datetime import datetime

from frontdoor.models import Booking, Session
from frontdoor.outbox import queue_message
from frontdoor.translated import in_language

TEMPLATES = (
    "booked",
    "waiting",
    "promoted",
    "cancelled",
    "moved",
    "session_cancelled",
    "session_moved",
    "reminder",
)


def queue_booking_message(
    booking: Booking,
    template: str,
    *,
    now: datetime,
    reason: str = "",
    event: str = "",
    new_booking: bool = False,
) -> int:
    """One message per channel the family gave; returns how many were newly queued
    (a message whose key is already in the outbox is not queued again; for a
    ``new_booking``, made in this transaction, there can be none)."""
    assert template in TEMPLATES, template
    # A booking is of a session or of an appointment: the same message either way,
    # and for an appointment the practitioner's first name too.
    extra = {}
    happening = booking.occasion
    if isinstance(happening, Session):
        title = in_language(happening.series, "title", booking.language or "en")
        extra["delivery"] = happening.series.delivery
    else:
        title = happening.type.name
        extra["practitioner"] = (happening.practitioner.name.split() or [""])[0]
    payload = {
        "reference": booking.reference,
        "first_name": booking.first_name,
        "title": title,
        "hub": happening.hub.name,
        "room": happening.room.name if happening.room else "",
        "starts_at": happening.starts_at.isoformat(),
        "ends_at": happening.ends_at.isoformat(),
        "people": booking.people,
        "reason": reason,
        **extra,
    }
    queued = 0
    for channel, recipient in (("email", booking.email), ("sms", booking.mobile)):
        if not recipient:
            continue
        suffix = f":{event}" if event else ""
        message = queue_message(
            key=f"booking:{booking.id}:{template}{suffix}:{channel}",
            channel=channel,
            recipient=recipient,
            template=template,
            language=booking.language,
            payload=payload,
            now=now,
            hub_id=happening.hub_id,
            booking_id=booking.id,
            new_key=new_booking,
        )
        queued += message.id is None  # new: not flushed yet
    return queued
