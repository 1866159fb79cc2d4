"""Booking references: 8 characters of Crockford's base32, 40 bits.

The alphabet has no I, L, O or U, so nothing looks like anything else; when a
family types an O we read 0, and I or L we read 1.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def read_reference(typed: str) -> str | None:
    """The reference a family meant, or None if it cannot be one."""
    cleaned = re.sub(r"[\s-]", "", typed or "").upper().translate(_LOOK_ALIKES)
    return cleaned if _SHAPE.match(cleaned) else None


def show_reference(reference: str) -> str:
    """Grouped for reading aloud: ``ABCD 2345``."""
    return f"{reference[:4]} {reference[4:]}"
