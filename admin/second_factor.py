"""The second step of signing in (a code from an authenticator app), setting the
app up, and an admin resetting someone's.

A correct password alone opens nothing: the browser holds only a "password
checked" note in its signed session cookie, good for ``PENDING_LIFETIME``, and
the login (``staff_login``) is opened once the code is right. Someone without an
app where one is required sets it up here, before any staff page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)

from admin import bp
from admin.forms.account import CodeForm
from frontdoor import clock, totp
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Role, StaffSecondFactor, StaffUser
from frontdoor.qr import qr_svg
from frontdoor.staff import ThrottleRules, open_login
from frontdoor.staff_auth import public, session_rules, staff, staff_required, start_session
from frontdoor.words.staff import add_service_errors

PENDING = "password_checked"
PENDING_LIFETIME = timedelta(minutes=5)


def code_rules() -> ThrottleRules:
    """Wrong codes per account: as many as wrong passwords, then a pause for the window."""
    config = current_app.config["FRONTDOOR"]
    return ThrottleRules(
        attempts=config.sign_in_attempts, window=timedelta(minutes=config.sign_in_window_minutes)
    )


def after_password(user: StaffUser, target: str):
    """What a correct password leads to: the code step if the person has an app
    or must have one, else straight in (development and test, unless set)."""
    required = current_app.config["FRONTDOOR"].second_factor_required
    if not required and not totp.is_enrolled(user.id):
        return _open(user, target)
    session.clear()  # nothing from before the password survives
    until = clock.now() + PENDING_LIFETIME
    session[PENDING] = {"user": user.id, "until": until.isoformat(), "next": target}
    return redirect(url_for("admin.sign_in_code"))


def _open(user: StaffUser, target: str):
    now = clock.now()
    token = open_login(user, now=now, expires_at=now + session_rules().lifetime)
    db.session.commit()
    start_session(user, token)
    return redirect(target)


def _pending() -> tuple[StaffUser, str] | None:
    """The person whose password was checked in this browser, if still in time."""
    note = session.get(PENDING)
    if not isinstance(note, dict):
        return None
    try:
        until = datetime.fromisoformat(str(note["until"]))
        user = db.session.get(StaffUser, int(note["user"]))
    except (KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or clock.now() >= until:
        return None
    return user, str(note.get("next") or url_for("admin.home"))


def _enrolment(factor: StaffSecondFactor, user: StaffUser) -> dict[str, object]:
    issuer = f"Front Door ({current_app.config['FRONTDOOR'].council_name})"
    uri = totp.setup_uri(factor, email=user.email, issuer=issuer)
    return {
        "qr": qr_svg(uri, label="QR code to add Front Door to your authenticator app"),
        "secret": " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4)),
    }


def _show_recovery_codes(codes: list[str], target: str):
    """The one time recovery codes are shown: straight from the POST, never cached."""
    response = make_response(
        render_template(
            "admin/account/recovery_codes.html",
            codes=codes,
            target=target,
            title="Your recovery codes",
        )
    )
    return response


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public  # between the password and the code: it opens nothing without a checked password
def sign_in_code():
    pending = _pending()
    if pending is None:
        session.pop(PENDING, None)
        flash("Sign in again: it took too long, or you have not signed in yet", "error")
        return redirect(url_for("admin.sign_in_page"))
    user, target = pending
    form = CodeForm()
    now = clock.now()
    enrolling = not totp.is_enrolled(user.id)
    status = 200
    if form.validate_on_submit():
        try:
            if enrolling:
                codes = totp.confirm_enrolment(user, form.code.data, now=now, rules=code_rules())
            else:
                totp.check_code(user, form.code.data, now=now, rules=code_rules())
        except ServiceError as error:
            db.session.commit()  # keep the count of wrong codes
            add_service_errors(form, [error])
            status = 429 if error.code == "paused_code" else 200
        else:
            response = _open(user, target)
            return _show_recovery_codes(codes, target) if enrolling else response
    context: dict[str, object] = {}
    if enrolling:
        context = _enrolment(totp.start_enrolment(user, now=now), user)
        db.session.commit()
    template = "admin/account/enrol.html" if enrolling else "admin/account/code.html"
    title = "Set up your second factor" if enrolling else "Enter your code"
    response = make_response(render_template(template, form=form, title=title, **context), status)
    return response


@bp.route("/account/second-factor", methods=["GET", "POST"])
@staff_required(before_second_factor=True)
def account_second_factor():
    me = staff()
    form = CodeForm()
    if totp.is_enrolled(me.id):
        return render_template(
            "admin/account/second_factor.html",
            codes_left=totp.recovery_codes_left(me.id),
            title="Second factor",
        )
    if form.validate_on_submit():
        try:
            codes = totp.confirm_enrolment(me, form.code.data, now=clock.now(), rules=code_rules())
        except ServiceError as error:
            db.session.commit()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            return _show_recovery_codes(codes, url_for("admin.home"))
    context = _enrolment(totp.start_enrolment(me, now=clock.now()), me)
    db.session.commit()
    response = make_response(
        render_template(
            "admin/account/enrol.html", form=form, title="Set up your second factor", **context
        )
    )
    return response


@bp.post("/staff/<int:staff_id>/second-factor/reset")
@staff_required(Role.ADMIN)
def staff_reset_second_factor(staff_id: int):
    user = db.get_or_404(StaffUser, staff_id)
    if user.organisation_id != staff().organisation_id:
        abort(404)
    totp.reset(staff(), user)
    db.session.commit()
    flash(f"{user.name}'s second factor was reset: they set up a new one at sign-in", "success")
    return redirect(url_for("admin.staff_edit", staff_id=user.id))
