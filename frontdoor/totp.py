"""The second factor: a code from an authenticator app (TOTP, RFC 6238) after the
password, and single-use recovery codes for a lost phone.

Rules kept here and nowhere else:

- a code is accepted from the current 30-second step or the one before, never
  older (a phone's clock a little behind still works; a code read out a minute
  ago does not);
- each step is accepted once: the last one used is stored, and it and any
  earlier step are refused afterwards;
- wrong codes are counted per account (the sign-in throttle's table): after
  ``rules.attempts`` in ``rules.window`` every code is refused until the window
  has passed, so six digits cannot be guessed;
- recovery codes are kept as password hashes and work once.

The caller commits. Enrolment, resets and recovery-code use are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, select

from frontdoor import audit
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import SignInFailure, StaffRecoveryCode, StaffSecondFactor, StaffUser
from frontdoor.passwords import hash_password, verify_password
from frontdoor.staff import ThrottleRules, end_logins

STEP_SECONDS = 30
RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes copied from paper.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def factor_of(user_id: int) -> StaffSecondFactor | None:
    return db.session.scalar(select(StaffSecondFactor).filter_by(user_id=user_id))


def is_enrolled(user_id: int) -> bool:
    factor = factor_of(user_id)
    return factor is not None and factor.confirmed_at is not None


def start_enrolment(user: StaffUser, *, now: datetime) -> StaffSecondFactor:
    """The person's factor waiting to be confirmed (a new secret the first time).
    Raises ``already_enrolled`` when one is already on."""
    factor = factor_of(user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise ServiceError("already_enrolled")
    if factor is None:
        factor = StaffSecondFactor(user_id=user.id, secret=pyotp.random_base32(), created_at=now)
        db.session.add(factor)
        db.session.flush()
    return factor


def setup_uri(factor: StaffSecondFactor, *, email: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(factor.secret).provisioning_uri(name=email, issuer_name=issuer)


def confirm_enrolment(
    user: StaffUser, code: str, *, now: datetime, rules: ThrottleRules
) -> list[str]:
    """Turn the factor on with a first code from the app; returns the recovery
    codes, shown this once. Raises ``paused``, ``bad_code`` or ``already_enrolled``."""
    factor = start_enrolment(user, now=now)
    _check_not_paused(user.id, now, rules)
    if not _totp_matches(factor, code, now):
        _count_failure(user.id, now)
        raise ServiceError("bad_code", field="code")
    factor.confirmed_at = now
    _forget_failures(user.id)
    codes = new_recovery_codes(user)
    _audit(user.id, user, "second_factor.enrol", "Set up a second factor (authenticator app)")
    return codes


def check_code(user: StaffUser, code: str, *, now: datetime, rules: ThrottleRules) -> None:
    """Accept a code from the app or an unused recovery code, or raise ``paused``,
    ``bad_code`` or ``not_enrolled``."""
    factor = factor_of(user.id)
    if factor is None or factor.confirmed_at is None:
        raise ServiceError("not_enrolled")
    _check_not_paused(user.id, now, rules)
    if _totp_matches(factor, code, now) or _use_recovery_code(user, code, now):
        _forget_failures(user.id)
        return
    _count_failure(user.id, now)
    raise ServiceError("bad_code", field="code")


def new_recovery_codes(user: StaffUser) -> list[str]:
    """Ten fresh codes like ``k7mqw-3xprt``; any earlier ones stop working."""
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_READABLE) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(StaffRecoveryCode(user_id=user.id, code_hash=hash_password(raw)))
    return codes


def recovery_codes_left(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                StaffRecoveryCode.user_id == user_id, StaffRecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def reset(actor: StaffUser, user: StaffUser) -> None:
    """Remove someone's factor and recovery codes (a lost phone) and sign them out
    everywhere; they set up a new one at their next sign-in."""
    db.session.execute(delete(StaffSecondFactor).where(StaffSecondFactor.user_id == user.id))
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user.id))
    end_logins(user.id)
    _audit(actor.id, user, "second_factor.reset", "Second factor reset and signed out everywhere")


# --- the rules ----------------------------------------------------------------------


def _totp_matches(factor: StaffSecondFactor, code: str, now: datetime) -> bool:
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current, current - 1):
        if factor.last_step is not None and step <= factor.last_step:
            continue  # this code, or an older one, was used already
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), digits):
            factor.last_step = step
            return True
    return False


def _use_recovery_code(user: StaffUser, code: str, now: datetime) -> bool:
    raw = "".join(code.lower().replace("-", "").split())
    if len(raw) != 10:
        return False
    unused = db.session.scalars(
        select(StaffRecoveryCode).where(
            StaffRecoveryCode.user_id == user.id, StaffRecoveryCode.used_at.is_(None)
        )
    )
    for stored in unused:
        if verify_password(stored.code_hash, raw):
            stored.used_at = now
            left = recovery_codes_left(user.id)
            _audit(
                user.id, user, "second_factor.recovery_code", f"Used a recovery code ({left} left)"
            )
            return True
    return False


def _key(user_id: int) -> str:
    return hashlib.sha256(f"second-factor|{user_id}".encode()).hexdigest()


def _check_not_paused(user_id: int, now: datetime, rules: ThrottleRules) -> None:
    wrong = db.session.scalar(
        select(func.count()).where(
            SignInFailure.key_hash == _key(user_id), SignInFailure.at >= now - rules.window
        )
    )
    if (wrong or 0) >= rules.attempts:
        raise ServiceError("paused_code")


def _count_failure(user_id: int, now: datetime) -> None:
    db.session.add(SignInFailure(key_hash=_key(user_id), at=now))


def _forget_failures(user_id: int) -> None:
    db.session.execute(delete(SignInFailure).where(SignInFailure.key_hash == _key(user_id)))


def _audit(actor_id: int, user: StaffUser, action: str, detail: str) -> None:
    audit.record(
        action, staff_id=actor_id, subject_type="staff_user", subject_id=user.id, detail=detail
    )
