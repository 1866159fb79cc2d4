"""Who a booking is for, and how to reach them: checked and normalised."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from booking.availability import in_person
from frontdoor.contact import normalise_email, normalise_mobile
from frontdoor.errors import ServiceError
from frontdoor.models import CHILD_BANDS, Session

MAX_NAME = 100


def check_child_bands(children: Iterable[str]) -> None:
    """Each child is counted in one of ``CHILD_BANDS``: at booking, at the kiosk
    and at the desk alike. Else ``child_age_band``."""
    if any(band not in CHILD_BANDS for band in children):
        raise ServiceError("child_age_band", field="children")


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
        check_child_bands(self.children)


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

    def check_reachable_for(self, session: Session) -> None:
        """A family booking an online-only session gets its joining link only in
        their messages, so they give an email address or a mobile number."""
        if not in_person(session) and not (self.email.strip() or self.mobile.strip()):
            raise ServiceError("online_needs_contact", field="email")

    @property
    def key(self) -> str | None:
        """One person's identity for "one live booking per contact"."""
        handle = (
            f"email:{self.email.lower()}"
            if self.email
            else (f"mobile:{self.mobile}" if self.mobile else "")
        )
        return hashlib.sha256(handle.encode()).hexdigest() if handle else None
