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
from sqlalchemy import Select, and_, delete, func, or_, select, update

from frontdoor import audit, security_events
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Hub,
    Role,
    SignInFailure,
    StaffLogin,
    StaffRole,
    StaffUser,
)
from frontdoor.password_rules import check_new_password
from frontdoor.passwords import generate_password, hash_password, verify_password


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
    check_new_password(
        password, organisation_id=organisation_id, email=email, name=name, field="password"
    )
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
    check_new_password(
        password,
        organisation_id=user.organisation_id,
        email=user.email,
        name=user.name,
        field="password",
    )
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


# --- managing colleagues (the managers' pages) -------------------------------------
#
# A manager manages the staff of their hubs; a council admin manages everyone.
# Each change is written to the audit log in plain words, never with a password.

RoleAt = tuple[int | None, Role]


def managed_hub_ids(actor: StaffUser) -> set[int]:
    """Active hubs whose staff ``actor`` manages: every one for a council admin."""
    query = select(Hub.id).where(Hub.active.is_(True))
    if not actor.is_admin():
        managed = [r.hub_id for r in actor.roles if r.role == Role.MANAGER]
        query = query.where(Hub.id.in_(managed))
    return set(db.session.scalars(query))


def _created_by(actor: StaffUser) -> Select[int | None]:
    """Ids of the accounts ``actor`` added."""
    return select(AuditEvent.subject_id).where(
        AuditEvent.action == "staff.create",
        AuditEvent.subject_type == "staff_user",
        AuditEvent.staff_id == actor.id,
    )


def colleagues_of(actor: StaffUser) -> list[StaffUser]:
    """Accounts ``actor`` may manage, by name (see ``may_manage``)."""
    query = select(StaffUser).where(StaffUser.organisation_id == actor.organisation_id)
    if not actor.is_admin():
        query = query.where(
            ~StaffUser.roles.any(StaffRole.role == Role.ADMIN),
            or_(
                StaffUser.roles.any(StaffRole.hub_id.in_(managed_hub_ids(actor))),
                and_(~StaffUser.roles.any(), StaffUser.id.in_(_created_by(actor))),
            ),
        )
    return list(db.session.scalars(query.order_by(StaffUser.name, StaffUser.id)))


def may_manage(actor: StaffUser, user: StaffUser) -> bool:
    """Admins manage everyone in the council; a manager, people with a role at one
    of their hubs, or with no role at all if that manager added them."""
    if actor.organisation_id != user.organisation_id:
        return False
    if actor.is_admin():
        return True
    if user.is_admin():
        return False
    if user.roles:
        return bool({r.hub_id for r in user.roles} & managed_hub_ids(actor))
    return user.id in db.session.scalars(_created_by(actor)).all()


def _check_grant(actor: StaffUser, roles: set[RoleAt]) -> None:
    scope = managed_hub_ids(actor)
    for hub_id, role in roles:
        allowed = actor.is_admin() if role == Role.ADMIN else hub_id in scope
        if not allowed:
            raise ServiceError("not_allowed")


def describe_roles(roles: set[RoleAt]) -> str:
    if not roles:
        return "no roles"
    ids = {hub_id for hub_id, _ in roles if hub_id is not None}
    names = dict(db.session.execute(select(Hub.id, Hub.name).where(Hub.id.in_(ids))).all())
    return ", ".join(
        sorted(
            f"{role.label} at {names[hub_id]}" if hub_id is not None else "Council admin"
            for hub_id, role in roles
        )
    )


def _audit(actor: StaffUser, action: str, user: StaffUser, detail: str, roles: set[RoleAt]) -> None:
    hubs = {hub_id for hub_id, _ in roles if hub_id is not None}
    audit.record(
        action,
        staff_id=actor.id,
        subject_type="staff_user",
        subject_id=user.id,
        hub_id=hubs.pop() if len(hubs) == 1 else None,
        detail=detail,
    )


