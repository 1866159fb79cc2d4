"""Email addresses and phone numbers as we keep them, for families (``booking.contact``)
and partners (``directory``) alike."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from frontdoor.errors import ServiceError

_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")


def normalise_mobile(typed: str) -> str:
    """A UK mobile as +447xxxxxxxxx; raises ``invalid_mobile``."""
    digits = re.sub(r"[\s().-]", "", typed or "")
    if not _MOBILE.match(digits):
        raise ServiceError("invalid_mobile", field="mobile")
    return "+44" + digits[-10:]


def show_mobile(stored: str) -> str:
    """A stored mobile (+447xxxxxxxxx) as people in the UK write it: 07xxx xxxxxx."""
    if not stored.startswith("+44") or len(stored) != 13:
        return stored
    national = "0" + stored[3:]
    return f"{national[:5]} {national[5:]}"


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
