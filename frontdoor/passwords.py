"""Password hashing with argon2id (argon2-cffi's defaults are the RFC 9106 low-memory
profile), and the rules a new password meets. Their words are the staff catalogue's
(``weak_password``); the words a password must not be built from are listed in
docs/security.md (ASVS 6.1.2)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from argon2.profiles import CHEAPEST
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_hasher = PasswordHasher()
# A hash of nothing in particular, verified when the email is unknown so a wrong
# email and a wrong password take the same time.
_DUMMY = _hasher.hash("not a real password")

MIN_LENGTH = 10
# The 30,000 most common passwords in real breaches (zxcvbn's ranked list, lower
# case), refused as new passwords whatever their length (ASVS 6.2.4, 6.2.12).
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def use_cheap_hashing() -> None:
    """Tests only: argon2id with tiny costs so the suite stays fast."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher.from_parameters(CHEAPEST)
    _DUMMY = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, InvalidHashError):
        return False


# The product's own words: every council's staff would try them first.
PRODUCT_WORDS = ("front door", "frontdoor", "family hub", "family hubs")
# A password that leans on a context word must still earn zxcvbn's best score (4:
# more than 10^10 guesses), as a passphrase does: "riverside-tangerine-lamp-orbit"
# will do, "Riverside2024!" and "Grace2026!!" (score 3) will not.
CONTEXT_SCORE = 4


def context_words(
    *, council: Iterable[str], hubs: Iterable[str], email: str = "", name: str = ""
) -> list[str]:
    """What a new password must not be built from (ASVS 6.1.2, 6.2.11): the product's
    words, the council's names, every hub's name, and the person's own email (before
    the @) and name; each whole, run together and word by word (words of three
    letters or more), lower case."""
    phrases = (*PRODUCT_WORDS, *council, *hubs, email.partition("@")[0], name)
    words: dict[str, None] = {}
    for phrase in phrases:
        parts = [part for part in re.split(r"[^\w]+|_", phrase.lower()) if part]
        for word in ("".join(parts), *(part for part in parts if len(part) >= 3)):
            if word:
                words[word] = None
    return list(words)


def password_problem(password: str, *, context: Iterable[str] = ()) -> str | None:
    """Why a new password will not do (``too_short``, ``too_long``, ``common``,
    ``context``), or None. ``context``: ``context_words``, given to zxcvbn as its
    user inputs, so "Riverside2024!" or "Fr0ntD00r!" are found, l33t and all; a
    password that uses one is refused unless zxcvbn rates it ``CONTEXT_SCORE``."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > 200:
        return "too_long"
    if password.lower() in COMMON_PASSWORDS:
        return "common"
    words = list(context)
    if words:
        guess = zxcvbn(password, user_inputs=words)
        leans_on_context = any(
            match.get("dictionary_name") == "user_inputs" for match in guess["sequence"]
        )
        if leans_on_context and guess["score"] < CONTEXT_SCORE:
            return "context"
    return None


# No 0/o, 1/l/i: a password read out over the phone or copied from a screen.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def generate_password() -> str:
    """A random password like ``k7mq-w3xp-rt9b-h2fn`` (about 79 bits)."""
    groups = ("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
