"""What a family is told when a rule says no: one sentence per code, translated.

The booking site's forms, the kiosk's notes ("Enter your first name.") and the
kiosk's pairing screen all ask here. The kiosk's "sorry" screens, a heading and
a next step for each check-in refusal, are whole screens and stay in
templates/kiosk/sorry.html.

One code, one sentence: a code a family can meet in several places (``too_late``
when booking, changing or cancelling) is worded to be true in all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from frontdoor.clock import local
from frontdoor.errors import ServiceError

_FIRST_NAME = _l("Enter your first name.")
_CHOOSE_TOPIC = _l("Please choose one of the pictures.")
_SOMETHING_WRONG = _l("Sorry, something went wrong. Please try again.")

_WORDS: dict[str, LazyString] = {
    # Booking a session.
    "not_found": _l("Sorry, that is not available now"),
    "cancelled_session": _l("This session has been cancelled, so it cannot be booked."),
    "drop_in_only": _l("You do not need to book this session. Just come along."),
    "closed": _l("Online booking for this session has closed. Ask at the hub if there is space."),
    "too_late": _l("It is too late to do this online. Please contact the hub."),
    "full": _l("Sorry, there are not enough places for everyone"),
    "duplicate": _l(
        "You have already booked this session. Check your email or texts for your reference."
    ),
    "no_reference": _SOMETHING_WRONG,
    # Who is coming, and how to reach them.
    "party_empty": _l("Tell us who is coming: at least 1 adult or child."),
    "child_age_band": _l("Choose an age group for each child from the list, or 'No child'."),
    "first_name_required": _FIRST_NAME,
    "invalid_email": _l("Enter an email address in the correct format, like name@example.com."),
    "invalid_mobile": _l(
        "Enter a mobile number, not a landline, like 07700 900 982. For a number from "
        "another country, start with + and the country code."
    ),
    "reminders_need_contact": _l(
        "Enter an email address or a mobile number, or choose 'No' to a confirmation and reminders."
    ),
    "online_needs_contact": _l(
        "This session is online. Enter an email address or a mobile number, so we can send "
        "you the link to join it."
    ),
    # The kiosk asks only for a mobile, so it says only that.
    "online_needs_mobile": _l(
        "This session is online. Enter a mobile number, so we can text you the link to join it."
    ),
    # Changing or cancelling a booking.
    "already_cancelled": _l("This booking has already been cancelled."),
    "checked_in": _l("You have already checked in, so ask at reception."),
    # Choosing an appointment time.
    "slot_taken": _l("Sorry, someone has just booked that time. Please choose another."),
    "too_soon": _l("That time is too soon to book online. Please choose a later time."),
    "too_far": _l("That time is too far ahead to book yet. Please choose an earlier time."),
    "not_offered": _l("That time is not available. Please choose another."),
    "hub_closed": _l("The hub is closed that day. Please choose another day."),
    # The kiosk's notes, from its own checks of what was typed or tapped.
    "name_required": _FIRST_NAME,
    "name_letters": _l("Please use letters only. Spaces, hyphens and apostrophes are fine."),
    "party_size": _l("Please tell us who is here: at least 1 person, and no more than 20."),
    "reference_required": _l("Please type your booking reference."),
    "leaving_not_found": _l("We could not find you. Please tell reception you are leaving."),
    "topic_required": _CHOOSE_TOPIC,
    "unknown_topic": _CHOOSE_TOPIC,
    # A hub card under the kiosk's scanner (frontdoor.family).
    "card_other_council": _l("This hub card is from another council"),
    "card_unreadable": _l("We could not read this hub card"),
    # Pairing a kiosk, on the kiosk's own screen (which speaks the hub's languages).
    "invalid_code": _l(
        "That pairing code did not work. Check it, or ask for a new code on the staff side, "
        "under Kiosks."
    ),
    "expired_code": _l(
        "That pairing code has expired. Ask for a new code on the staff side, under Kiosks."
    ),
    # Where families come from (frontdoor.areas).
    "postcode_unknown": _l("Enter a UK postcode, like SW1A 1AA, or leave it empty."),
}


def _not_open(details: Mapping[str, object]) -> str:
    opens = details.get("opens")
    if isinstance(opens, datetime):
        day = format_date(local(opens), "EEEE d MMMM")
        return _("Booking for this session opens on %(day)s.", day=day)
    return _("Booking for this session is not open yet.")


def _party_too_large(details: Mapping[str, object]) -> str:
    limit = details.get("limit")
    if limit is None:
        return str(_WORDS["full"])
    return _("You can book for up to %(limit)s people in total.", limit=limit)


def _name_too_long(details: Mapping[str, object]) -> str:
    limit = details.get("max")
    if limit is None:
        return _("Enter a shorter name.")
    return _("Names must be %(max)s characters or fewer.", max=limit)


# Codes whose words need the error's details (a day, a limit).
_FROM_DETAILS: dict[str, Callable[[Mapping[str, object]], str]] = {
    "not_open": _not_open,
    "party_too_large": _party_too_large,
    "name_too_long": _name_too_long,
}

CODES = frozenset(_WORDS) | frozenset(_FROM_DETAILS)


def family_words(code: str, **details: object) -> str:
    """The sentence for ``code`` in the family's language; a kind "try again" for
    a code this catalogue does not know."""
    worded = _FROM_DETAILS.get(code)
    if worded is not None:
        return worded(details)
    return str(_WORDS.get(code, _SOMETHING_WRONG))


def for_family(error: ServiceError) -> str:
    """What a family is told when a service refuses with ``error``."""
    return family_words(error.code, **error.details)


def lazy_family_words(code: str, **details: object) -> LazyString:
    """``family_words``, read when shown: for form fields defined at import time,
    before anyone's language is known."""
    return LazyString(family_words, code, **details)
