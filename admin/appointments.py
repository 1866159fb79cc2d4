"""Staff pages for appointments: types (managers), weekly availability and leave
(the practitioner themself, or a manager), and a practitioner's own list.

Booked appointments are ``admin.booked_appointments``. Thin views: each reads a
form, calls one function in ``booking.appointment_setup`` and shows its coded
refusals in plain words. Every view declares its roles with
``@staff_required``; views about one record check the record's own hub too.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import (
    SelectChoice,
)

from admin import bp
from admin.forms.appointments import (
    WEEKDAYS,
    ConfirmForm,
    LeaveForm,
    TypeForm,
    WindowForm,
)
from booking.appointment_setup import (
    add_availability,
    add_leave,
    eligible_practitioners,
    remove_availability,
    remove_leave,
    save_type,
)
from booking.appointments import upcoming
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import whole_id
from frontdoor.models import (
    AppointmentType,
    Availability,
    AvailabilityException,
    Hub,
    Role,
    StaffUser,
)
from frontdoor.staff_auth import hubs_for, require_role_at, staff, staff_required
from frontdoor.words.staff import add_service_errors

MANAGERS = (Role.MANAGER,)
# Availability and leave: the practitioner themself, or a manager.
PRACTICE = (Role.PRACTITIONER, Role.MANAGER)


# --- form fields -----------------------------------------------------------------------------


# --- forms ------------------------------------------------------------------------------------


# --- whose page, at which hub ------------------------------------------------------------------


def hub_for_page(roles) -> Hub:
    """The hub the request names (checked by ``staff_required``), else the first
    hub where the signed-in person holds one of ``roles``."""
    hub = g.get("hub")
    if hub is None:
        hubs = hubs_for(staff(), roles)
        if not hubs:
            abort(403)
        hub = hubs[0]
    return hub


def _manages(person: StaffUser) -> bool:
    """Whether the signed-in person is a manager where ``person`` works."""
    me = staff()
    if me.is_admin():
        return True
    where = person.hub_ids()
    if where is None:  # a council admin's time is for admins to change
        return False
    return any(Role.MANAGER in me.roles_at(hub_id) for hub_id in where)


def _person(hub: Hub | None) -> StaffUser:
    """Whose availability or leave: ``?staff=`` or yourself. Someone else's only
    for a manager (at ``hub`` when one is given)."""
    me = staff()
    wanted = whole_id(request.args.get("staff"))
    if wanted is None or wanted == me.id:
        return me
    person = db.session.get(StaffUser, wanted)
    if person is None:
        abort(404)
    if hub is not None:
        require_role_at(hub.id, MANAGERS)
        if not person.roles_at(hub.id):
            abort(404)
    elif not _manages(person):
        abort(403)
    return person


def _owner_or_manager(staff_id: int, hub_id: int | None) -> StaffUser:
    if staff_id == staff().id:
        return staff()
    person = db.session.get(StaffUser, staff_id)
    if person is None:
        abort(404)
    if hub_id is not None:
        require_role_at(hub_id, MANAGERS)
    elif not _manages(person):
        abort(403)
    return person


def _others(person: StaffUser) -> dict[str, Any]:
    """The ``staff`` query part for someone else's page; nothing for your own."""
    return {} if person.id == staff().id else {"staff": person.id}


# --- the appointments home ------------------------------------------------------------------


@bp.route("/appointments/")
@staff_required(*PRACTICE)
def appointments_home():
    me = staff()
    hubs = []
    for hub in hubs_for(me, PRACTICE):
        roles = me.roles_at(hub.id)
        managing = Role.MANAGER in roles
        hubs.append(
            {
                "hub": hub,
                "managing": managing,
                "practising": Role.PRACTITIONER in roles,
                "people": eligible_practitioners(hub.id) if managing else [],
            }
        )
    return render_template("admin/appointments/home.html", hubs=hubs, title="Appointments")


# --- appointment types (managers) -------------------------------------------------------------


@bp.route("/appointments/types")
@staff_required(*MANAGERS)
def appointment_type_list():
    hub = hub_for_page(MANAGERS)
    kinds = db.session.scalars(
        select(AppointmentType)
        .where(AppointmentType.hub_id == hub.id)
        .order_by(AppointmentType.active.desc(), AppointmentType.name)
    ).all()
    return render_template(
        "admin/appointments/types.html",
        hub=hub,
        hubs=hubs_for(staff(), MANAGERS),
        kinds=kinds,
        title=f"Appointment types at {hub.name}",
    )


def _type_form(hub: Hub, kind: AppointmentType | None) -> TypeForm:
    form = TypeForm(obj=kind) if kind is not None and request.method == "GET" else TypeForm()
    if kind is not None and request.method == "GET":
        form.practitioner_ids.data = [p.id for p in kind.practitioners]
    people = eligible_practitioners(hub.id)
    # Someone who has since left the hub stays ticked until a manager unticks them.
    extra = [p for p in (kind.practitioners if kind else []) if p not in people]
    form.practitioner_ids.choices = [SelectChoice(str(p.id), p.name) for p in [*people, *extra]]
    return form