def add_staff(
    actor: StaffUser, *, email: str, name: str, roles: Iterable[RoleAt]
) -> tuple[StaffUser, str]:
    """A new account with a generated password, returned once for the manager to
    hand over. Raises ``not_allowed`` and what ``create_staff`` raises."""
    wanted = {(hub_id, Role(role)) for hub_id, role in roles}
    _check_grant(actor, wanted)
    password = generate_password()
    user = create_staff(
        organisation_id=actor.organisation_id,
        email=email,
        name=name,
        password=password,
        roles=wanted,
    )
    user.must_change_password = True
    _audit(actor, "staff.create", user, f"Added {user.name} with {describe_roles(wanted)}", wanted)
    return user, password


def update_staff(
    actor: StaffUser, user: StaffUser, *, name: str, roles: Iterable[RoleAt], active: bool
) -> None:
    """Change a colleague's name, their roles at the hubs ``actor`` manages, and
    whether the account is active (deactivating signs them out everywhere).

    Roles at other hubs stay as they were; only a council admin changes the
    council admin role. Nobody deactivates themselves or removes their own
    manager or admin role. Errors name the form fields ``roles_<hub id>``,
    ``council_admin``, ``active`` and ``name``.
    """
    wanted = {(hub_id, Role(role)) for hub_id, role in roles}
    _check_grant(actor, wanted)
    scope = managed_hub_ids(actor)
    before = {(r.hub_id, Role(r.role)) for r in user.roles}
    out_of_reach = {
        (hub_id, role)
        for hub_id, role in before
        if not (actor.is_admin() if role == Role.ADMIN else hub_id in scope)
    }
    after = out_of_reach | wanted
    if user.id == actor.id:
        if not active:
            raise ServiceError("deactivate_self", field="active")
        for hub_id, role in before - after:
            if role in (Role.ADMIN, Role.MANAGER):
                field = "council_admin" if role == Role.ADMIN else f"roles_{hub_id}"
                raise ServiceError("own_access", field=field)
    if not name.strip():
        raise ServiceError("name_required", field="name")

    changes = []
    if name.strip() != user.name:
        changes.append(f"Name changed from {user.name} to {name.strip()}")
        user.name = name.strip()
    if after != before:
        set_roles(user, after)
        changes.append(f"Roles now {describe_roles(after)}")
    if changes:
        _audit(actor, "staff.update", user, ". ".join(changes), before ^ after)
    if active != user.active:
        set_active(user, active)
        if active:
            _audit(actor, "staff.reactivate", user, "Reactivated", set())
        else:
            _audit(actor, "staff.deactivate", user, "Deactivated and signed out everywhere", set())


def reset_password(actor: StaffUser, user: StaffUser) -> str:
    """Give ``user`` a new generated password (returned once) and sign them out."""
    password = generate_password()
    set_password(user, password)
    user.must_change_password = True
    _audit(actor, "staff.reset_password", user, "Password reset and signed out everywhere", set())
    return password


# --- signing in -------------------------------------------------------------


# How failed sign-ins are slowed (OWASP's "account lockout" advice, without the
# lockout). Three counts of failures in the last ``window``, each a hash:
#
# - the (email, address) pair: after ``attempts`` failures, a pause of 1, 2, 4...
#   minutes (at most ``max_pause``) before that email may try again from there;
# - the account (the email, from anywhere): the same growing pause after
#   ``account_attempts``, so a guesser spread over many addresses is slowed too;
# - the address, after ``address_attempts`` failures against any emails: a much
#   higher, gentler limit that holds back made-up and recently failed accounts
#   only. A correct password for a known account with no recent failures always
#   signs in, so fifty guesses from a hub's shared office connection never lock
#   out the colleagues (or the council admin) behind it. While an address is over
#   its limit every failure there reads as "paused", so its answers do not tell a
#   guesser which emails are accounts.
#
# While paused, no password is checked. Failures, refusals and pauses are
# security events (``frontdoor.security_events``): no email, the address as a tag.


@dataclass(frozen=True)
class ThrottleRules:
    attempts: int = 5
    window: timedelta = timedelta(minutes=15)
    max_pause: timedelta = timedelta(minutes=15)
    account_attempts: int = 10
    address_attempts: int = 100


