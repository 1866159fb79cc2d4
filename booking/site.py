"""What the public booking site's pages share: the hub a page is about, the hub a
family chose before (a cookie), the manage link a booking's family holds, and
"never keep a copy" for pages with a family's details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from booking.tokens import MANAGE
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    Hub,
    Session,
)
from frontdoor.tokens import make_token, read_token

# "Never keep a copy" is shared with the partner's pages: it lives in frontdoor.

HUB_COOKIE = "frontdoor_hub"
HUB_COOKIE_AGE = timedelta(days=365)


# --- finding things -----------------------------------------------------------------


def hub_or_404(slug: str) -> Hub:
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug, Hub.active.is_(True)))
    if hub is None:
        abort(404)
    return hub


def session_or_404(slug: str, session_id: int) -> Session:
    """A session at an open hub, with its hub, series and room, in one query."""
    session = db.session.scalar(
        select(Session)
        .join(Session.hub)
        .where(Session.id == session_id, Hub.slug == slug, Hub.active.is_(True))
        .options(contains_eager(Session.hub), joinedload(Session.series), joinedload(Session.room))
    )
    if session is None:
        abort(404)
    return session


def remembered_hub() -> Hub | None:
    slug = request.cookies.get(HUB_COOKIE, "")
    if not slug:
        return None
    return db.session.scalar(select(Hub).where(Hub.slug == slug[:60], Hub.active.is_(True)))


def secret() -> str:
    return current_app.config["SECRET_KEY"]


def public_url(endpoint: str, **values: Any) -> str:
    """A link that leaves the app (a calendar entry, a feed): the public base URL's."""
    base_url = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    return base_url + url_for(endpoint, **values)


def calendar_host() -> str:
    """The host that makes our calendar UIDs unique the world over (RFC 5545 3.8.4.7)."""
    return urlsplit(current_app.config["FRONTDOOR"].base_url).hostname or request.host


def manage_token(booking: Booking) -> str:
    return make_token(secret(), MANAGE, booking.id, booking.reference)


def booking_or_404(token: str) -> Booking:
    """The booking (of a session or an appointment) a manage token names, or 404."""
    found = read_token(secret(), MANAGE, token)
    if found is None:
        abort(404)
    booking_id, reference = found
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.reference != reference:
        abort(404)
    return booking
