"""Finding a family's booking from what they know: its reference and the email or
mobile it was made with (the public site's "find my booking", throttled per
address), and turning reminders off from a reminder's own link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from booking.references import read_reference
from frontdoor.errors import ServiceError
from frontdoor.extensions import db, rows_changed
from frontdoor.models import LIVE_STATUSES, Booking
from frontdoor.throttle import take_a_try


def find_booking(reference: str, contact: str) -> Booking | None:
    """A booking by its reference and the email or mobile it was made with.

    Whatever is wrong, the answer is the same None, so it tells a guesser nothing.
    """
    from frontdoor.contact import normalise_email, normalise_mobile

    booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
    if booking is None or not contact.strip():
        return None
    try:
        if "@" in contact:
            matches = booking.email.lower() == normalise_email(contact).lower()
        else:
            matches = booking.mobile == normalise_mobile(contact)
    except ServiceError:
        return None
    return booking if matches and booking.email + booking.mobile else None


# Finding a booking from the public site: at most this many tries per address.
FIND_ATTEMPTS = 10
FIND_WINDOW = timedelta(minutes=15)


def find_booking_from(
    address: str, reference: str, contact: str, *, now: datetime
) -> Booking | None:
    """``find_booking`` for a family typing their details, tried at most
    ``FIND_ATTEMPTS`` times in ``FIND_WINDOW`` from one address.

    Every try is counted (``frontdoor.throttle``, by a hash of the address) so the
    limit holds across processes; raises ``too_many_attempts`` once it is reached.
    The reference is read leniently.
    """
    if not take_a_try(f"find|{address}", now=now, limit=FIND_ATTEMPTS, window=FIND_WINDOW):
        raise ServiceError("too_many_attempts")
    typed = read_reference(reference)
    return find_booking(typed, contact) if typed else None


def stop_reminders(public_id: str) -> int:
    """Reminders off for the booking with this public id and every other live
    booking made with the same email or mobile; returns how many bookings changed
    (0 when already off). Reminders already queued are skipped when their turn comes."""
    booking = db.session.scalar(select(Booking).where(Booking.public_id == public_id))
    if booking is None:
        raise ServiceError("not_found")
    same_contact = [Booking.id == booking.id]
    if booking.contact_key:
        same_contact.append(
            (Booking.contact_key == booking.contact_key) & Booking.status.in_(LIVE_STATUSES)
        )
    return rows_changed(
        update(Booking)
        .where(or_(*same_contact), Booking.reminders.is_(True))
        .values(reminders=False)
        .execution_options(synchronize_session=False)
    )
