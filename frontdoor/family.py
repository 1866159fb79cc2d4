"""The family key: how a family is recognised across visits without a name.

A family key is a keyed hash (HMAC-SHA256, the first 32 hex characters) of one
thing the family gave us, and of their council's id, so one family has a key in
each council and the two cannot be matched. The hash's key is
``FRONTDOOR_FAMILY_KEY_SECRET`` (configuration, never in the database): without it
a kept key cannot be turned back into a phone number. Changing it makes every
family new.

Where a key comes from, one rule (``arrival_family_key``):
1. a hub card the family showed: the card's key wins, because the family chose
   the card to be known by;
2. else, at a booked check-in, the booking's own key;
3. else their contact details: the mobile if given, else the email. Mobile first,
   because it is the detail families give most (reminders come by text) and keep
   longest, so a family typing both today and only their mobile next time is
   still one family.
A drop-in with none of these has no key (None), and counts as a family of its own.

A hub card is a QR code holding a signed token (``frontdoor.tokens``) that names the
council and a random card id; the card's key is the keyed hash of that card id.
It is signed with the family key secret, so the one secret that makes families
recognisable also makes their cards; changing it retires every card.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app

from frontdoor.contact import normalise_email, normalise_mobile
from frontdoor.errors import ServiceError
from frontdoor.models import Booking, Visit
from frontdoor.tokens import make_token, read_token

CARD_PURPOSE = "frontdoor.hub-card"
# What a hub card's QR code starts with, so the kiosk can tell a card it cannot
# read (damaged, altered) from a booking code.
CARD_PREFIX = "HUBCARD."
KEY_LENGTH = 32


def _secret() -> str:
    return str(current_app.config["FRONTDOOR"].family_key_secret)


def _keyed(organisation_id: int, handle: str) -> str:
    message = f"{organisation_id}|{handle}".encode()
    digest = hmac.new(_secret().encode(), message, hashlib.sha256).hexdigest()
    return digest[:KEY_LENGTH]


def _handle(email: str, mobile: str) -> str:
    """What a family's contact key is made of: their mobile, else their email."""
    for make, typed in (
        (lambda: "mobile:" + normalise_mobile(mobile), mobile),
        (lambda: "email:" + normalise_email(email).lower(), email),
    ):
        if typed.strip():
            try:
                return make()
            except ServiceError:
                continue  # a detail we could not read recognises nobody
    return ""


def family_key_for_contact(
    email: str = "", mobile: str = "", *, organisation_id: int
) -> str | None:
    """The family key of these contact details in this council; None without any."""
    handle = _handle(email, mobile)
    return _keyed(organisation_id, handle) if handle else None


def card_family_key(organisation_id: int, card_id: str) -> str:
    return _keyed(organisation_id, "card:" + card_id)


@dataclass(frozen=True)
class HubCard:
    code: str  # what the QR code holds
    family_key: str


def new_hub_card(organisation_id: int) -> HubCard:
    """A new card for a family of this council: a random id, signed."""
    card_id = secrets.token_urlsafe(12)
    token = make_token(_secret(), CARD_PURPOSE, organisation_id, card_id)
    return HubCard(CARD_PREFIX + token, card_family_key(organisation_id, card_id))


def is_hub_card(scanned: str) -> bool:
    return scanned.strip().upper().startswith(CARD_PREFIX)


def read_hub_card(scanned: str, *, organisation_id: int) -> str:
    """The family key of a card scanned in this council.

    Raises ``card_unreadable`` for a card whose signature does not hold (altered,
    or from before the secret changed) and ``card_other_council`` for another
    council's card: its key means nothing here.
    """
    text = scanned.strip()
    found = read_token(_secret(), CARD_PURPOSE, text[len(CARD_PREFIX) :])
    if found is None:
        # Altered, or signed with another secret (another installation's, or ours
        # before it changed): nothing in it can be trusted, not even its council.
        raise ServiceError("card_unreadable")
    council, card_id = found
    if council != organisation_id:
        raise ServiceError("card_other_council")
    return card_family_key(organisation_id, card_id)


def arrival_family_key(
    *,
    organisation_id: int,
    card_key: str | None = None,
    booking_key: str | None = None,
    email: str = "",
    mobile: str = "",
) -> str | None:
    """Which key does this arrival (or booking) carry? A card the family showed,
    else their booking's key, else their contact details' key, else none."""
    if card_key:
        return card_key
    if booking_key:
        return booking_key
    return family_key_for_contact(email, mobile, organisation_id=organisation_id)


def give_hub_card(
    organisation_id: int, *, visit: Visit | None = None, booking: Booking | None = None
) -> HubCard:
    """A new hub card for the family of this visit or booking, who asked for one.
    They chose the card to be known by, so the card's key wins: the visit, and the
    booking it was for, take the card's key from now on. The caller commits."""
    card = new_hub_card(organisation_id)
    if visit is not None:
        visit.family_key = card.family_key
        booking = booking or visit.booking
    if booking is not None:
        booking.family_key = card.family_key
    return card
