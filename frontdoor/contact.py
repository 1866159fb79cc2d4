"""Email addresses and phone numbers as we keep them, for families (``booking.contact``)
and partners (``directory``) alike."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from frontdoor.errors import ServiceError

# A UK mobile as the hubs have always kept it. Checked by hand, not by ``phonenumbers``:
# its metadata rejects Ofcom's drama range (07700 900xxx) that staff use to try things.
_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
# Number types that can take a text: some countries (the US, Canada) don't tell the two apart.
_TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalise_mobile(typed: str) -> str:
    """A mobile from any country, kept as E.164 (+447xxxxxxxxx for a UK one, as
    always). Typed without a country code it is taken as a UK number. Raises
    ``invalid_mobile`` for a landline as for junk: neither can take a text."""
    digits = re.sub(r"[\s().-]", "", typed or "")
    if _UK_MOBILE.match(digits):
        return "+44" + digits[-10:]
    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        raise ServiceError("invalid_mobile", field="mobile") from None
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) not in _TEXTABLE
    ):
        raise ServiceError("invalid_mobile", field="mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def show_mobile(stored: str) -> str:
    """A stored mobile as people write it: 07xxx xxxxxx for a UK one (as people in
    the UK write it), +48 512 345 678 for one from abroad."""
    if stored.startswith("+44") and len(stored) == 13:
        national = "0" + stored[3:]
        return f"{national[:5]} {national[5:]}"
    if not _E164.match(stored):  # a partner's number, kept as they wrote it
        return stored
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:  # no such country code
        return stored
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def normalise_email(typed: str, field: str = "email") -> str:
    try:
        return validate_email(typed.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ServiceError("invalid_email", field=field) from error


# A phone number as people write it: digits with spaces, brackets, dots or dashes,
# perhaps a leading + and an extension ("ext 12", "x12").
_PHONE = re.compile(r"^(\+?[\d\s().-]+?)\s*(?:(?:ext\.?|extension|x)\s*\d{1,6})?$", re.IGNORECASE)
_PHONE_DIGITS = (10, 15)  # a UK number has 10 or 11; E.164 allows 15


def normalise_phone(typed: str, field: str = "phone") -> str:
    """Any phone number, in any format people write one: a UK mobile is kept as
    +447xxxxxxxxx (as families' mobiles are), any other number as typed. Raises
    ``invalid_phone`` for text that cannot be a phone number; "" stays "".
    """
    text = " ".join((typed or "").split())
    if not text:
        return ""
    try:
        return normalise_mobile(text)
    except ServiceError:
        pass
    match = _PHONE.match(text)
    digits = re.sub(r"\D", "", match[1]) if match else ""
    if not _PHONE_DIGITS[0] <= len(digits) <= _PHONE_DIGITS[1]:
        raise ServiceError("invalid_phone", field=field)
    return text
