"""How long a staff sign-in lasts, and ending sign-ins on purpose.

A login (``staff_login``) ends when any of these comes first:

- ``idle`` passes with no request. ``last_seen_at`` is written at most once a
  minute (``staff_auth``), so it may be up to a minute older than the last
  request: the rule is checked against it, before it is touched, so a login
  never outlives ``idle`` of quiet, and at worst ends less than a minute early;
- ``expires_at`` (set when it opens: ``lifetime`` for a person, the end of the
  working day for a board display);
- someone ends it: sign-out, sign out everywhere, a password change, an admin.

A reception board display is a login of its own kind: it belongs to the manager
who added the display, may show one hub's arrivals board and nothing else, and
has no idle rule (nobody touches a wall screen).

The caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import delete, select, update

from frontdoor import audit, clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import BoardDisplay, StaffLogin, StaffUser
from frontdoor.password_rules import check_new_password
from frontdoor.passwords import hash_password, verify_password
from frontdoor.staff import end_logins, open_login

PAIRING_LIFETIME = timedelta(minutes=30)
# Pairing codes: no 0/O, 1/I/L, read off one screen and typed on another.
_CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)
    board_ends_at: time = time(19, 0)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def still_open(login: StaffLogin, *, now: datetime, rules: SessionRules) -> bool:
    """Whether an open login may still be used at ``now`` (see the module's rules)."""
    ends = login.expires_at or login.created_at + rules.lifetime
    if now >= ends:
        return False
    return login.board_display_id is not None or now - login.last_seen_at < rules.idle


def end_login(login: StaffLogin, *, now: datetime) -> None:
    login.ended_at = now


def _end_all_but(user_id: int, keep_token_hash: str | None, now: datetime) -> None:
    query = update(StaffLogin).where(
        StaffLogin.user_id == user_id,
        StaffLogin.ended_at.is_(None),
        StaffLogin.board_display_id.is_(None),
    )
    if keep_token_hash is not None:
        query = query.where(StaffLogin.token_hash != keep_token_hash)
    db.session.execute(query.values(ended_at=now))


def sign_out_everywhere(user: StaffUser, *, now: datetime) -> None:
    """End every sign-in of ``user`` in every browser, this one too. Board
    displays they added keep showing the board (they are ended on their page)."""
    _end_all_but(user.id, None, now)
    audit.record(
        "staff.sign_out_everywhere",
        staff_id=user.id,
        subject_type="staff_user",
        subject_id=user.id,
        detail="Signed out everywhere",
    )


def end_sessions_of(actor: StaffUser, user: StaffUser, *, now: datetime) -> None:
    """An admin ends every sign-in of ``user``, board displays they added included."""
    end_logins(user.id, now=now)
    audit.record(
        "staff.end_sessions",
        staff_id=actor.id,
        subject_type="staff_user",
        subject_id=user.id,
        detail=f"Signed {user.name} out everywhere",
    )


def change_password(
    user: StaffUser, *, current: str, new: str, keep_token: str, now: datetime
) -> None:
    """Change one's own password: the current one first, the new one by the usual
    rules. Every other browser is signed out; this one stays signed in. A password
    someone else generated is now the person's own (``must_change_password``).
    Raises ``wrong_password`` or ``weak_password``."""
    if not verify_password(user.password_hash, current):
        raise ServiceError("wrong_password", field="current")
    check_new_password(
        new, organisation_id=user.organisation_id, email=user.email, name=user.name, field="new"
    )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    _end_all_but(user.id, _sha(keep_token), now)
    audit.record(
        "staff.change_password",
        staff_id=user.id,
        subject_type="staff_user",
        subject_id=user.id,
        detail="Changed their password; other browsers signed out",
    )


# --- one's own open sign-ins (Your account: "Where you are signed in") -----------------


def open_logins_of(user: StaffUser, *, now: datetime, rules: SessionRules) -> list[StaffLogin]:
    """``user``'s sign-ins still open at ``now``, newest first: their browsers and the
    board displays they added. The caller shows when and what, never a token."""
    logins = db.session.scalars(
        select(StaffLogin)
        .where(StaffLogin.user_id == user.id, StaffLogin.ended_at.is_(None))
        .order_by(StaffLogin.created_at.desc(), StaffLogin.id.desc())
    )
    return [login for login in logins if still_open(login, now=now, rules=rules)]


def is_this_browser(login: StaffLogin, token: str) -> bool:
    return login.token_hash == _sha(token)


def sign_out_there(user: StaffUser, login_id: int, *, now: datetime) -> bool:
    """End one of ``user``'s own open sign-ins ("Sign out there"), audited. False when
    ``login_id`` is not an open sign-in of theirs (someone else's is never touched)."""
    login = db.session.get(StaffLogin, login_id)
    if login is None or login.user_id != user.id or login.ended_at is not None:
        return False
    end_login(login, now=now)
    what = "a board display" if login.board_display_id is not None else "another browser"
    audit.record(
        "staff.sign_out_there",
        staff_id=user.id,
        subject_type="staff_user",
        subject_id=user.id,
        detail=f"Signed out of {what}",
    )
    return True


# --- reception board displays ---------------------------------------------------------


def board_ends_at(now: datetime, rules: SessionRules) -> datetime:
    """The end of this working day (the next ``board_ends_at``, London time), or
    ``lifetime`` from now if that comes first."""
    local = clock.local(now)
    end = local.replace(
        hour=rules.board_ends_at.hour, minute=rules.board_ends_at.minute, second=0, microsecond=0
    )
    if end <= local:
        end = (local + timedelta(days=1)).replace(
            hour=rules.board_ends_at.hour, minute=rules.board_ends_at.minute
        )
    return min(end.astimezone(now.tzinfo), now + rules.lifetime)


def add_board_display(
    actor: StaffUser, hub_id: int, name: str, *, now: datetime
) -> tuple[BoardDisplay, str]:
    """A board display for one hub, and its one-time pairing code (shown once)."""
    if not name.strip():
        raise ServiceError("name_required", field="name")
    display = BoardDisplay(hub_id=hub_id, name=name.strip()[:120], created_by_id=actor.id)
    display.created_at = now
    db.session.add(display)
    code = new_pairing_code(display, now=now)
    db.session.flush()
    audit.record(
        "board_display.create",
        staff_id=actor.id,
        subject_type="board_display",
        subject_id=display.id,
        hub_id=hub_id,
        detail=f"Added board display {display.name}",
    )
    return display, code


def new_pairing_code(display: BoardDisplay, *, now: datetime) -> str:
    """A fresh code (any earlier one stops working), like ``K7MQ-W3XP``."""
    code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
    display.pairing_code_hash = _sha(code)
    display.pairing_expires_at = now + PAIRING_LIFETIME
    return f"{code[:4]}-{code[4:]}"


def pair_board_display(
    code: str, *, now: datetime, rules: SessionRules
) -> tuple[BoardDisplay, StaffUser, str]:
    """Exchange a pairing code for a board display login (codes work once);
    returns the display, the login's owner and its cookie token. Raises ``invalid_code`` or
    ``expired_code``."""
    cleaned = "".join(code.upper().replace("-", "").split())
    display = db.session.scalar(
        select(BoardDisplay).where(BoardDisplay.pairing_code_hash == _sha(cleaned))
    )
    if display is None:
        raise ServiceError("invalid_code", field="code")
    if display.pairing_expires_at is None or now >= display.pairing_expires_at:
        raise ServiceError("expired_code", field="code")
    owner = db.session.get(StaffUser, display.created_by_id)
    if owner is None or not owner.active:
        raise ServiceError("invalid_code", field="code")
    display.pairing_code_hash = None
    display.pairing_expires_at = None
    display.paired_at = now
    audit.record(
        "board_display.pair",
        staff_id=None,
        subject_type="board_display",
        subject_id=display.id,
        hub_id=display.hub_id,
        detail=f"Board display {display.name} paired",
    )
    token = open_login(
        owner, now=now, expires_at=board_ends_at(now, rules), board_display_id=display.id
    )
    return display, owner, token


def board_displays_at(hub_id: int, *, now: datetime) -> list[tuple[BoardDisplay, bool]]:
    """A hub's board displays, each with whether it is showing the board now."""
    displays = db.session.scalars(
        select(BoardDisplay).where(BoardDisplay.hub_id == hub_id).order_by(BoardDisplay.name)
    ).all()
    showing = set(
        db.session.scalars(
            select(StaffLogin.board_display_id).where(
                StaffLogin.board_display_id.in_([d.id for d in displays]),
                StaffLogin.ended_at.is_(None),
                StaffLogin.expires_at > now,
            )
        )
    )
    return [(display, display.id in showing) for display in displays]


def remove_board_display(actor: StaffUser, display: BoardDisplay, *, now: datetime) -> None:
    """Stop a board display at once and forget it (its logins go with it)."""
    db.session.execute(delete(StaffLogin).where(StaffLogin.board_display_id == display.id))
    audit.record(
        "board_display.remove",
        staff_id=actor.id,
        subject_type="board_display",
        subject_id=display.id,
        hub_id=display.hub_id,
        detail=f"Removed board display {display.name}",
    )
    db.session.delete(display)
