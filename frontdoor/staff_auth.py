"""Staff sign-in state and the role rule every staff route must declare.

The cookie holds a random login token; the server keeps its hash in
``staff_login``. Ending that row signs the browser out, whatever the cookie says.

Every staff view is decorated with ``@staff_required(roles...)`` (or
``@signed_in_only`` for pages any staff member may see). The decorator records its
rule on the view so ``tests/test_role_matrix.py`` can check every route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time, timedelta
from functools import wraps
from typing import TypeVar

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from frontdoor import clock, totp
from frontdoor.extensions import db, login_manager
from frontdoor.models import Hub, Role, StaffUser
from frontdoor.staff import login_for_token, sign_out
from frontdoor.staff_sessions import SessionRules, end_login, still_open

F = TypeVar("F", bound=Callable)
ALL_ROLES = frozenset(Role)
_SEEN_EVERY = timedelta(minutes=1)


class StaffIdentity:
    """What Flask-Login calls "the user": a staff member seen through one login."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(
        self,
        user: StaffUser,
        token: str,
        board_hub_id: int | None = None,
        single_sign_on: bool = False,
    ) -> None:
        # A board display sees as reception at its one hub, whoever added it.
        self.user = BoardViewer(user, board_hub_id) if board_hub_id is not None else user
        self.token = token
        self.board_hub_id = board_hub_id
        self.single_sign_on = single_sign_on

    def get_id(self) -> str:
        return self.token

    def __getattr__(self, name: str):
        return getattr(self.user, name)


class BoardViewer:
    """The person behind a reception board display, seen with reception's role at
    the display's hub and no role anywhere else."""

    def __init__(self, user: StaffUser, hub_id: int) -> None:
        self._user = user
        self._hub_id = hub_id
        self.roles: list = []

    def is_admin(self) -> bool:
        return False

    def roles_at(self, hub_id: int) -> set[Role]:
        return {Role.RECEPTION} if hub_id == self._hub_id else set()

    def hub_ids(self) -> set[int]:
        return {self._hub_id}

    def __getattr__(self, name: str):
        return getattr(self._user, name)


def session_rules() -> SessionRules:
    config = current_app.config["FRONTDOOR"]
    hours, _, minutes = config.board_display_ends_at.partition(":")
    return SessionRules(
        idle=timedelta(minutes=config.staff_idle_minutes),
        lifetime=timedelta(hours=config.staff_session_hours),
        board_ends_at=time(int(hours), int(minutes)),
    )


def _load(token: str) -> StaffIdentity | None:
    login = login_for_token(token)
    if login is None:
        return None
    now = clock.now()
    # Checked before ``last_seen_at`` is touched, or a late request would revive it.
    if not still_open(login, now=now, rules=session_rules()):
        end_login(login, now=now)
        db.session.commit()
        return None
    if now - login.last_seen_at > _SEEN_EVERY and not _in_background():
        login.last_seen_at = now
        db.session.commit()
    board = login.board_display
    return StaffIdentity(
        login.user,
        token,
        board.hub_id if board is not None else None,
        single_sign_on=login.single_sign_on,
    )


def _in_background() -> bool:
    """An open event stream reconnects by itself: it is not someone using the page."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "in_background", False))


def start_session(user: StaffUser, token: str) -> None:
    """A fresh session identifier at sign-in: nothing from before survives."""
    session.clear()
    login_user(StaffIdentity(user, token))
    session.permanent = False


def end_session() -> None:
    if current_user.is_authenticated:
        sign_out(current_user.token, now=clock.now())
        db.session.commit()
    logout_user()
    session.clear()


def staff() -> StaffUser:
    return current_user.user


def hub_from_request() -> Hub | None:
    """The hub a staff request is about: the ``hub`` URL part or query, by slug."""
    slug = (request.view_args or {}).get("hub") or request.values.get("hub")
    if not slug:
        return None
    hub = db.session.query(Hub).filter_by(slug=str(slug)).one_or_none()
    if hub is None:
        abort(404)
    return hub


def require_role_at(hub_id: int, roles: Iterable[Role]) -> None:
    """Abort with 403 unless the signed-in person holds one of ``roles`` at the hub."""
    if not staff().roles_at(hub_id) & set(roles):
        abort(403)


def hubs_for(user: StaffUser, roles: Iterable[Role]) -> list[Hub]:
    """Active hubs where ``user`` holds one of ``roles``, by name."""
    wanted = set(roles)
    return [hub for hub in _active_hubs() if user.roles_at(hub.id) & wanted]


def _active_hubs() -> list[Hub]:
    # Asked several times a page (menu, hub chooser, role checks): once per request.
    if "active_hubs" not in g:
        g.active_hubs = db.session.query(Hub).filter_by(active=True).order_by(Hub.name).all()
    return g.active_hubs


def staff_required(
    *roles: Role,
    board_display: bool = False,
    before_second_factor: bool = False,
    before_password_change: bool = False,
) -> Callable[[F], F]:
    """Signed in, and holding one of ``roles``: at the hub the request names, or
    (when it names none) at some hub. Views that load a record by id check the
    record's own hub with ``require_role_at``.

    A reception board display is refused everywhere but views that say
    ``board_display=True`` (its hub's board). Where a second factor is required,
    someone without one is sent to set it up first, from every view but those
    that say ``before_second_factor=True`` (setting it up). Someone signed in with a
    password a manager or admin generated is sent to change it first, from every
    view but those that say ``before_password_change=True`` or
    ``before_second_factor=True``."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.board_hub_id is not None and not board_display:
                abort(403)
            if not before_second_factor and _second_factor_missing():
                return redirect(url_for("admin.account_second_factor"))
            if not (before_password_change or before_second_factor) and _must_change_password():
                return redirect(url_for("admin.account_password"))
            hub = hub_from_request()
            if hub is not None:
                require_role_at(hub.id, allowed)
                g.hub = hub
            elif not hubs_for(staff(), allowed):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_roles = allowed  # type: ignore[attr-defined]
        guarded.board_display = board_display  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def _second_factor_missing() -> bool:
    """A person (not a board display) without a second factor where one is required.
    A login through the council's single sign-on had the council's own second factor."""
    if not current_app.config["FRONTDOOR"].second_factor_required:
        return False
    if current_user.board_hub_id is not None or current_user.single_sign_on:
        return False
    return not totp.is_enrolled(current_user.user.id)


def _must_change_password() -> bool:
    """A person signed in with a generated password. Not a board display (it is not
    the person at the keyboard), nor a single sign-on (no password was used)."""
    if current_user.board_hub_id is not None or current_user.single_sign_on:
        return False
    return bool(current_user.user.must_change_password)


def in_background(view: F) -> F:
    """Marks a view whose requests do not count as someone using Front Door (an
    event stream reconnecting), so they do not hold off the idle time-out."""
    view.in_background = True  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Marks a view as open to anyone, so the role matrix test knows it is meant."""
    view.public = True  # type: ignore[attr-defined]
    return view


def _unauthorized():
    """Signed out: a page goes to sign-in; an htmx request is told to go there."""
    target = url_for(login_manager.login_view, next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.login_view = "admin.sign_in_page"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load)
