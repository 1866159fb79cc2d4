"""The privacy notice, one tap away on every kiosk screen: a QR code to the booking
site's privacy page, so a family can read it on their own phone, not on a shared screen."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_babel import gettext
from markupsafe import Markup

from frontdoor.qr import qr_svg


def privacy_link() -> str:
    return current_app.config["FRONTDOOR"].base_url.rstrip("/") + "/book/privacy"


@lru_cache(maxsize=32)
def _drawn(link: str, label: str) -> Markup:
    return qr_svg(link, label=label)


def privacy_qr() -> Markup:
    """The QR code (drawn once per address and language)."""
    return _drawn(privacy_link(), gettext("A QR code to read our privacy notice on your phone"))
