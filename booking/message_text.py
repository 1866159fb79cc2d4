"""The words of every message about a booking, in the family's language.

Registered with the outbox (``frontdoor.outbox.register_template``); the
dispatcher renders them inside ``force_locale`` so ``gettext`` answers in the
booking's language. A language without a translation of a string falls back to
English. Every reminder ends with a link that stops reminders.

An online or hybrid session's joining link is in these messages and nowhere a
stranger could see it: only in the ones that give or remind of a place
(``JOINING``), read from the series when the message is sent (so a link the lead
changed reaches every message still to go), and only while the booking has a place.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from booking.availability import runs_online
from booking.messages import TEMPLATES
from booking.tokens import MANAGE, STOP_REMINDERS
from frontdoor.extensions import db
from frontdoor.models import Booking, BookingStatus, Delivery, OutboxMessage
from frontdoor.outbox import Links, Rendered, register_template
from frontdoor.tokens import make_link_token, make_timed_link_token


def _when(payload: dict) -> str:
    return format_datetime(datetime.fromisoformat(payload["starts_at"]), "EEEE d MMMM, HH:mm")


# The messages that give a family a place, or remind them of it: these carry the
# joining link of a session that runs online.
JOINING = ("booked", "promoted", "moved", "session_moved", "reminder")


def _where(payload: dict) -> str:
    at_hub = f"{payload['hub']}, {payload['room']}" if payload.get("room") else payload["hub"]
    delivery = payload.get("delivery", Delivery.IN_PERSON)
    if delivery == Delivery.ONLINE:
        return _("Online")
    if delivery == Delivery.HYBRID:
        return _("%(where)s, or online", where=at_hub)
    return at_hub


def _booking_id(message: OutboxMessage) -> int:
    """The booking a message is about: ``queue_booking_message`` always names one."""
    if message.booking_id is None:
        raise ValueError(f"outbox message {message.id} names no booking")
    return message.booking_id


def _manage_link(message: OutboxMessage, links: Links) -> str:
    """The booking's manage link as it is when the message is sent, so a message
    queued before a cancel or a change still carries a link that opens."""
    booking = db.session.get_one(Booking, _booking_id(message))
    token = make_link_token(links.secret_key, MANAGE, booking.public_id, booking.link_version)
    return links.url(f"/book/bookings/{token}")


def joining_link(message: OutboxMessage, template: str) -> str:
    """The session's joining link, for a message that gives or reminds of a place
    at a session that runs online, while the booking has one; else ""."""
    if template not in JOINING or message.booking_id is None:
        return ""
    booking = db.session.get(Booking, message.booking_id)
    session = booking.session if booking is not None else None
    if session is None or booking is None or booking.status != BookingStatus.CONFIRMED:
        return ""
    return session.series.joining_link if runs_online(session) else ""


def stop_link(message: OutboxMessage, links: Links) -> str:
    """Stops reminders whatever changed since (the version is not checked)."""
    booking = db.session.get_one(Booking, _booking_id(message))
    token = make_timed_link_token(
        links.secret_key, STOP_REMINDERS, booking.public_id, booking.link_version
    )
    return links.url(f"/book/reminders/stop/{token}")


def _lines(*lines: str) -> str:
    return "\n\n".join(line for line in lines if line)


def _headline(template: str, payload: dict) -> str:
    names = {"title": payload["title"], "when": _when(payload)}
    return {
        "booked": _("You are booked on %(title)s, %(when)s.", **names),
        "waiting": _("You are on the waiting list for %(title)s, %(when)s.", **names),
        "promoted": _(
            "Good news: a place came up. You are now booked on %(title)s, %(when)s.", **names
        ),
        "cancelled": _("Your booking for %(title)s, %(when)s, is cancelled.", **names),
        "moved": _("Your booking has moved to %(title)s, %(when)s.", **names),
        "session_cancelled": _(
            "Sorry, %(title)s on %(when)s is cancelled. Your booking is cancelled too.", **names
        ),
        "session_moved": _("%(title)s has moved. It is now on %(when)s.", **names),
        "reminder": _("A reminder: you are booked on %(title)s, %(when)s.", **names),
    }[template]


def _subject(template: str, payload: dict) -> str:
    title = payload["title"]
    return {
        "booked": _("Booked: %(title)s", title=title),
        "waiting": _("Waiting list: %(title)s", title=title),
        "promoted": _("You have a place: %(title)s", title=title),
        "cancelled": _("Cancelled: %(title)s", title=title),
        "moved": _("Booking moved: %(title)s", title=title),
        "session_cancelled": _("Session cancelled: %(title)s", title=title),
        "session_moved": _("New time: %(title)s", title=title),
        "reminder": _("Reminder: %(title)s", title=title),
    }[template]


def render_booking_message(message: OutboxMessage, links: Links) -> Rendered:
    payload = message.payload
    template = message.template
    reason = payload.get("reason", "")
    live = template not in ("cancelled", "session_cancelled")
    link = joining_link(message, template)
    join = _("Join online: %(link)s", link=link) if link else ""
    if message.channel == "sms":
        parts = [
            _headline(template, payload),
            join,
            _("Reference %(reference)s.", reference=payload["reference"]),
        ]
        if template == "reminder":
            parts.append(_("Stop reminders: %(link)s", link=stop_link(message, links)))
        return Rendered("", " ".join(part for part in parts if part))
    body = _lines(
        _("Hello %(name)s,", name=payload.get("first_name", "")),
        _headline(template, payload),
        _("Where: %(where)s", where=_where(payload)),
        join,
        _("Reason: %(reason)s", reason=reason) if reason else "",
        _("Your reference: %(reference)s", reference=payload["reference"]),
        _("See or change your booking: %(link)s", link=_manage_link(message, links))
        if live
        else "",
        _("Do not want these reminders? Stop them here: %(link)s", link=stop_link(message, links))
        if template == "reminder"
        else "",
    )
    return Rendered(_subject(template, payload), body)


def reminder_still_wanted(message: OutboxMessage, now: datetime) -> str:
    """A reminder goes only to a live, confirmed booking whose family still wants
    reminders, before its session starts, unless the session was cancelled or has
    moved since (the family was told the new time, and reminders for it follow)."""
    booking = db.session.get(Booking, message.booking_id) if message.booking_id else None
    if booking is None or booking.reference != message.payload.get("reference"):
        return "booking_gone"
    if booking.status != BookingStatus.CONFIRMED:
        return "booking_not_confirmed"
    if not booking.reminders:
        return "reminders_off"
    happening = booking.session if booking.session_id else booking.appointment
    if happening is None or getattr(happening, "is_cancelled", False):
        return "session_cancelled"
    if getattr(happening, "status", "") == "cancelled":
        return "session_cancelled"
    if now >= happening.starts_at:
        return "too_late"
    if message.payload.get("starts_at") != happening.starts_at.isoformat():
        return "moved"
    return ""


def register() -> None:
    """Words for every message bookings queue; a reminder is checked again before it goes."""
    for name in TEMPLATES:
        still_wanted = reminder_still_wanted if name == "reminder" else None
        register_template(name, render_booking_message, still_wanted)
