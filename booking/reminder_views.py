"""The public "stop reminders" page every reminder links to.

The link carries a signed, timed token (its own salt); a tampered or expired
link gets plain words, never an error page. GET asks, POST stops, so a mail
scanner that opens links changes nothing.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from booking import bp
from booking.finding import stop_reminders
from booking.tokens import STOP_REMINDERS, STOP_REMINDERS_DAYS
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.security import no_store
from frontdoor.staff_auth import public
from frontdoor.tokens import read_timed_link_token


def _read(token: str) -> tuple[str, int] | str:
    return read_timed_link_token(
        current_app.config["SECRET_KEY"],
        STOP_REMINDERS,
        token,
        max_age_seconds=STOP_REMINDERS_DAYS * 86400,
    )


def _problem(kind: str):
    title = _("This link has expired") if kind == "expired" else _("This link does not work")
    return render_template("booking/reminders_stop.html", problem=kind, title=title), (
        410 if kind == "expired" else 404
    )


@bp.route("/reminders/stop/<token>", methods=["GET", "POST"])
@public
@no_store
def stop_reminders_page(token: str):
    found = _read(token)
    if isinstance(found, str):
        return _problem(found)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            stop_reminders(found[0])
        except ServiceError:
            db.session.rollback()
            return _problem("invalid")
        db.session.commit()
        return render_template(
            "booking/reminders_stop.html", stopped=True, title=_("Reminders are off")
        )
    return render_template("booking/reminders_stop.html", form=form, title=_("Stop reminders"))
