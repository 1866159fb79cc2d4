"""Staff accounts: create, sign in (with throttling), reset, deactivate, roles.

Plain functions with explicit arguments; the admin views and the CLI call them.
The caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Role, SignInFailure, StaffLogin, StaffRole, StaffUser
from frontdoor.passwords import hash_password, password_problem, verify_password


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """Lower-cased and checked; raises ``ServiceError('invalid_email')``."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ServiceError("invalid_email", field="email") from error
    return checked.normalized.lower()


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def create_staff(
    *,
    organisation_id: int,
    email: str,
    name: str,
    password: str,
    roles: Iterable[tuple[int | None, Role]] = (),
) -> StaffUser:
    """A new active account. Raises ``duplicate_email``, ``invalid_email``, ``weak_password``."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise ServiceError("duplicate_email", field="email")
    if not name.strip():
        raise ServiceError("name_required", field="name")
    if problem := password_problem(password):
        raise ServiceError("weak_password", field="password", message=problem)
    user = StaffUser(
        organisation_id=organisation_id,
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
    )
    db.session.add(user)
    set_roles(user, roles)
    db.session.flush()
    return user


def set_roles(user: StaffUser, roles: Iterable[tuple[int | None, Role]]) -> None:
    """Replace the user's roles. Council admin is the one role held with no hub."""
    wanted = {(None if role == Role.ADMIN else hub_id, Role(role)) for hub_id, role in roles}
    for existing in list(user.roles):
        if (existing.hub_id, Role(existing.role)) not in wanted:
            user.roles.remove(existing)
    have = {(r.hub_id, Role(r.role)) for r in user.roles}
    for hub_id, role in sorted(wanted - have, key=lambda item: (item[0] or 0, item[1])):
        user.roles.append(StaffRole(hub_id=hub_id, role=role))


def set_password(user: StaffUser, password: str) -> None:
    """Change a password and end every signed-in browser of that person."""
    if problem := password_problem(password):
        raise ServiceError("weak_password", field="password", message=problem)
    user.password_hash = hash_password(password)
    end_logins(user.id)


def set_active(user: StaffUser, active: bool) -> None:
    user.active = active
    if not active:
        end_logins(user.id)


def end_logins(user_id: int, *, now: datetime | None = None) -> None:
    from frontdoor.clock import now as clock_now

    db.session.execute(
        update(StaffLogin)
        .where(StaffLogin.user_id == user_id, StaffLogin.ended_at.is_(None))
        .values(ended_at=now or clock_now())
    )


# --- signing in -------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleRules:
    attempts: int = 5
    window: timedelta = timedelta(minutes=15)
    max_pause: timedelta = timedelta(minutes=15)
    # Many failures from one address against any emails: a slower, larger limit.
    address_attempts: int = 50


def _throttle_keys(email: str, address: str) -> tuple[str, str]:
    # Keyed by email *and* address: someone elsewhere cannot lock a colleague out,
    # and from one address the pause grows but never beyond ``max_pause``.
    return _sha(f"pair|{email.lower()}|{address}"), _sha(f"address|{address}")


def paused_until(email: str, address: str, now: datetime, rules: ThrottleRules) -> datetime | None:
    pair_key, address_key = _throttle_keys(email, address)
    since = now - rules.window
    for key, limit in ((pair_key, rules.attempts), (address_key, rules.address_attempts)):
        count, last = db.session.execute(
            select(func.count(), func.max(SignInFailure.at)).where(
                SignInFailure.key_hash == key, SignInFailure.at >= since
            )
        ).one()
        if count >= limit and last is not None:
            pause = min(timedelta(minutes=2 ** (count - limit)), rules.max_pause)
            if last + pause > now:
                return last + pause
    return None


def sign_in(
    email: str, password: str, *, address: str, now: datetime, rules: ThrottleRules
) -> tuple[StaffUser, str]:
    """Check credentials and open a server-side login; returns (user, cookie token).

    Raises ``paused`` (too many failures), ``bad_credentials`` or ``inactive``;
    the last two read the same to the person signing in.
    """
    email = email.strip().lower()
    if paused_until(email, address, now, rules):
        raise ServiceError("paused")
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        for key in _throttle_keys(email, address):
            db.session.add(SignInFailure(key_hash=key, at=now))
        raise ServiceError("bad_credentials")
    if not user.active:
        raise ServiceError("bad_credentials")
    pair_key, _ = _throttle_keys(email, address)
    db.session.execute(delete(SignInFailure).where(SignInFailure.key_hash == pair_key))
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffLogin(user_id=user.id, token_hash=_sha(token), created_at=now, last_seen_at=now)
    )
    user.last_sign_in_at = now
    return user, token


def login_for_token(token: str) -> StaffLogin | None:
    """The open login for a cookie token, if the person is still active."""
    return db.session.scalar(
        select(StaffLogin)
        .join(StaffUser)
        .where(
            StaffLogin.token_hash == _sha(token),
            StaffLogin.ended_at.is_(None),
            StaffUser.active.is_(True),
        )
    )


def sign_out(token: str, *, now: datetime) -> None:
    db.session.execute(
        update(StaffLogin)
        .where(StaffLogin.token_hash == _sha(token), StaffLogin.ended_at.is_(None))
        .values(ended_at=now)
    )