@dataclass(frozen=True)
class _Keys:
    pair: str
    account: str
    address: str


def _throttle_keys(email: str, address: str) -> _Keys:
    email = email.lower()
    return _Keys(
        pair=_sha(f"pair|{email}|{address}"),
        account=_sha(f"account|{email}"),
        address=_sha(f"address|{address}"),
    )


def _failures(key: str, since: datetime) -> tuple[int, datetime | None]:
    count, last = db.session.execute(
        select(func.count(), func.max(SignInFailure.at)).where(
            SignInFailure.key_hash == key, SignInFailure.at >= since
        )
    ).one()
    return count, last


def _pause(key: str, limit: int, now: datetime, rules: ThrottleRules) -> datetime | None:
    """When failures under ``key`` stop pausing it, if they pause it now."""
    count, last = _failures(key, now - rules.window)
    if count < limit or last is None:
        return None
    pause = min(timedelta(minutes=2 ** (count - limit)), rules.max_pause)
    return last + pause if last + pause > now else None


def paused_until(email: str, address: str, now: datetime, rules: ThrottleRules) -> datetime | None:
    """The pause on this email: from this address, or from anywhere."""
    keys = _throttle_keys(email, address)
    return _pause(keys.pair, rules.attempts, now, rules) or _pause(
        keys.account, rules.account_attempts, now, rules
    )


def _has_failed_lately(keys: _Keys, now: datetime, rules: ThrottleRules) -> bool:
    return _failures(keys.account, now - rules.window)[0] > 0


def check_password(
    email: str, password: str, *, address: str, now: datetime, rules: ThrottleRules
) -> StaffUser:
    """The account these credentials open, without signing in (a second factor may
    come next). Raises ``paused`` (too many failures; ``until`` says when it ends) or
    ``bad_credentials``: a wrong email or password and a deactivated account read the
    same to the person signing in."""
    email = email.strip().lower()
    keys = _throttle_keys(email, address)
    if until := paused_until(email, address, now, rules):
        security_events.record("sign_in_paused", address=address, rule="account")
        raise ServiceError("paused", until=until)
    busy_address = _pause(keys.address, rules.address_attempts, now, rules)
    user = find_by_email(email)
    right = verify_password(user.password_hash if user else None, password) and user is not None
    if busy_address and not (right and not _has_failed_lately(keys, now, rules)):
        if not right:
            _count_failure(keys, now)
        security_events.record("sign_in_paused", address=address, rule="address")
        raise ServiceError("paused", until=busy_address)
    if not right or user is None:
        _count_failure(keys, now)
        staff_id = user.id if user else None
        security_events.record("sign_in_failed", address=address, staff_id=staff_id)
        raise ServiceError("bad_credentials")
    if not user.active:
        security_events.record("sign_in_refused", address=address, staff_id=user.id)
        raise ServiceError("bad_credentials")
    db.session.execute(
        delete(SignInFailure).where(SignInFailure.key_hash.in_([keys.pair, keys.account]))
    )
    return user


def open_login(
    user: StaffUser,
    *,
    now: datetime,
    expires_at: datetime,
    board_display_id: int | None = None,
    single_sign_on: bool = False,
) -> str:
    """A server-side login for ``user`` (signed in by password and second factor, by
    the council's single sign-on, or a board display) ending at ``expires_at``;
    returns the cookie token, of which only the hash is kept."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffLogin(
            user_id=user.id,
            token_hash=_sha(token),
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            board_display_id=board_display_id,
            single_sign_on=single_sign_on,
        )
    )
    if board_display_id is None:
        user.last_sign_in_at = now
    how = "board display" if board_display_id else ("single sign-on" if single_sign_on else "")
    audit.record(
        "sign_in", staff_id=user.id, subject_type="staff_user", subject_id=user.id, detail=how
    )
    return token


def _count_failure(keys: _Keys, now: datetime) -> None:
    for key in (keys.pair, keys.account, keys.address):
        db.session.add(SignInFailure(key_hash=key, at=now))


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
