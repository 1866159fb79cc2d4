"""Has a new password appeared in a known breach? Pwned Passwords' range API (ASVS 6.2.12).

k-anonymity: only the first five hex characters of the password's SHA-1 leave the
machine; the service answers with every breached hash that starts with them (their
other 35 characters and a count), and the match is made here. ``Add-Padding``
asks for decoy lines (count 0) so the answer's size says nothing of the prefix.

On by default in production (``FRONTDOOR_PWNED_PASSWORDS_URL``, see
``frontdoor.config``). If the service cannot be reached in ``TIMEOUT_SECONDS`` the
password is let through (fail open) and a security event says so: the 30,000 most
common breached passwords are still refused here (``frontdoor.passwords``), and a
council whose staff cannot set a password while a third party is down would be
pushed to worse workarounds than a password checked a little less.
"""

from __future__ import annotations

import hashlib

from requests import RequestException

from frontdoor import security_events
from frontdoor.outbound import http_session

TIMEOUT_SECONDS = 3.0


def breached(password: str, *, url: str) -> bool:
    """True when ``password`` is in the breach corpus at ``url`` (a range API's
    base address); False when it is not, or when the service could not say."""
    digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = digest[:5], digest[5:]
    try:
        with http_session() as http:
            answer = http.get(
                f"{url.rstrip('/')}/{prefix}",
                headers={"Add-Padding": "true", "User-Agent": "Front Door"},
                timeout=TIMEOUT_SECONDS,
            )
            answer.raise_for_status()
            lines = answer.text.splitlines()
    except RequestException as error:
        security_events.record("breach_check_unavailable", reason=type(error).__name__)
        return False
    for line in lines:
        hashed, _, count = line.strip().partition(":")
        if hashed.upper() == suffix and count.strip() not in ("", "0"):
            return True
    return False
