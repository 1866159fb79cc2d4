"""Council single sign-on: off to the council's provider, and back.

The protocol is ``frontdoor.oidc``'s; who the person is, ``frontdoor.oidc_staff``'s.
A successful sign-in opens the same server-side login as a password does
(``frontdoor.staff.open_login``, ``frontdoor.staff_auth.start_session``).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, session, url_for

from admin import bp
from admin.auth import _safe_next
from frontdoor import clock, oidc, oidc_staff
from frontdoor.config import Config
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.staff_auth import public, session_rules, start_session
from frontdoor.words.staff import for_staff

# Where the browser's session keeps the state, nonce, PKCE verifier and next page
# between leaving for the provider and coming back.
PENDING = "sso_pending"


def _config() -> Config:
    config: Config = current_app.config["FRONTDOOR"]
    if not config.single_sign_on:
        abort(404)
    return config


def _redirect_uri(config: Config) -> str:
    # From configuration, never from the request's Host header: it is registered
    # with the provider and must be exactly this.
    return config.base_url.rstrip("/") + url_for("admin.sso_callback")


def _refused(error: ServiceError):
    oidc_staff.log_refusal(error)
    flash(for_staff(error), "error")
    return redirect(url_for("admin.sign_in_page"))


@bp.route("/sign-in/sso")
@public
def sso_start():
    config = _config()
    try:
        url, pending = oidc.begin(config, _redirect_uri(config))
    except ServiceError as error:
        return _refused(error)
    session[PENDING] = {**pending, "next": _safe_next(request.args.get("next"))}
    return redirect(url)


@bp.route("/sign-in/sso/callback")
@public
def sso_callback():
    config = _config()
    pending = session.pop(PENDING, None)
    now = clock.now()
    try:
        user, token = oidc_staff.sign_in(
            config, pending, request.args, redirect_uri=_redirect_uri(config), now=now,
            expires_at=now + session_rules().lifetime,
        )  # fmt: skip
    except ServiceError as error:
        db.session.commit()  # keep the audit of a refused account
        flash(for_staff(error), "error")
        return redirect(url_for("admin.sign_in_page"))
    db.session.commit()
    start_session(user, token)
    return redirect(_safe_next(pending["next"] if pending else None))
