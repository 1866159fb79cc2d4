"""A booking's links: the manage link and the check-in QR code, one salt each.

A token names the booking by its random public id and carries the version of its
links (``frontdoor.tokens.make_link_token``). A cancel or a change bumps the
version (``retire_links``), so a link sent before it no longer opens; and every
link stops ``LINK_GRACE`` after the booking ends. A link that stopped shows
"this link has expired" and how to find the booking again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdoor.models import Booking

# The tokens themselves are made and read by ``frontdoor.tokens``; these are
# the booking's purposes (salts).

CHECK_IN = "frontdoor.check-in"
MANAGE = "frontdoor.manage"
# The "stop reminders" link in every reminder; it lasts a while after the session.
STOP_REMINDERS = "frontdoor.stop-reminders"
STOP_REMINDERS_DAYS = 90
# After the booking ends its link still says "this session has finished" for a
# little while (a family checking on the way home), then it stops altogether.
LINK_GRACE = timedelta(hours=2)


def manage_link_expired(session_end: datetime, now: datetime) -> bool:
    """Over: the page says so and nothing can be changed."""
    return now >= session_end


def link_stopped(booking_end: datetime, now: datetime) -> bool:
    """Past the grace after the end: the link opens nothing at all."""
    return now >= booking_end + LINK_GRACE


def retire_links(booking: Booking) -> None:
    """A cancel or a change: the links sent so far stop opening. Messages render
    their link when sent, so the next message carries the new one."""
    booking.link_version = (booking.link_version or 1) + 1