def _save_type(hub: Hub, kind: AppointmentType, form: TypeForm, template: str, title: str):
    if form.validate_on_submit():
        try:
            save_type(kind, form.to_input(hub.id))
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Saved {kind.name}", "success")
            return redirect(url_for("admin.appointment_type_list", hub=hub.slug))
    return render_template(template, hub=hub, kind=kind, form=form, title=title)


@bp.route("/appointments/types/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def appointment_type_new():
    hub = hub_for_page(MANAGERS)
    return _save_type(
        hub,
        AppointmentType(),
        _type_form(hub, None),
        "admin/appointments/type_form.html",
        f"New appointment type at {hub.name}",
    )


@bp.route("/appointments/types/<int:type_id>", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def appointment_type_edit(type_id: int):
    kind = db.session.get(AppointmentType, type_id)
    if kind is None:
        abort(404)
    require_role_at(kind.hub_id, MANAGERS)
    return _save_type(
        kind.hub,
        kind,
        _type_form(kind.hub, kind),
        "admin/appointments/type_form.html",
        f"Edit {kind.name}",
    )


# --- weekly availability ------------------------------------------------------------------------


def _window_form(hub: Hub) -> WindowForm:
    form = WindowForm()
    form.room_id.choices = [SelectChoice("", "No particular room")] + [
        SelectChoice(str(room.id), room.name) for room in hub.rooms if room.active
    ]
    return form


@bp.route("/appointments/availability", methods=["GET", "POST"])
@staff_required(*PRACTICE)
def availability():
    hub = hub_for_page(PRACTICE)
    person = _person(hub)
    form = _window_form(hub)
    if form.validate_on_submit():
        try:
            add_availability(form.to_input(person.id, hub.id))
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash("Times added", "success")
            return redirect(url_for("admin.availability", hub=hub.slug, **_others(person)))
    windows = db.session.scalars(
        select(Availability)
        .where(Availability.staff_id == person.id)
        .order_by(Availability.weekday, Availability.start_time)
    ).all()
    return render_template(
        "admin/appointments/availability.html",
        hub=hub,
        hubs=hubs_for(staff(), PRACTICE),
        person=person,
        mine=person.id == staff().id,
        here=[w for w in windows if w.hub_id == hub.id],
        elsewhere=[w for w in windows if w.hub_id != hub.id],
        people=eligible_practitioners(hub.id) if Role.MANAGER in staff().roles_at(hub.id) else [],
        others=_others(person),
        weekdays=WEEKDAYS,
        form=form,
        confirm=ConfirmForm(formdata=None),
        title="Your weekly times" if person.id == staff().id else f"{person.name}: weekly times",
    )


@bp.route("/appointments/availability/<int:availability_id>/delete", methods=["POST"])
@staff_required(*PRACTICE)
def availability_delete(availability_id: int):
    window = db.session.get(Availability, availability_id)
    if window is None:
        abort(404)
    person = _owner_or_manager(window.staff_id, window.hub_id)
    hub = window.hub
    if ConfirmForm().validate_on_submit():
        remove_availability(window)
        db.session.commit()
        flash("Times removed. Appointments already booked in them are kept.", "success")
    return redirect(url_for("admin.availability", hub=hub.slug, **_others(person)))


# --- leave and training -------------------------------------------------------------------------


@bp.route("/appointments/leave", methods=["GET", "POST"])
@staff_required(*PRACTICE)
def leave():
    person = _person(None)
    form = LeaveForm()
    now = clock.now()
    if form.validate_on_submit():
        starts, ends = form.span()
        try:
            result = add_leave(person.id, starts, ends, form.reason.data or "")
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash("Time away added", "success")
            if result.clashes:
                flash(
                    f"{len(result.clashes)} appointment(s) already booked in that time are "
                    "still booked. Please rearrange them.",
                    "warning",
                )
            return redirect(url_for("admin.leave", **_others(person)))
    away = db.session.scalars(
        select(AvailabilityException)
        .where(AvailabilityException.staff_id == person.id, AvailabilityException.ends_at > now)
        .order_by(AvailabilityException.starts_at)
    ).all()
    return render_template(
        "admin/appointments/leave.html",
        person=person,
        mine=person.id == staff().id,
        away=away,
        others=_others(person),
        form=form,
        confirm=ConfirmForm(formdata=None),
        title="Your time away" if person.id == staff().id else f"{person.name}: time away",
    )


@bp.route("/appointments/leave/<int:exception_id>/delete", methods=["POST"])
@staff_required(*PRACTICE)
def leave_delete(exception_id: int):
    away = db.session.get(AvailabilityException, exception_id)
    if away is None:
        abort(404)
    person = _owner_or_manager(away.staff_id, None)
    if ConfirmForm().validate_on_submit():
        remove_leave(away)
        db.session.commit()
        flash("Time away removed", "success")
    return redirect(url_for("admin.leave", **_others(person)))


# --- a practitioner's own appointments ------------------------------------------------------------


@bp.route("/appointments/mine")
@staff_required(Role.PRACTITIONER)
def my_appointments():
    return render_template(
        "admin/appointments/mine.html",
        appointments=upcoming(now=clock.now(), staff_id=staff().id),
        title="Your appointments",
    )
