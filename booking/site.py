"""What the public booking site's pages share: the hub a page is about, the hub a
family chose before (a cookie), the manage link a booking's family holds, and
"never keep a copy" for pages with a family's details, and how many bookings one
address may make."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from booking.services import AddressLimit
from booking.tokens import CHECK_IN, MANAGE, link_stopped
from frontdoor import clock
from frontdoor.events import bus
from frontdoor.extensions import db, htmx
from frontdoor.models import (
    Booking,
    Hub,
    Session,
)
from frontdoor.remembered import Tag, attached, detached
from frontdoor.tokens import make_link_token, read_link_token

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
    """A session at an open hub, with its hub, series and room: remembered by each
    worker until any of them changes (``frontdoor.remembered``; a cancelled
    session is forgotten everywhere as the cancellation commits), read in one
    query otherwise."""
    kept = bus().remembered.get(
        ("session", slug, session_id), lambda: _session_rows(slug, session_id)
    )
    if kept is None:
        abort(404)
    return attached(db.session(), kept)


def _session_rows(slug: str, session_id: int) -> tuple[Session, list[Tag]] | None:
    session = db.session.scalar(
        select(Session)
        .join(Session.hub)
        .where(Session.id == session_id, Hub.slug == slug, Hub.active.is_(True))
        .options(contains_eager(Session.hub), joinedload(Session.series), joinedload(Session.room))
    )
    if session is None:
        return None
    room = detached(session.room) if session.room is not None else None
    kept = detached(session, hub=detached(session.hub), series=detached(session.series), room=room)
    rows = [("session", session.id), ("hub", session.hub_id), ("session_series", session.series_id)]
    return kept, rows + ([("room", session.room_id)] if session.room_id is not None else [])


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


class LinkExpired(Exception):
    """A genuine link to a booking that has been cancelled or changed since it was
    sent, or is over: the booking blueprint answers with the kind "expired" page."""


def manage_token(booking: Booking) -> str:
    return make_link_token(secret(), MANAGE, booking.public_id, booking.link_version)


def check_in_token(booking: Booking) -> str:
    """What the booking's QR code holds, for the kiosk's scanner."""
    return make_link_token(secret(), CHECK_IN, booking.public_id, booking.link_version)


def booking_for_link(
    secret_key: str, purpose: str, token: str, *, now: datetime
) -> Booking | str | None:
    """The booking a link of ``purpose`` names; ``"expired"`` for one sent before a
    cancel or a change, or past its booking's end; None for anything else."""
    found = read_link_token(secret_key, purpose, token)
    if found is None:
        return None
    public_id, version = found
    booking = db.session.scalar(select(Booking).where(Booking.public_id == public_id))
    if booking is None:
        return None
    if version != booking.link_version or link_stopped(booking.occasion.ends_at, now):
        return "expired"
    return booking


def booking_or_404(token: str) -> Booking:
    """The booking (of a session or an appointment) a manage token names; 404 for a
    token that is not ours, ``LinkExpired`` for one that has stopped."""
    found = booking_for_link(secret(), MANAGE, token, now=clock.now())
    if found is None:
        abort(404)
    if isinstance(found, str):
        raise LinkExpired()
    return found


# --- how many bookings one address may make --------------------------------------------


def address_limit() -> AddressLimit:
    """The public site's limit on new bookings from this request's client address."""
    config = current_app.config["FRONTDOOR"]
    return AddressLimit(
        request.remote_addr or "",
        config.public_bookings_per_address,
        timedelta(minutes=config.public_booking_window_minutes),
    )


def too_many_bookings() -> Response:
    """A calm page for an address that has made its limit: 429, with when to come
    back (``Retry-After``) in the header and in words. htmx swaps no 429 into the
    form, so an htmx request is told (``HX-Redirect``) to load this page whole."""
    minutes = current_app.config["FRONTDOOR"].public_booking_window_minutes
    if htmx:
        response = make_response("", 429)
        response.headers["HX-Redirect"] = url_for("booking.too_many_bookings_page")
    else:
        html = render_template(
            "booking/too_many_bookings.html", title=_("Too many bookings"), minutes=minutes
        )
        response = make_response(html, 429)
    response.headers["Retry-After"] = str(minutes * 60)
    return response
