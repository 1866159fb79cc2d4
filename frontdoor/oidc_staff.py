"""Who a council single sign-on is in Front Door, and signing them in.

A person is matched on their provider's (issuer, subject) once linked, never on
their email alone. The link is made once: an admin or manager adds the account
with the person's work email (the invitation), and the first single sign-on whose
verified email matches an active account with no link yet links it. After that, a
sign-in with the same email but another subject is refused (a recycled mailbox, or
a second account given the same address), and so is a deactivated person.

Roles stay in Front Door. When the council maps provider groups to roles
(``FRONTDOOR_OIDC_GROUP_ROLES``), each sign-in makes the mapped roles match the
groups in the ID token; roles the mapping does not name are left to managers.

Refusals are logged as security events by reason (no email, subject or token) and
written to the audit log when the account is known. The caller commits, on
refusal too, so the audit entry is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from frontdoor import audit, oidc, security_events
from frontdoor.config import Config
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, Role, StaffUser
from frontdoor.oidc import Identity
from frontdoor.staff import describe_roles, find_by_email, open_login, set_roles

log = logging.getLogger("frontdoor.sso")

RoleAt = tuple[int | None, Role]


def sign_in(
    config: Config,
    pending: Mapping[str, str] | None,
    answer: Mapping[str, str],
    *,
    redirect_uri: str,
    now: datetime,
    expires_at: datetime,
) -> tuple[StaffUser, str]:
    """The provider's answer turned into a signed-in staff member and their cookie
    token for a login ending at ``expires_at`` (``frontdoor.staff.open_login``, as
    after a password and second factor), or a refusal:
    ``sso_failed`` (the sign-in itself) or ``sso_not_invited`` (the person)."""
    try:
        identity = oidc.identify(config, pending, answer, redirect_uri=redirect_uri)
        user = staff_for(identity)
    except ServiceError as error:
        log_refusal(error)
        raise
    apply_group_roles(user, identity.groups, config.oidc_group_roles)
    return user, open_login(user, now=now, expires_at=expires_at, single_sign_on=True)


def security_event(reason: str) -> None:
    """A refused sign-in in the security events (``frontdoor.security_events``), by
    reason only: no email, subject or token."""
    security_events.record("sign_in_refused", reason=reason)


def log_refusal(error: ServiceError) -> None:
    security_event(str(error.details.get("reason") or error.code))


def _refuse(user: StaffUser | None, reason: str, detail: str) -> ServiceError:
    if user is not None:
        audit.record(
            "staff.sso_refused",
            staff_id=user.id,
            subject_type="staff_user",
            subject_id=user.id,
            detail=f"Single sign-on refused: {detail}",
        )
    return ServiceError("sso_not_invited", reason=reason)


def staff_for(identity: Identity) -> StaffUser:
    """The active account linked to ``identity``, linking it on first sign-in."""
    user = db.session.scalar(
        select(StaffUser).where(
            StaffUser.oidc_issuer == identity.issuer,
            StaffUser.oidc_subject == identity.subject,
        )
    )
    if user is None:
        user = _link(identity)
    if not user.active:
        raise _refuse(user, "deactivated", "the account is deactivated")
    return user


def _link(identity: Identity) -> StaffUser:
    if not identity.email or not identity.email_verified:
        raise _refuse(None, "email_unverified", "")
    user = find_by_email(identity.email)
    if user is None:
        raise _refuse(None, "unknown_person", "")
    if user.oidc_subject is not None:
        raise _refuse(user, "linked_elsewhere", "the account is linked to another sign-in")
    if not user.active:
        raise _refuse(user, "deactivated", "the account is deactivated")
    user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
    audit.record(
        "staff.sso_linked",
        staff_id=user.id,
        subject_type="staff_user",
        subject_id=user.id,
        detail="Linked to the council's single sign-on at first sign-in",
    )
    return user


def apply_group_roles(
    user: StaffUser, groups: frozenset[str], mapping: tuple[tuple[str, str, str], ...]
) -> None:
    """Give the roles ``mapping`` grants for ``groups`` and take away the mapped
    roles whose group the person has left."""
    if not mapping:
        return
    hubs = dict(db.session.execute(select(Hub.slug, Hub.id).where(Hub.active.is_(True))).all())
    mapped: dict[RoleAt, bool] = {}
    for group, role, slug in mapping:
        if slug and slug not in hubs:
            log.warning(
                "a group role names no active hub",
                extra={"fields": {"event": "sso_group_hub_unknown", "hub": slug}},
            )
            continue
        pair = (hubs[slug] if slug else None, Role(role))
        mapped[pair] = mapped.get(pair, False) or group in groups
    held = {(r.hub_id, Role(r.role)) for r in user.roles}
    wanted = {pair for pair in held if pair not in mapped} | {p for p, on in mapped.items() if on}
    if wanted == held:
        return
    set_roles(user, wanted)
    audit.record(
        "staff.sso_roles",
        staff_id=user.id,
        subject_type="staff_user",
        subject_id=user.id,
        detail=f"Roles from the council's groups: now {describe_roles(wanted)}",
    )
