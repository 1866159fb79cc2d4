"""Who a booking is for, and how to reach them: checked and normalised."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from frontdoor.errors import ServiceError
from frontdoor.models import AGE_BANDS

MAX_NAME = 100
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


def normalise_email(typed: str) -> str:
    try:
        return validate_email(typed.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ServiceError("invalid_email", field="email") from error


@dataclass(frozen=True)
class Party:
    """Adults, and each child by age band."""

    adults: int
    children: tuple[str, ...] = ()

    @property
    def people(self) -> int:
        return self.adults + len(self.children)

    def check(self, max_people: int) -> None:
        if self.adults < 0 or self.people < 1:
            raise ServiceError("party_empty", field="adults")
        if self.people > max_people:
            raise ServiceError("party_too_large", field="adults", limit=max_people)
        if any(band not in AGE_BANDS for band in self.children):
            raise ServiceError("child_age_band", field="children")


@dataclass(frozen=True)
class Contact:
    first_name: str
    last_name: str = ""
    email: str = ""
    mobile: str = ""
    reminders: bool = False
    access_needs: str = ""
    language: str = "en"
    extra: dict[str, str] = field(default_factory=dict)

    def checked(self) -> Contact:
        """A copy with names trimmed and email and mobile normalised."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if not first:
            raise ServiceError("first_name_required", field="first_name")
        if len(first) > MAX_NAME or len(last) > MAX_NAME:
            raise ServiceError("name_too_long", field="first_name", max=MAX_NAME)
        email = normalise_email(self.email) if self.email.strip() else ""
        mobile = normalise_mobile(self.mobile) if self.mobile.strip() else ""
        if self.reminders and not (email or mobile):
            raise ServiceError("reminders_need_contact", field="email")
        return Contact(
            first,
            last,
            email,
            mobile,
            self.reminders,
            self.access_needs.strip()[:2000],
            self.language,
            self.extra,
        )

    @property
    def key(self) -> str | None:
        """One person's identity for "one live booking per contact"."""
        handle = (
            f"email:{self.email.lower()}"
            if self.email
            else (f"mobile:{self.mobile}" if self.mobile else "")
        )
        return hashlib.sha256(handle.encode()).hexdigest() if handle else None
