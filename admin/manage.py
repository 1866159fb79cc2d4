"""Managers' pages: hubs and their settings, rooms, service categories and staff.

Each view parses its form, calls one service (``frontdoor.hubs`` or
``frontdoor.staff``), commits and redirects; a refusal re-shows the form with
the service's coded error in plain words.
"""

from __future__ import annotations

from dataclasses import replace

from flask import abort, flash, g, make_response, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
)
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectMultipleField,
)

from admin import bp
from admin.forms.languages import language_data, languages_given
from admin.forms.manage import (
    CategoryForm,
    HubForm,
    NewHubForm,
    NewStaffForm,
    RoomForm,
    StaffForm,
    _active,
)
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.hubs import (
    SETTING_LIMITS,
    create_category,
    create_hub,
    create_room,
    delete_category,
    delete_room,
    update_category,
    update_hub,
    update_room,
)
from frontdoor.models import Hub, Role, Room, ServiceCategory, StaffUser
from frontdoor.staff import (
    RoleAt,
    add_staff,
    colleagues_of,
    may_manage,
    reset_password,
    update_staff,
)
from frontdoor.staff_auth import hubs_for, require_role_at, staff, staff_required
from frontdoor.words.staff import add_service_errors

MANAGER = Role.MANAGER
HUB_ROLES = (Role.MANAGER, Role.SESSION_LEAD, Role.PRACTITIONER, Role.RECEPTION)


# --- form pieces ----------------------------------------------------------------------


def _staff_form(base: type[FlaskForm], hubs: list[Hub], **kwargs) -> FlaskForm:
    """``base`` plus a set of role checkboxes for each hub, and council admin for admins."""

    class Form(base):
        pass

    for hub in hubs:
        setattr(
            Form,
            f"roles_{hub.id}",
            SelectMultipleField(
                f"Roles at {hub.name}",
                choices=[SelectChoice(role.value, role.label) for role in HUB_ROLES],
                widget=GovCheckboxesInput(),
                invalid_choice_message="Choose only from the roles shown",
            ),
        )
    if staff().is_admin():
        Form.council_admin = BooleanField(
            "Council admin",
            widget=GovCheckboxInput(),
            description="Every role at every hub, and can add hubs and give this role.",
        )
    if base is StaffForm:
        Form.active = _active("Deactivating signs them out everywhere and stops them signing in.")
    return Form(**kwargs)


def _chosen_roles(form: FlaskForm, hubs: list[Hub]) -> set[RoleAt]:
    roles: set[RoleAt] = {
        (hub.id, Role(value)) for hub in hubs for value in form[f"roles_{hub.id}"].data
    }
    if "council_admin" in form and form.council_admin.data:
        roles.add((None, Role.ADMIN))
    return roles


# --- hubs -----------------------------------------------------------------------------


@bp.route("/hubs")
@staff_required(MANAGER)
def hubs():
    user = staff()
    every = db.session.scalars(
        select(Hub)
        .where(Hub.organisation_id == user.organisation_id)
        .options(selectinload(Hub.rooms))
        .order_by(Hub.name)
    )
    # Inactive hubs are listed too, so they can be made active again.
    managed = [hub for hub in every if MANAGER in user.roles_at(hub.id)]
    return render_template(
        "admin/manage/hubs.html", hubs=managed, can_add=user.is_admin(), title="Hubs and rooms"
    )


@bp.route("/hubs/new", methods=["GET", "POST"])
@staff_required(Role.ADMIN)  # council admins only
def hub_new():
    form = NewHubForm()
    if form.validate_on_submit():
        try:
            hub = create_hub(
                organisation_id=staff().organisation_id,
                slug=form.slug.data,
                name=form.name.data,
                address=form.address.data,
                access_information=form.access_information.data,
                translations=languages_given(form, Hub),
                staff_id=staff().id,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"{hub.name} added", "success")
            return redirect(url_for("admin.hubs"))
    return render_template("admin/manage/hub_new.html", form=form, title="Add a hub")


