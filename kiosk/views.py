"""Kiosk screens. Until a device is paired to a hub it shows how to pair it."""

from __future__ import annotations

from flask import make_response, render_template

from frontdoor.staff_auth import public
from kiosk import bp


@bp.route("/")
@public
def home():
    response = make_response(render_template("kiosk/not_paired.html", title="Not set up"))
    response.headers["Cache-Control"] = "no-store"
    return response
