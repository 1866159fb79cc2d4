"""One's own account (password, second factor, where one is signed in, signing out
there or everywhere), and an admin ending someone else's sign-ins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from admin import bp
from admin.forms.account import ChangePasswordForm
from frontdoor import clock, totp
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Role, StaffUser
from frontdoor.staff_auth import session_rules, staff, staff_required
from frontdoor.staff_sessions import (
    change_password,
    end_sessions_of,
    is_this_browser,
    open_logins_of,
    sign_out_everywhere,
    sign_out_there,
)
from frontdoor.words.staff import add_service_errors


@bp.route("/account")
@staff_required()
def account():
    me = staff()
    logins = open_logins_of(me, now=clock.now(), rules=session_rules())
    return render_template(
        "admin/account/account.html",
        enrolled=totp.is_enrolled(me.id),
        logins=[(login, is_this_browser(login, current_user.token)) for login in logins],
        title="Your account",
    )


@bp.route("/account/password", methods=["GET", "POST"])
@staff_required(before_password_change=True)
def account_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                staff(),
                current=form.current.data,
                new=form.new.data,
                keep_token=current_user.token,
                now=clock.now(),
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash("Your password was changed. Other browsers were signed out", "success")
            return redirect(url_for("admin.account"))
    return render_template(
        "admin/account/password.html",
        form=form,
        must_change=staff().must_change_password,
        title="Change your password",
    )


@bp.post("/account/sign-out-everywhere")
@staff_required(before_second_factor=True)
def account_sign_out_everywhere():
    sign_out_everywhere(staff(), now=clock.now())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out everywhere", "success")
    return redirect(url_for("admin.sign_in_page"))


@bp.post("/account/sign-ins/<int:login_id>/end")
@staff_required()
def account_sign_out_there(login_id: int):
    if not sign_out_there(staff(), login_id, now=clock.now()):
        abort(404)
    db.session.commit()
    flash("You were signed out there", "success")
    return redirect(url_for("admin.account"))


@bp.post("/staff/<int:staff_id>/sessions/end")
@staff_required(Role.ADMIN)
def staff_end_sessions(staff_id: int):
    user = db.get_or_404(StaffUser, staff_id)
    if user.organisation_id != staff().organisation_id:
        abort(404)
    end_sessions_of(staff(), user, now=clock.now())
    db.session.commit()
    flash(f"{user.name} was signed out everywhere", "success")
    return redirect(url_for("admin.staff_edit", staff_id=user.id))
