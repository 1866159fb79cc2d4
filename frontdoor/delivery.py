"""Where a session runs: in person, online, or both at once (hybrid), and the rules
for its joining link. Checked with the rest of a series (``frontdoor.timetable``).

The link goes only to families with a place, in their confirmation and reminders
(``booking.message_text``), so a session that runs online takes bookings; one that
runs only online has no room, and no drop-ins (``booking.availability.in_person``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from frontdoor.errors import ServiceError
from frontdoor.models import BookingMode, Delivery
from frontdoor.models.timetable import JOINING_LINK_MAX


def delivery_problems(
    delivery: str, joining_link: str, *, room_id: int | None, booking_mode: str
) -> list[ServiceError]:
    """Every rule where a series runs breaks, each with the field it belongs to."""
    if delivery not in tuple(Delivery):
        return [ServiceError("unknown_delivery", field="delivery")]
    if delivery == Delivery.IN_PERSON:
        return []
    problems: list[ServiceError] = []
    link = joining_link.strip()
    if not link:
        problems.append(ServiceError("joining_link_required", field="joining_link"))
    elif len(link) > JOINING_LINK_MAX:
        problems.append(
            ServiceError("joining_link_too_long", field="joining_link", limit=JOINING_LINK_MAX)
        )
    elif not is_https_link(link):
        problems.append(ServiceError("joining_link_https", field="joining_link"))
    if delivery == Delivery.ONLINE:
        if room_id is not None:
            problems.append(ServiceError("online_no_room", field="room_id"))
        if booking_mode != BookingMode.BOOKING:
            problems.append(ServiceError("online_booking_only", field="booking_mode"))
    elif booking_mode == BookingMode.DROP_IN:
        problems.append(ServiceError("hybrid_needs_booking", field="booking_mode"))
    return problems


def is_https_link(text: str) -> bool:
    """An address a family's phone opens safely: https, a host with a dot, nothing
    hidden (no spaces or control characters, no name and password before the host)."""
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port that is not a number, a broken IPv6 host
        return False
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and "@" not in parts.netloc and port_ok
