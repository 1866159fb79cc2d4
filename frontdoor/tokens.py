"""Signed, timed tokens for links that leave the app: an id and a reference,
signed with the app's secret under a salt that names the link's purpose, so a
token made for one purpose never opens another's page.

``booking.tokens`` (manage, check-in and "stop reminders" links) and
``directory.partner_checks`` (the partner's check link) each name their purposes.

Every token is signed with HMAC-SHA-256 (``SIGNER_KWARGS``), not itsdangerous's
default SHA-1 (ASVS 11.4.1).

Anyone holding a link can read what it carries (the signature only stops it being
changed): a booking's links carry its random public id and their version, never
its id or reference (``make_link_token``).
"""

from __future__ import annotations

import hashlib

from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

from frontdoor import clock

# HMAC-SHA-256 for every signature (itsdangerous signs with SHA-1 unless told).
SIGNER_KWARGS = {"digest_method": hashlib.sha256}


def _untimed(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=purpose, signer_kwargs=SIGNER_KWARGS)


class _ClockSigner(TimestampSigner):
    """Dates its signatures by ``frontdoor.clock``, the app's one "now", so a link
    expires by the same clock as everything else (and under a frozen one in tests)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def make_token(secret_key: str, purpose: str, record_id: int, reference: str) -> str:
    """A token that never expires (a booking's QR code, a hub card)."""
    return _untimed(secret_key, purpose).dumps([record_id, reference])


def read_token(secret_key: str, purpose: str, token: str) -> tuple[int, str] | None:
    """(record id, reference) from a genuine token of this purpose, else None."""
    try:
        record_id, reference = _untimed(secret_key, purpose).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(record_id, int) or not isinstance(reference, str):
        return None
    return record_id, reference


def make_link_token(secret_key: str, purpose: str, public_id: str, version: int) -> str:
    """A token naming a record by its random public id, at a version of its links."""
    return _untimed(secret_key, purpose).dumps([public_id, version])


def read_link_token(secret_key: str, purpose: str, token: str) -> tuple[str, int] | None:
    """(public id, version) from a genuine token of this purpose, else None."""
    try:
        found = _untimed(secret_key, purpose).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return _link(found)


def _link(found: object) -> tuple[str, int] | None:
    if not isinstance(found, list) or len(found) != 2:
        return None
    public_id, version = found
    if not isinstance(public_id, str) or not isinstance(version, int):
        return None
    return public_id, version


def make_timed_link_token(secret_key: str, purpose: str, public_id: str, version: int) -> str:
    """``make_link_token`` that also expires (``read_timed_link_token``)."""
    return _serializer(secret_key, purpose).dumps([public_id, version])


def read_timed_link_token(
    secret_key: str, purpose: str, token: str, *, max_age_seconds: int
) -> tuple[str, int] | str:
    """(public id, version) from a genuine, unexpired token of this purpose;
    else ``"expired"`` or ``"invalid"``."""
    try:
        found = _serializer(secret_key, purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        return "expired"
    except (BadSignature, ValueError, TypeError):
        return "invalid"
    return _link(found) or "invalid"


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key, salt=purpose, signer=_ClockSigner, signer_kwargs=SIGNER_KWARGS
    )


def make_timed_token(secret_key: str, purpose: str, record_id: int, reference: str) -> str:
    return _serializer(secret_key, purpose).dumps([record_id, reference])


def read_timed_token(
    secret_key: str, purpose: str, token: str, *, max_age_seconds: int
) -> tuple[int, str] | str:
    """(record id, reference) from a genuine, unexpired token of this purpose;
    else ``"expired"`` or ``"invalid"``."""
    serializer = _serializer(secret_key, purpose)
    try:
        record_id, reference = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        return "expired"
    except (BadSignature, ValueError, TypeError):
        return "invalid"
    if not isinstance(record_id, int) or not isinstance(reference, str):
        return "invalid"
    return record_id, reference
