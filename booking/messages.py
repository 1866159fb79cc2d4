"""What families are told about their bookings, queued in the outbox.

The payload holds what the message needs, fixed at the time of the event;
the dispatcher renders it in the family's language and adds signed links.
"""

from __future__ import annotations

from datetime import datetime

from frontdoor.models import Booking
from frontdoor.outbox import queue_message

TEMPLATES = ("booked", "waiting", "promoted", "cancelled", "moved", "session_cancelled")


def queue_booking_message(
    booking: Booking, template: str, *, now: datetime, reason: str = "", event: str = ""
) -> int:
    """One message per channel the family gave; returns how many were queued."""
    assert template in TEMPLATES, template
    session = booking.session
    payload = {
        "reference": booking.reference,
        "first_name": booking.first_name,
        "title": session.series.title,
        "hub": session.hub.name,
        "room": session.room.name if session.room else "",
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "people": booking.people,
        "reason": reason,
    }
    queued = 0
    for channel, recipient in (("email", booking.email), ("sms", booking.mobile)):
        if not recipient:
            continue
        suffix = f":{event}" if event else ""
        queue_message(
            key=f"booking:{booking.id}:{template}{suffix}:{channel}",
            channel=channel,
            recipient=recipient,
            template=template,
            language=booking.language,
            payload=payload,
            now=now,
            hub_id=session.hub_id,
            booking_id=booking.id,
        )
        queued += 1
    return queued
