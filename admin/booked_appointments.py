"""Booked appointments, for the front desk and practitioners: a hub's list, opening
one (audited), cancelling it with a reason and moving it to another free time
(staff are not held to the public minimum notice). The family is told each time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from admin import bp
from admin.appointments import hub_for_page
from admin.forms import told_family
from admin.forms.appointments import (
    CancelAppointmentForm,
    MoveAppointmentForm,
)
from booking.appointments import cancel_appointment, move_appointment, upcoming
from booking.slots import free_slots
from frontdoor import audit, clock
from frontdoor.contact import show_mobile
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    Appointment,
    Booking,
    Role,
)
from frontdoor.staff_auth import require_role_at, staff, staff_required
from frontdoor.words.staff import add_service_errors, for_staff

# --- booked appointments: seeing one, cancelling it, moving it ---------------------------------

# A hub's booked appointments: its practitioners (who cover for each other),
# reception (who book and rearrange them by phone) and managers.
FRONT_DESK = (Role.PRACTITIONER, Role.RECEPTION, Role.MANAGER)
MOVE_DAYS = 7


def _booked_or_404(appointment_id: int) -> Appointment:
    appointment = db.session.get(
        Appointment,
        appointment_id,
        options=[
            joinedload(Appointment.booking),
            joinedload(Appointment.type),
            joinedload(Appointment.hub),
            joinedload(Appointment.room),
            joinedload(Appointment.practitioner),
        ],
    )
    if appointment is None or appointment.booking is None:
        abort(404)
    require_role_at(appointment.hub_id, FRONT_DESK)
    return appointment


def _booking_of(appointment: Appointment) -> Booking:
    """The booking of an appointment on these pages (``_booked_or_404`` lets in no other)."""
    if appointment.booking is None:
        abort(404)
    return appointment.booking


def _audit(action: str, appointment: Appointment, detail: str = "") -> None:
    audit.record(
        action,
        staff_id=staff().id,
        subject_type="booking",
        subject_id=_booking_of(appointment).id,
        hub_id=appointment.hub_id,
        detail=detail,
    )


@bp.route("/appointments/booked")
@staff_required(*FRONT_DESK)
def booked_appointments():
    hub = hub_for_page(FRONT_DESK)
    return render_template(
        "admin/appointments/booked.html",
        hub=hub,
        appointments=upcoming(now=clock.now(), hub_id=hub.id),
        title=f"Booked appointments at {hub.name}",
    )


def _show_appointment(appointment: Appointment, cancel_form: CancelAppointmentForm, status=200):
    """The appointment page; it shows a family's details, so opening it is audited."""
    _audit("appointment.view", appointment)
    db.session.commit()
    page = render_template(
        "admin/appointments/booked_one.html",
        appointment=appointment,
        booking=appointment.booking,
        form=cancel_form,
        live=appointment.status == "booked" and appointment.ends_at > clock.now(),
        mobile=show_mobile(_booking_of(appointment).mobile or ""),
        title=f"{appointment.type.name} with {appointment.practitioner.name}",
    )
    return page, status


@bp.route("/appointments/booked/<int:appointment_id>")
@staff_required(*FRONT_DESK)
def booked_appointment(appointment_id: int):
    return _show_appointment(_booked_or_404(appointment_id), CancelAppointmentForm())


@bp.route("/appointments/booked/<int:appointment_id>/cancel", methods=["POST"])
@staff_required(*FRONT_DESK)
def booked_appointment_cancel(appointment_id: int):
    appointment = _booked_or_404(appointment_id)
    form = CancelAppointmentForm()
    if form.validate_on_submit():
        try:
            cancel_appointment(
                _booking_of(appointment), now=clock.now(), by_staff=True, reason=form.reason.data
            )
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            _audit("appointment.cancel", appointment, "Cancelled with a reason")
            db.session.commit()
            flash(f"Appointment cancelled.{told_family(_booking_of(appointment))}", "success")
            return redirect(url_for("admin.booked_appointment", appointment_id=appointment.id))
    return _show_appointment(_booked_or_404(appointment_id), form, 400)


def _move_page(appointment: Appointment, form: MoveAppointmentForm, status: int = 200):
    tz = ZoneInfo(appointment.hub.timezone)
    now = clock.now()
    today = now.astimezone(tz).date()
    first = day_from(request.args.get("from"), today)
    # Staff are offered times inside the minimum notice: a family on the phone
    # may come in sooner than the public site would let them book.
    slots = free_slots(appointment.type_id, day_from=first, days=MOVE_DAYS, now=now, public=False)
    page = render_template(
        "admin/appointments/booked_move.html",
        appointment=appointment,
        booking=appointment.booking,
        form=form,
        days=[(day, found) for day, found in slots.items()],
        earlier=first - timedelta(days=MOVE_DAYS) if first > today else None,
        later=first + timedelta(days=MOVE_DAYS),
        title=f"Move the {appointment.type.name} appointment",
    )
    return page, status


def day_from(typed: str | None, today):
    """The first day of times to show: ``?from=`` as YYYY-MM-DD, from today to a year ahead."""
    try:
        chosen = datetime.strptime(typed or "", "%Y-%m-%d").date()
    except ValueError:
        return today
    return min(max(chosen, today), today + timedelta(days=366))


@bp.route("/appointments/booked/<int:appointment_id>/move", methods=["GET", "POST"])
@staff_required(*FRONT_DESK)
def booked_appointment_move(appointment_id: int):
    appointment = _booked_or_404(appointment_id)
    form = MoveAppointmentForm()
    if request.method == "GET":
        return _move_page(appointment, form)
    chosen = form.chosen() if form.validate_on_submit() else None
    if chosen is None:
        form.slot.errors = ["Choose a new time"]
        return _move_page(appointment, form, 400)
    staff_id, starts_at = chosen
    try:
        moved = move_appointment(
            _booking_of(appointment),
            starts_at,
            now=clock.now(),
            practitioner_id=staff_id,
            by_staff=True,
        )
    except ServiceError as error:
        db.session.rollback()
        form.slot.errors = [for_staff(error)]
        return _move_page(_booked_or_404(appointment_id), form, 400)
    _audit("appointment.move", moved, "Moved to another time")
    db.session.commit()
    flash(f"Appointment moved.{told_family(_booking_of(moved))}", "success")
    return redirect(url_for("admin.booked_appointment", appointment_id=moved.id))
