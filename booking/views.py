"""Public booking pages."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from sqlalchemy import select

from booking import bp
from frontdoor.extensions import db
from frontdoor.models import Hub
from frontdoor.staff_auth import public


@public
def root():
    return redirect(url_for("booking.choose_hub"))


@bp.route("/")
@public
def choose_hub():
    hubs = db.session.scalars(select(Hub).where(Hub.active.is_(True)).order_by(Hub.name)).all()
    return render_template("booking/choose_hub.html", hubs=hubs, title="Choose your family hub")
