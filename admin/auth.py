"""Signing in and out."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from admin import bp
from admin.forms.auth import SignInForm
from admin.second_factor import after_password
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.oidc_staff import security_event
from frontdoor.security import forget_site
from frontdoor.staff import ThrottleRules, check_password
from frontdoor.staff_auth import end_session, public
from frontdoor.words.staff import for_staff


def _rules() -> ThrottleRules:
    config = current_app.config["FRONTDOOR"]
    return ThrottleRules(
        attempts=config.sign_in_attempts,
        window=timedelta(minutes=config.sign_in_window_minutes),
        max_pause=timedelta(minutes=config.sign_in_pause_max_minutes),
    )


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in_page():
    if request.method == "POST" and not current_app.config["FRONTDOOR"].password_sign_in:
        security_event("password_sign_in_off")  # the council signs in only by SSO
        abort(403)
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = check_password(
                form.email.data,
                form.password.data,
                address=request.remote_addr or "",
                now=clock.now(),
                rules=_rules(),
            )
        except ServiceError as error:
            db.session.commit()  # keep the failure count
            form.form_errors.append(for_staff(error))
            form.password.errors = [for_staff(error)]
            page = render_template("admin/sign_in.html", form=form, title="Sign in")
            if error.code != "paused":
                return page
            wait = error.details["until"] - clock.now()
            return page, 429, {"Retry-After": str(max(1, int(wait.total_seconds())))}
        db.session.commit()
        # A password alone opens no login: the second factor decides what comes next.
        return after_password(user, _safe_next(request.args.get("next")))
    if request.args.get("signed_out"):
        flash("You have signed out", "success")
    return render_template("admin/sign_in.html", form=form, title="Sign in")


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    end_session()
    # The browser drops every cookie on this answer (Clear-Site-Data), a flashed
    # message with them: the sign-in page says "signed out" from its address.
    return forget_site(redirect(url_for("admin.sign_in_page", signed_out=1)))
