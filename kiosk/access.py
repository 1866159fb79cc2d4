"""The device rule: every kiosk screen needs a paired, unrevoked kiosk device.

The device's credential lives in its own HttpOnly cookie, sent only to /kiosk
(SameSite=Strict), apart from the session cookie staff sign in with: a kiosk
grants no staff access, and a staff sign-in grants no kiosk access.
``@kiosk_required`` records itself on the view (``kiosk_device``) so the role
matrix test can check every route declares its rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import TypeVar

from flask import Response, current_app, g, make_response, render_template, request

from frontdoor import clock
from frontdoor.extensions import db
from kiosk import pairing

F = TypeVar("F", bound=Callable)

COOKIE = "frontdoor_kiosk"
COOKIE_PATH = "/kiosk"
# Browsers keep a cookie at most 400 days; the kiosk renews it on every visit home.
COOKIE_AGE = timedelta(days=400)


def set_device_cookie(response: Response, credential: str) -> None:
    response.set_cookie(
        COOKIE,
        credential,
        max_age=int(COOKIE_AGE.total_seconds()),
        path=COOKIE_PATH,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Strict",
    )


def not_set_up() -> Response:
    """What an unpaired or revoked screen shows: nothing else, and no way in."""
    response = make_response(render_template("kiosk/not_paired.html"), 403)
    response.headers["Cache-Control"] = "no-store"
    return response


def kiosk_required(view: F) -> F:
    """A paired kiosk device, found from its cookie; sets ``g.kiosk`` and ``g.hub``."""

    @wraps(view)
    def guarded(*args, **kwargs):
        device = pairing.device_for(request.cookies.get(COOKIE), now=clock.now())
        if device is None or not device.hub.active:
            db.session.rollback()
            return not_set_up()
        if db.session.dirty:
            db.session.commit()  # last seen, at most once a minute: no reload otherwise
        g.kiosk = device
        g.hub = device.hub
        return view(*args, **kwargs)

    guarded.kiosk_device = True  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]
