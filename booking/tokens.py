"""Signed tokens for QR check-in and manage links, one salt per purpose.

A token carries the booking id and its reference; it is useless once the
booking is cancelled (the reference no longer matches a live booking) and a
manage token stops working when the session is over.
"""

from __future__ import annotations

from datetime import datetime

# The tokens themselves are made and read by ``frontdoor.tokens``; these are
# the booking's purposes (salts).

CHECK_IN = "frontdoor.check-in"
MANAGE = "frontdoor.manage"
# The "stop reminders" link in every reminder; it lasts a while after the session.
STOP_REMINDERS = "frontdoor.stop-reminders"
STOP_REMINDERS_DAYS = 90


def manage_link_expired(session_end: datetime, now: datetime) -> bool:
    return now >= session_end
