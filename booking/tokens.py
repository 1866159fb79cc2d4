"""Signed tokens for QR check-in and manage links, one salt per purpose.

A token carries the booking id and its reference; it is useless once the
booking is cancelled (the reference no longer matches a live booking) and a
manage token stops working when the session is over.
"""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

# The timed tokens (the "stop reminders" link) are the shared kind.

CHECK_IN = "frontdoor.check-in"
MANAGE = "frontdoor.manage"
# The "stop reminders" link in every reminder; it lasts a while after the session.
STOP_REMINDERS = "frontdoor.stop-reminders"
STOP_REMINDERS_DAYS = 90


def _serializer(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=purpose)


def make_token(secret_key: str, purpose: str, booking_id: int, reference: str) -> str:
    return _serializer(secret_key, purpose).dumps([booking_id, reference])


def read_token(secret_key: str, purpose: str, token: str) -> tuple[int, str] | None:
    """(booking id, reference) from a genuine token of this purpose, else None."""
    try:
        booking_id, reference = _serializer(secret_key, purpose).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(booking_id, int) or not isinstance(reference, str):
        return None
    return booking_id, reference


def manage_link_expired(session_end: datetime, now: datetime) -> bool:
    return now >= session_end
