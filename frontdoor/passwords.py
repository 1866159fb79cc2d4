"""Password hashing with argon2id (argon2-cffi's defaults are the RFC 9106 low-memory profile)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from argon2.profiles import CHEAPEST
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


def password_problem(password: str) -> str | None:
    """Plain words for what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    if password.lower() in COMMON_PASSWORDS:
        return "Choose a password that is harder to guess"
    return None


# No 0/o, 1/l/i: a password read out over the phone or copied from a screen.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def generate_password() -> str:
    """A random password like ``k7mq-w3xp-rt9b-h2fn`` (about 79 bits)."""
    groups = ("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