@bp.route("/hubs/<slug:hub>", methods=["GET", "POST"])
@staff_required(MANAGER)
def hub_edit(hub: str):
    record: Hub = g.hub
    settings = record.settings
    form = HubForm(
        obj=record,
        data={
            **language_data(record, Hub),
            **{key: getattr(settings, key) for key in SETTING_LIMITS},
            "waiting_list_fill_gaps": "yes" if settings.waiting_list_fill_gaps else "no",
            "reminder_hours": settings.reminder_hours,
        },
    )
    if form.validate_on_submit():
        new_settings = replace(
            settings,
            **{key: form[key].data for key in SETTING_LIMITS},
            waiting_list_fill_gaps=form.waiting_list_fill_gaps.data == "yes",
            reminder_hours=form.reminder_hours.data,
        )
        try:
            update_hub(
                record,
                name=form.name.data,
                address=form.address.data,
                access_information=form.access_information.data,
                active=form.active.data,
                settings=new_settings,
                translations=languages_given(form, Hub),
                staff_id=staff().id,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Changes to {record.name} saved", "success")
            return redirect(url_for("admin.hubs"))
    return render_template(
        "admin/manage/hub_edit.html", form=form, hub=record, title=f"Change {record.name}"
    )


# --- rooms ----------------------------------------------------------------------------


def _room(room_id: int) -> Room:
    room = db.get_or_404(Room, room_id)
    require_role_at(room.hub_id, [MANAGER])
    return room


def _room_page(form: RoomForm, room: Room):
    return render_template(
        "admin/manage/room_edit.html", form=form, room=room, title=f"Change {room.name}"
    )


@bp.route("/hubs/<slug:hub>/rooms/new", methods=["GET", "POST"])
@staff_required(MANAGER)
def room_new(hub: str):
    record: Hub = g.hub
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = create_room(
                record,
                name=form.name.data,
                capacity=form.capacity.data,
                description=form.description.data,
                staff_id=staff().id,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"{room.name} added to {record.name}", "success")
            return redirect(url_for("admin.hubs"))
    return render_template(
        "admin/manage/room_new.html", form=form, hub=record, title=f"Add a room to {record.name}"
    )


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@staff_required(MANAGER)
def room_edit(room_id: int):
    room = _room(room_id)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            update_room(
                room,
                name=form.name.data,
                capacity=form.capacity.data,
                description=form.description.data,
                active=form.active.data,
                staff_id=staff().id,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Changes to {room.name} saved", "success")
            return redirect(url_for("admin.hubs"))
    return _room_page(form, room)


@bp.post("/rooms/<int:room_id>/delete")
@staff_required(MANAGER)
def room_delete(room_id: int):
    room = _room(room_id)
    try:
        delete_room(room, staff_id=staff().id)
    except ServiceError as error:
        form = RoomForm(formdata=None, obj=room)
        add_service_errors(form, [error])
        return _room_page(form, room)
    db.session.commit()
    flash(f"{room.name} deleted", "success")
    return redirect(url_for("admin.hubs"))


# --- service categories -----------------------------------------------------------------


def _category(category_id: int) -> ServiceCategory:
    category = db.get_or_404(ServiceCategory, category_id)
    if category.organisation_id != staff().organisation_id:
        abort(404)
    return category


def _category_page(form: CategoryForm, category: ServiceCategory):
    return render_template(
        "admin/manage/category_edit.html",
        form=form,
        category=category,
        title=f"Change {category.name}",
    )


@bp.route("/categories")
@staff_required(MANAGER)
def categories():
    rows = db.session.scalars(
        select(ServiceCategory)
        .where(ServiceCategory.organisation_id == staff().organisation_id)
        .order_by(ServiceCategory.name)
    ).all()
    return render_template("admin/manage/categories.html", categories=rows, title="Categories")


@bp.route("/categories/new", methods=["GET", "POST"])
@staff_required(MANAGER)
def category_new():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = create_category(
                organisation_id=staff().organisation_id,
                name=form.name.data,
                icon=form.icon.data,
                translations=languages_given(form, ServiceCategory),
                staff_id=staff().id,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"{category.name} added", "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/manage/category_new.html", form=form, title="Add a category")


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@staff_required(MANAGER)
def category_edit(category_id: int):
    category = _category(category_id)
    form = CategoryForm(obj=category, data=language_data(category, ServiceCategory))
    if form.validate_on_submit():
        try:
            update_category(
                category,
                name=form.name.data,
                icon=form.icon.data,
                active=form.active.data,
                translations=languages_given(form, ServiceCategory),
                staff_id=staff().id,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Changes to {category.name} saved", "success")
            return redirect(url_for("admin.categories"))
    return _category_page(form, category)


@bp.post("/categories/<int:category_id>/delete")
@staff_required(MANAGER)
def category_delete(category_id: int):
    category = _category(category_id)
    try:
        delete_category(category, staff_id=staff().id)
    except ServiceError as error:
        form = CategoryForm(formdata=None, obj=category)
        add_service_errors(form, [error])
        return _category_page(form, category)
    db.session.commit()
    flash(f"{category.name} deleted", "success")
    return redirect(url_for("admin.categories"))


# --- staff ------------------------------------------------------------------------------


def _colleague(staff_id: int) -> StaffUser:
    user = db.get_or_404(StaffUser, staff_id)
    if not may_manage(staff(), user):
        abort(403)
    return user


def _role_words(user: StaffUser, hub_names: dict[int, str]) -> list[str]:
    return sorted(
        "Council admin" if r.hub_id is None else f"{Role(r.role).label} at {hub_names[r.hub_id]}"
        for r in user.roles
    )


def _show_password(user: StaffUser, password: str, title: str):
    """The one time a password is shown: straight from the POST, never stored in
    the (signed, not encrypted) session cookie, and never cached."""
    response = make_response(
        render_template(
            "admin/manage/staff_password.html", person=user, password=password, title=title
        )
    )
    return response


@bp.route("/staff")
@staff_required(MANAGER)
def staff_list():
    hub_names = dict(db.session.execute(select(Hub.id, Hub.name)).all())
    people = [(user, _role_words(user, hub_names)) for user in colleagues_of(staff())]
    return render_template("admin/manage/staff_list.html", people=people, title="Staff")


@bp.route("/staff/new", methods=["GET", "POST"])
@staff_required(MANAGER)
def staff_new():
    hubs = hubs_for(staff(), [MANAGER])
    form = _staff_form(NewStaffForm, hubs)
    if form.validate_on_submit():
        try:
            user, password = add_staff(
                staff(),
                email=form.email.data,
                name=form.name.data,
                roles=_chosen_roles(form, hubs),
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            return _show_password(user, password, f"{user.name} added")
    return render_template(
        "admin/manage/staff_new.html",
        form=form,
        role_fields=[form[f"roles_{hub.id}"] for hub in hubs],
        title="Add a member of staff",
    )


@bp.route("/staff/<int:staff_id>", methods=["GET", "POST"])
@staff_required(MANAGER)
def staff_edit(staff_id: int):
    user = _colleague(staff_id)
    hubs = hubs_for(staff(), [MANAGER])
    initial = {
        "name": user.name,
        "active": user.active,
        "council_admin": user.is_admin(),
        **{f"roles_{hub.id}": [r.role for r in user.roles if r.hub_id == hub.id] for hub in hubs},
    }
    form = _staff_form(StaffForm, hubs, data=initial)
    if form.validate_on_submit():
        try:
            update_staff(
                staff(),
                user,
                name=form.name.data,
                roles=_chosen_roles(form, hubs),
                active=form.active.data,
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Changes to {user.name} saved", "success")
            return redirect(url_for("admin.staff_list"))
    return render_template(
        "admin/manage/staff_edit.html",
        form=form,
        person=user,
        role_fields=[form[f"roles_{hub.id}"] for hub in hubs],
        title=f"Change {user.name}",
    )


@bp.post("/staff/<int:staff_id>/password")
@staff_required(MANAGER)
def staff_reset_password(staff_id: int):
    user = _colleague(staff_id)
    password = reset_password(staff(), user)
    db.session.commit()
    return _show_password(user, password, f"New password for {user.name}")
