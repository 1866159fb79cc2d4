"""What staff are told when a rule says no: one sentence per code, in English.

Every staff page (``admin.forms.add_service_errors`` for forms, the arrivals
board's answers, the register) and the ``frontdoor`` CLI ask here. Sentences
follow the GOV.UK error style: what to do, no full stop. ``{name}`` fields are
filled from the error's details.

One code, one sentence: a code raised for several kinds of record (``name_required``
for hubs, rooms, categories, staff, kiosks and appointment types) is worded to
fit them all; the field it is shown against says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_wtf import FlaskForm
from wtforms import Field

from frontdoor.errors import ServiceError
from frontdoor.passwords import MIN_LENGTH

_TRY_AGAIN = "Sorry, that could not be done. Try again"

_WORDS: dict[str, str] = {
    # Anything that was there a moment ago (a session, an arrival, a practitioner).
    "not_found": "That is no longer there. Someone may have just changed it",
    "too_late": "It is too late to do that now",
    # Booking a family on their behalf, moving and cancelling bookings.
    "cancelled_session": "This session has been cancelled",
    "drop_in_only": "This session is drop-in only: families just come along",
    "full": "That session is full",
    "party_empty": "Enter at least 1 person",
    "child_age_band": "Choose an age band for each child",
    "first_name_required": "Enter their first name",
    "invalid_email": "Enter an email address in the correct format, like name@example.com",
    "invalid_mobile": (
        "Enter a mobile number, not a landline, like 07700 900 982 (from another "
        "country, start with + and the country code)"
    ),
    "reminders_need_contact": "Enter an email address or mobile number to send reminders to",
    "already_cancelled": "This has already been cancelled",
    "reason_required": "Enter a reason",
    # Data-protection requests (``dataprotection``).
    "subject_unreadable": "Enter an email address, a mobile number or a booking reference",
    "erase_booking_to_come": (
        "They still have {count} booking(s) or waiting-list place(s) to come. Cancel them "
        "from the register first (that tells the family), then erase"
    ),
    "erase_message_sending": "A message to them is still being sent. Try again in a few minutes",
    "nothing_to_correct": "Enter the name or contact detail to put right",
    "not_confirmed": "Only a booking with a place can be moved",
    "not_appointment": "That booking is not for an appointment",
    "same_session": "Choose a different session",
    "party_too_large": "A booking can be for up to {limit} people",
    "capacity_range": "Capacity must be between {low} and {high}",
    "capacity_below_bookings": "Capacity cannot be less than the {booked} places already booked",
    "no_reference": _TRY_AGAIN,
    # Appointments: types, availability, leave, and moving a booked one.
    "name_taken": "This hub already has an appointment type with that name",
    "duration_minutes_range": "Length must be between {low} and {high} minutes",
    "buffer_minutes_range": "Time kept free afterwards must be between {low} and {high} minutes",
    "min_notice_minutes_range": "Minimum notice must be between {low} and {high} minutes",
    "max_days_ahead_range": "Furthest ahead must be between {low} and {high} days",
    "practitioner_not_here": "Choose practitioners who work at this hub",
    "weekday_range": "Choose a day of the week",
    "ends_before_start": "The end must be after the start",
    "room_not_here": "Choose a room at this hub",
    "until_before_from": "The last date must be on or after the first date",
    "window_overlaps": "These times overlap another window on the same day (at any hub)",
    "same_slot": "Choose a different time from the one already booked",
    "slot_taken": "Someone has just booked that time. Choose another",
    # Staff may book inside the minimum notice, so "too soon" means the time has passed.
    "too_soon": "That time has passed. Choose another",
    "not_offered": "That time is no longer offered. Choose another",
    "hub_closed": "The hub is closed that day. Choose another",
    # The arrivals board and checking in at the desk.
    "closed": "Someone has already checked them out or marked them as not here",
    "already_greeted": "They have already been greeted",
    "stale": "The board had changed, so nothing was done. Check it and try again",
    "not_staff_here": "Choose a colleague who works at this hub",
    "same_person": "They are already with that colleague",
    "unknown_action": _TRY_AGAIN,
    "unknown_duty": _TRY_AGAIN,
    "not_yours": "Only the person who did that can undo it",
    "already_undone": "That has already been undone",
    "party_size": "Enter between 1 and 20 people",
    "session_over": "That session has finished",
    "session_cancelled": "That session has been cancelled",
    "too_early": "That session has not started yet",
    "not_drop_in": "That session is for booked families only",
    "already_checked_in": "They have already checked in",
    "not_today": "Their booking is not for today",
    "cancelled": "That booking was cancelled",
    "waiting_list": "They are on the waiting list, so have no place",
    "other_hub": "That booking is at another hub",
    # The timetable.
    "no_dates": "These days and dates give no sessions: choose other days or a later end date",
    "no_weekdays": "Select at least one day",
    "until_before_start": "End date must be the same as or after the start date",
    "until_and_count": "Choose an end date or a number of sessions, not both",
    "drop_in_places_range": "Places held for drop-in must be more than 0 and less than capacity",
    # Online and hybrid sessions (``frontdoor.timetable.delivery_problems``).
    "unknown_delivery": "Choose where it runs: in person, online, or online and at the hub",
    "joining_link_required": "Enter the joining link families use to join online",
    "joining_link_https": (
        "Enter a joining link that starts with https://, like https://meet.example.org/abc-defg"
    ),
    "joining_link_too_long": "Joining link must be {limit} characters or fewer",
    "online_no_room": "An online session has no room: choose No room, or Online and at the hub",
    "online_booking_only": (
        "Families get the joining link when they book, so an online session is Booking only"
    ),
    "hybrid_needs_booking": (
        "Families get the joining link when they book: choose Booking only, or Booking and drop-in"
    ),
    "online_only": "That session is online only: record who joined on its register",
    "not_online": "That session runs only at the hub, so no one can join it online",
    "not_joined_online": "They are not recorded as joining online",
    "visit_has_connection": "A connection was made for them at this session, so it stays",
    "online_needs_contact": (
        "Enter an email address or mobile number: the joining link is sent there"
    ),
    # Days a hub is closed.
    "day_past": "The day must be today or later",
    "day_taken": "The hub is already closed that day",
    "year_unknown": "We do not hold the bank holidays for that year yet",
    # Hubs, rooms, categories, kiosks.
    "name_required": "Enter a name",
    "invalid_slug": "Short name must be 2 to 60 lowercase letters, numbers and hyphens",
    "duplicate_slug": "A hub with that short name already exists",
    "duplicate_name": "That name is already in use. Choose another",
    "in_use": "Sessions use this, so it cannot be deleted. Make it inactive instead",
    "invalid_icon": "Icon can only contain lowercase letters, numbers and hyphens",
    # What hubs write, in other languages (``frontdoor.translated``).
    "language_not_shipped": "Front Door does not speak that language yet. Leave it empty",
    "translation_too_long": "Must be {limit} characters or fewer",
    "not_translatable": _TRY_AGAIN,
    "out_of_range": "Must be between {low} and {high}",
    "revoked": "This screen was revoked. Add a new kiosk instead",
    # Staff accounts and signing in.
    "duplicate_email": "A staff account with that email already exists",
    "deactivate_self": "You cannot deactivate your own account",
    "own_access": "You cannot remove your own manager or council admin role",
    "not_allowed": "You cannot give that role",
    # The directory of partner services (directory.services).
    "invalid_website": "Enter a website address, like https://www.example.org",
    "contact_email_required": "Enter the contact's email address",
    "invalid_phone": "Enter a phone number with 10 or 11 digits, like 01632 960 001",
    "choose_topic": "Choose what the service helps with",
    "choose_status": "Choose whether the service is running",
    "age_range": "Ages must be whole numbers of years from {low} to {high}",
    "ages_reversed": "The oldest age must be the same as or older than the youngest",
    "fees_required": "Say what it costs, or choose free",
    "hub_not_here": "Choose one of the council's hubs",
    "where_required": "Enter an address, choose a hub or say it is online",
    "check_months_range": "Months between checks must be between {low} and {high}",
    "unknown_language": "Enter language codes like en, pl or ur ({typed} is not one)",
    "bad_credentials": "Enter a correct email address and password",
    "paused": "Too many attempts to sign in. Wait a few minutes and try again",
    # Council single sign-on (frontdoor.oidc, frontdoor.oidc_staff).
    "sso_failed": "Signing in with your council account did not work. Try again",
    "sso_not_invited": "Your council account cannot sign in to Front Door. Ask a manager to "
    "add you with your work email address",
    # The second factor (frontdoor.totp), one's own password, board displays.
    "bad_code": "Enter the 6-digit code your authenticator app shows now, or a recovery code",
    "paused_code": "Too many wrong codes. Wait 15 minutes and try again, or ask an admin",
    "already_enrolled": "Your second factor is already set up",
    "not_enrolled": "Set up your second factor first",
    "wrong_password": "Enter your current password correctly",
    "invalid_code": "Enter the pairing code shown on the manager's screen",
    "expired_code": "That pairing code has expired or was used. Ask for a new one",
    # Importing an Open Referral UK 3.0 feed (directory.oruk), on the staff side or the CLI.
    "oruk_too_large": "The feed is larger than {limit}. Ask the publisher for it in pages",
    "oruk_not_json": "The feed is not JSON. Check it is the address or file of an Open "
    "Referral UK 3.0 feed",
    "oruk_not_feed": "The feed is JSON but holds no list of Open Referral UK services",
    # Connecting a family to a partner service (connections.services); partners see these too.
    "consent_required": "Ask the family and tick that they agreed before anything is shared",
    "service_not_checked": "Choose a service that has been checked recently",
    "choose_contact_method": "Choose how they want to be contacted",
    "contact_required": "Enter how to contact them, or choose through the hub",
    "language_required": "Enter the language the interpreter is needed for",
    "contact_by_required": "Enter the date you will make contact by",
    "contact_by_range": "The date you will make contact by must be today or within a year",
    "already_answered": "This introduction already has an answer: the first answer stands",
    "link_expired": "This link has expired",
    "link_withdrawn": "The family hub has withdrawn this introduction",
    "link_invalid": "This link does not work",
    # Introducing a family to a colleague in the hub (connections.colleagues).
    "choose_service_or_colleague": "Choose one service or one colleague to introduce them to",
    "colleague_is_you": "Choose a colleague, not yourself",
    "colleague_not_here": "Choose a colleague who greets families at this hub",
    "connection_withdrawn": "This introduction was withdrawn by the colleague who made it",
    # The practitioner's record of the first contact (connections.outcomes).
    "contact_not_due": "You can record whether contact happened after the date the partner gave",
    # A partner's quarterly check link (directory.partner_checks) that will not open.
    "check_link_expired": "This link has expired",
    "check_link_invalid": "This link does not work",
    "oruk_version": "The feed follows {version}, not Open Referral UK 3.0. Ask the "
    "publisher for their 3.0 feed",
    # The council's Open Referral UK API (directory.api): a page asked for.
    "oruk_paging": "{parameter} must be a whole number from 1 to {limit}",
    # The period of a reach report (reports.periods).
    "report_month": "Enter a month, like 2026-07",
    "report_quarter": "Enter a quarter, like 2026Q3 for July to September 2026",
    "report_year": "Enter the year the financial year starts in, like 2026 for April 2026 "
    "to March 2027",
    "report_dates": "Enter the first and the last day of the report",
    "report_back_to_front": "The first day must be before the last day: swap them round",
    "report_too_long": "Choose a period of {years} years or less",
    # Where families come from (frontdoor.areas): a postcode typed at the desk.
    "postcode_unknown": "That is not a UK postcode. Check it with the family, or leave it empty",
    # Why an area has no deprivation decile (frontdoor.areas.Area.no_decile_because).
    "outside_england": "Postcode outside England: only its district is kept, and it has no "
    "English deprivation decile (none is guessed)",
    "not_in_lookup": "Postcode not in the imported lookup: only its district is kept, and its "
    "deprivation decile is not known",
    # Importing the area lookups (frontdoor areas import).
    "area_file_columns": "Line {line}: the header lacks these columns: {missing}. Check it is "
    "the file README names under Where families come from",
    "area_file_encoding": "Line {line} is not in the {encoding} encoding. Try --encoding cp1252, "
    "or save the file as UTF-8",
    "area_file_row": "Line {line} could not be read: a postcode needs an LSOA code, and an area "
    "an English LSOA code and a decile from 1 to 10",
}


def _duplicate(details: Mapping[str, object]) -> str:
    reference = getattr(details.get("booking"), "reference", None)
    if reference is None:
        return "This family already has a booking for this session"
    return f"This family already has a booking for this session (reference {reference})"


def _too_long(what: str, shorter: str) -> Callable[[Mapping[str, object]], str]:
    def worded(details: Mapping[str, object]) -> str:
        limit = details.get("max")
        return f"{what} must be {limit} characters or fewer" if limit else shorter

    return worded


def _already_claimed(details: Mapping[str, object]) -> str:
    return f"{details.get('by') or 'A colleague'} is already greeting them"


def _which_service(details: Mapping[str, object]) -> str:
    given = details.get("service_id")
    return f"Service {given}" if given else f"Service number {details.get('position', '')}"


def _not_imported(details: Mapping[str, object]) -> str:
    field = details.get("field") or "service"
    if field == "service":
        return f"{_which_service(details)} was not imported: it is not an Open Referral UK service"
    return (
        f"{_which_service(details)} was not imported: its {field} is missing or not "
        "in the Open Referral UK 3.0 format"
    )


# Codes whose words need more of the error's details than a ``{name}`` or two.
WEAK_PASSWORD = {
    "too_short": f"Password must be at least {MIN_LENGTH} characters",
    "too_long": "Password must be 200 characters or fewer",
    "common": "Choose a password that is harder to guess",
    "context": (
        "Choose a password that is not built from your name or email, Front Door, "
        "family hub, or the council's or a hub's name"
    ),
    "breached": (
        "That password has appeared in a data breach, so others may try it. Choose a different one"
    ),
}

_FROM_DETAILS: dict[str, Callable[[Mapping[str, object]], str]] = {
    "already_claimed": _already_claimed,
    "oruk_missing_id": lambda details: (
        f"Service number {details.get('position', '')} has no id, so it was not imported"
    ),
    "oruk_duplicate_id": lambda details: (
        f"{_which_service(details)} was not imported: an earlier service in the feed "
        "has the same id, and the first one stands"
    ),
    "oruk_bad_field": _not_imported,
    "duplicate": _duplicate,
    "name_too_long": _too_long("Name", "Enter a shorter name"),
    "reason_too_long": _too_long("Reason", "Enter a shorter reason"),
    # Why a new password will not do (frontdoor.passwords, frontdoor.password_rules).
    "weak_password": lambda details: WEAK_PASSWORD.get(
        str(details.get("reason")), "Choose a different password"
    ),
}

CODES = frozenset(_WORDS) | frozenset(_FROM_DETAILS)


# A partner's link that will not open gets a page: its heading is the code's sentence
# above, and under it what to do now. ``{days}`` is how long such a link works.
_LINK_NEXT_STEPS: dict[str, str] = {
    "check_link_expired": "Check links work for {days} days. Ask the family hub for a new "
    "one, or wait for next quarter's email.",
    "check_link_invalid": "Check it was copied in full from the email, or ask the family hub "
    "for a new one.",
    "link_expired": "Connection links work for {days} days. Ask the family hub if you still "
    "need to reach the family.",
    "link_withdrawn": "You do not need to do anything. Ask the family hub if you have questions.",
    "link_invalid": "Check it was copied in full from the email, or ask the family hub.",
}
LINK_CODES = frozenset(_LINK_NEXT_STEPS)


def link_problem(code: str, **details: object) -> tuple[str, str]:
    """The heading and the next step for a partner's link that will not open."""
    try:
        next_step = _LINK_NEXT_STEPS.get(code, "").format(**details)
    except (KeyError, IndexError, ValueError):
        next_step = ""
    return staff_words(code, **details), next_step


def staff_words(code: str, **details: object) -> str:
    """The sentence for ``code``, its ``{name}`` fields filled from ``details``."""
    worded = _FROM_DETAILS.get(code)
    if worded is not None:
        return worded(details)
    text = _WORDS.get(code, _TRY_AGAIN)
    try:
        return text.format(**details)
    except (KeyError, IndexError, ValueError):
        return _TRY_AGAIN


def for_staff(error: ServiceError) -> str:
    """What a member of staff is told when a service refuses with ``error``."""
    return staff_words(error.code, **error.details)


def add_service_errors(form: FlaskForm, errors: list[ServiceError]) -> None:
    """Show coded service errors against their fields, in the staff catalogue's words."""
    for error in errors:
        text = for_staff(error)
        field: Field | None = getattr(form, error.field, None) if error.field else None
        if field is None:
            form.form_errors.append(text)
        else:
            field.errors = [*field.errors, text]
