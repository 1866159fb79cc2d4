"""Public pages for booking an appointment with a practitioner.

The hub's appointment types; a slot finder, a week of days at a time; and the
booking form for one slot. Thin views: read the request, call one service in
``booking.appointments``, render. Every view is ``@public`` and works without
JavaScript. Bad input (a made-up time, someone who does not offer the type, a
type from another hub) is a 404 or a plain message, never an error page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking import bp
from booking.appointments import book_appointment
from booking.forms import AppointmentForm
from booking.site import address_limit, manage_token, too_many_bookings
from booking.slots import Slot, find_slot, first_name, free_slots
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import new_nonce, whole_id
from frontdoor.models import AppointmentType, BookingSource, Hub, StaffUser
from frontdoor.staff_auth import public
from frontdoor.templating import page_language
from frontdoor.words.families import for_family

DAYS_PER_PAGE = 7


SLOT_GONE = ("slot_taken", "too_soon", "too_far", "not_offered", "hub_closed")


# --- the form ---------------------------------------------------------------------------------


# --- finding things ------------------------------------------------------------------------


def _hub(slug: str) -> Hub:
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug, Hub.active.is_(True)))
    if hub is None:
        abort(404)
    return hub


def _type_at(hub: Hub, type_id: int) -> AppointmentType:
    kind = db.session.get(AppointmentType, type_id)
    if kind is None or kind.hub_id != hub.id or not kind.active:
        abort(404)
    return kind


def _day(typed: str | None) -> date | None:
    try:
        return date.fromisoformat((typed or "")[:10])
    except ValueError:
        return None


def _instant(typed: str | None) -> datetime | None:
    """A UTC instant from the link (``2026-11-25T09:40Z``); None if it is not one."""
    try:
        moment = datetime.fromisoformat((typed or "").strip()[:40])
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def start_param(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _offered_by(kind: AppointmentType) -> list[StaffUser]:
    return [p for p in kind.practitioners if p.active]


def _from(day: date, practitioner: int | None = None) -> dict[str, Any]:
    """The slot list's query from ``day`` (``from`` is a Python keyword, so it is
    passed to ``url_for`` as a mapping), and the practitioner if one was chosen."""
    query: dict[str, Any] = {"from": day.isoformat()}
    if practitioner:
        query["practitioner"] = practitioner
    return query


# --- the pages ---------------------------------------------------------------------------------


@bp.route("/<slug:hub>/appointments")
@public
def appointment_types(hub: str):
    place = _hub(hub)
    kinds = db.session.scalars(
        select(AppointmentType)
        .where(AppointmentType.hub_id == place.id, AppointmentType.active.is_(True))
        .order_by(AppointmentType.name)
    ).all()
    return render_template(
        "booking/appointments/types.html",
        hub=place,
        kinds=[k for k in kinds if _offered_by(k)],
        title=_("Book an appointment at %(hub)s", hub=place.name),
    )


@bp.route("/<slug:hub>/appointments/<int:type_id>")
@public
def appointment_slots(hub: str, type_id: int):
    place = _hub(hub)
    kind = _type_at(place, type_id)
    now = clock.now()
    today = now.astimezone(ZoneInfo(place.timezone)).date()
    last = today + timedelta(days=kind.max_days_ahead)
    start = min(max(_day(request.args.get("from")) or today, today), last)
    offered = _offered_by(kind)
    chosen = whole_id(request.args.get("practitioner"))
    if chosen not in {p.id for p in offered}:
        chosen = None
    days = free_slots(kind.id, day_from=start, days=DAYS_PER_PAGE, now=now, practitioner_id=chosen)
    previous = max(start - timedelta(days=DAYS_PER_PAGE), today) if start > today else None
    following = start + timedelta(days=DAYS_PER_PAGE)

    def page_url(day: date) -> str:
        return url_for(
            "booking.appointment_slots",
            hub=place.slug,
            type_id=kind.id,
            **_from(day, chosen),
        )

    def slot_url(slot: Slot) -> str:
        return url_for(
            "booking.appointment_book",
            hub=place.slug,
            type_id=kind.id,
            practitioner=slot.practitioner_id,
            start=start_param(slot.starts_at),
        )

    return render_template(
        "booking/appointments/slots.html",
        hub=place,
        kind=kind,
        days=[(day, _by_practitioner(slots)) for day, slots in days.items() if day <= last],
        offered=offered,
        chosen=chosen,
        previous_url=page_url(previous) if previous else None,
        next_url=page_url(following) if following <= last else None,
        slot_url=slot_url,
        first_name=first_name,
        title=kind.name,
    )


def _by_practitioner(slots: list[Slot]) -> list[tuple[str, list[Slot]]]:
    """One row of times per practitioner, in the order they first have a time."""
    rows: dict[int, tuple[str, list[Slot]]] = {}
    for slot in slots:
        rows.setdefault(slot.practitioner_id, (slot.practitioner_first_name, []))[1].append(slot)
    return list(rows.values())


def _slot_gone(place: Hub, kind: AppointmentType, starts_at: datetime, error: ServiceError):
    day = starts_at.astimezone(ZoneInfo(place.timezone)).date()
    return render_template(
        "booking/appointments/unavailable.html",
        hub=place,
        kind=kind,
        message=for_family(error),
        back_url=url_for(
            "booking.appointment_slots",
            hub=place.slug,
            type_id=kind.id,
            **_from(day),
        ),
        title=_("That time is not available"),
    )


@bp.route("/<slug:hub>/appointments/<int:type_id>/book", methods=["GET", "POST"])
@public
def appointment_book(hub: str, type_id: int):
    place = _hub(hub)
    kind = _type_at(place, type_id)
    practitioner_id = whole_id(request.args.get("practitioner"))
    starts_at = _instant(request.args.get("start"))
    if practitioner_id is None or starts_at is None:
        abort(404)
    practitioner = db.session.get(StaffUser, practitioner_id)
    if practitioner is None or practitioner not in _offered_by(kind):
        abort(404)
    now = clock.now()
    form = AppointmentForm()
    if form.validate_on_submit():
        # The service re-checks the slot under the practitioner's lock, and gives
        # back the first booking when the same form arrives twice.
        try:
            result = book_appointment(
                kind.id,
                practitioner.id,
                starts_at,
                form.party(),
                form.contact(page_language()),
                now=now,
                source=BookingSource.PUBLIC,
                idempotency_key=form.idempotency_key(),
                postcode=form.postcode.data or "",
                address_limit=address_limit(),
            )
        except ServiceError as error:
            db.session.rollback()
            if error.code == "too_many_bookings":
                return too_many_bookings()
            if error.code in SLOT_GONE:
                return _slot_gone(place, kind, starts_at, error)
            form.show_service_error(error)
        except IntegrityError:  # the database's own guard behind the lock
            db.session.rollback()
            return _slot_gone(place, kind, starts_at, ServiceError("slot_taken"))
        else:
            db.session.commit()
            token = manage_token(result.booking)
            return redirect(url_for("booking.confirmation", token=token))
    try:
        slot = find_slot(kind.id, practitioner.id, starts_at, now=now)
    except ServiceError as error:
        return _slot_gone(place, kind, starts_at, error)
    if not form.nonce.data:
        form.nonce.data = new_nonce()
    day = slot.starts_at.astimezone(ZoneInfo(place.timezone)).date()
    response = current_app.make_response(
        render_template(
            "booking/appointments/book.html",
            hub=place,
            kind=kind,
            slot=slot,
            room=next((r for r in place.rooms if r.id == slot.room_id), None),
            form=form,
            back_url=url_for(
                "booking.appointment_slots",
                hub=place.slug,
                type_id=kind.id,
                **_from(day),
            ),
            title=_("Book %(name)s", name=kind.name),
        )
    )
    # The page may show back what a family typed: no one may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response
