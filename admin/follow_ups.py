"""A follow-up booked on the spot, from a visit or a help request on the board
(beside "Connect"): an appointment at a free time, staff being offered times inside
the public minimum notice, or a place at one of the hub's sessions. The rules are
in ``connections.follow_ups``, which books through the booking services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from admin import bp
from admin.booked_appointments import MOVE_DAYS, day_from
from admin.connections import CONNECT_ROLES
from admin.forms import told_family
from admin.forms.follow_ups import FollowUpAppointmentForm, FollowUpPlaceForm
from booking.services import BookingResult
from booking.slots import free_slots
from connections.follow_ups import (
    appointment_types_at,
    book_follow_up_appointment,
    book_follow_up_place,
    known_about,
    sessions_to_book,
)
from connections.sources import Source, source_of
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import new_nonce, read_nonce, whole_id
from frontdoor.models import Appointment, Visit
from frontdoor.staff_auth import require_role_at, staff, staff_required
from frontdoor.words.staff import for_staff

# Where a refusal is shown when the service names no field.
ON_FIELD = {"full": "session", "duplicate": "first_name", "slot_taken": "slot"}


def _source(visit_id: int | None, help_id: int | None) -> Source:
    try:
        source = source_of(visit_id, help_id)
    except ServiceError:
        abort(404)
    require_role_at(source.hub_id, CONNECT_ROLES)
    return source


def _from(source: Source) -> dict[str, int]:
    """The service's ``visit_id`` or ``help_request_id``."""
    return {"visit_id": source.id} if isinstance(source, Visit) else {"help_request_id": source.id}


def _url(source: Source, what: str, **query: Any) -> str:
    if isinstance(source, Visit):
        return url_for(f"admin.follow_up_{what}_visit", visit_id=source.id, **query)
    return url_for(f"admin.follow_up_{what}_help", help_id=source.id, **query)


def _start(form, source: Source) -> None:
    """A new form is filled with what the hub knows; a posted one keeps a usable nonce."""
    if request.method == "GET":
        form.fill(known_about(source, staff_id=staff().id))
        db.session.commit()  # the audit of a contact shown
    elif read_nonce(form.nonce.data) is None:
        form.nonce.data = new_nonce()


def _show_refusal(form, error: ServiceError) -> None:
    field = getattr(form, error.field or ON_FIELD.get(error.code, "first_name"), None)
    field = field if field is not None else form.first_name
    field.errors = [*field.errors, for_staff(error)]


def _booked(source: Source, result: BookingResult):
    booking = result.booking
    if not result.created:
        flash(f"That follow-up was already booked: reference {booking.reference}.", "success")
    else:
        happening = booking.occasion
        title = (
            happening.type.name if isinstance(happening, Appointment) else happening.series.title
        )
        flash(
            f"{booking.display_name} is booked: {title}, "
            f"{clock.local(happening.starts_at):%A %d %B at %H:%M}. Reference "
            f"{booking.reference}.{told_family(booking)}",
            "success",
        )
    return redirect(url_for("admin.arrivals", hub=source.hub.slug))


def _book(form, source: Source, book, **what: Any) -> Any:
    """Book ``what`` with ``book``: the board with a message, or None (the form has
    the refusal)."""
    try:
        result = book(
            staff_id=staff().id, now=clock.now(), nonce=form.idempotency_key(),
            party=form.party(), contact=form.contact(), postcode=form.postcode_text(),
            **_from(source), **what,
        )  # fmt: skip
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()  # ends the transaction, and with it the lock
        _show_refusal(form, error)
    except IntegrityError:  # the database's own guard behind the lock
        db.session.rollback()
        # One live appointment per practitioner and start; one live booking per
        # family and session.
        taken = ServiceError("slot_taken") if hasattr(form, "slot") else ServiceError("duplicate")
        _show_refusal(form, taken)
    else:
        return _booked(source, result)
    return None


# --- an appointment --------------------------------------------------------------------------


def _appointment(visit_id: int | None, help_id: int | None):
    source = _source(visit_id, help_id)
    kinds = appointment_types_at(source.hub_id)
    chosen = whole_id(request.args.get("type"))
    kind = next((k for k in kinds if k.id == chosen), kinds[0] if len(kinds) == 1 else None)
    form = FollowUpAppointmentForm()
    if kind is not None:  # the form shows once a type is chosen
        _start(form, source)
        booked = _book_appointment(form, source, kind.id) if form.validate_on_submit() else None
        if booked is not None:
            return booked
    page = render_template(
        "admin/follow_ups/appointment.html",
        title=("Error: " if form.errors else "") + f"Book a follow-up for {source.display_name}",
        source=source, form=form, kinds=kinds, kind=kind,
        url=lambda **query: _url(source, "appointment", **query),
        sessions_url=_url(source, "session"), **(_times(source, kind.id) if kind else {}),
    )  # fmt: skip
    return page, 400 if form.errors else 200


def _book_appointment(form, source: Source, type_id: int):
    slot = form.chosen_slot()
    if slot is None:
        form.slot.errors = ["Choose a time"]
        return None
    staff_id, starts_at = slot
    return _book(form, source, book_follow_up_appointment, type_id=type_id,
                 practitioner_id=staff_id, starts_at=starts_at)  # fmt: skip


def _times(source: Source, type_id: int) -> dict[str, Any]:
    """A week of free times from ``?from=``. Staff are offered times inside the
    public minimum notice, as when moving an appointment."""
    today = clock.now().astimezone(ZoneInfo(source.hub.timezone)).date()
    first = day_from(request.args.get("from"), today)
    found = free_slots(type_id, day_from=first, days=MOVE_DAYS, now=clock.now(), public=False)
    return {
        "days": list(found.items()),
        "earlier": first - timedelta(days=MOVE_DAYS) if first > today else None,
        "later": first + timedelta(days=MOVE_DAYS),
    }


@bp.route("/follow-up/visit/<int:visit_id>/appointment", methods=["GET", "POST"])
@staff_required(*CONNECT_ROLES)
def follow_up_appointment_visit(visit_id: int):
    return _appointment(visit_id, None)


@bp.route("/follow-up/help/<int:help_id>/appointment", methods=["GET", "POST"])
@staff_required(*CONNECT_ROLES)
def follow_up_appointment_help(help_id: int):
    return _appointment(None, help_id)


# --- a place at a session ----------------------------------------------------------------------


def _place(visit_id: int | None, help_id: int | None):
    source = _source(visit_id, help_id)
    form = FollowUpPlaceForm()
    _start(form, source)
    if form.validate_on_submit():
        session_id = form.chosen_session()
        if session_id is None:
            form.session.errors = ["Choose a session"]
        else:
            booked = _book(form, source, book_follow_up_place, session_id=session_id)
            if booked is not None:
                return booked
    page = render_template(
        "admin/follow_ups/place.html",
        title=("Error: " if form.errors else "") + f"Book a follow-up for {source.display_name}",
        source=source, form=form, sessions=sessions_to_book(source.hub_id, clock.now()),
        appointments_url=_url(source, "appointment"),
    )  # fmt: skip
    return page, 400 if form.errors else 200


@bp.route("/follow-up/visit/<int:visit_id>/session", methods=["GET", "POST"])
@staff_required(*CONNECT_ROLES)
def follow_up_session_visit(visit_id: int):
    return _place(visit_id, None)


@bp.route("/follow-up/help/<int:help_id>/session", methods=["GET", "POST"])
@staff_required(*CONNECT_ROLES)
def follow_up_session_help(help_id: int):
    return _place(None, help_id)
