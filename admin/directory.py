"""Managers' pages for the directory of partner services (council-wide).

Thin views over ``directory.services``: each parses its form, calls one service
(which audits the change), commits and redirects. A service due for checking is
flagged here; ``directory.services.is_due`` is the rule.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from admin import bp
from admin.forms import answered
from admin.forms.directory import STATUS_WORDS, CheckEveryForm, PartnerForm, ServiceForm
from directory.services import (
    PartnerDetails,
    ServiceDetails,
    add_partner,
    add_service,
    check_months,
    directory_services,
    due_from,
    is_due,
    mark_checked,
    partner_details,
    service_details,
    set_check_months,
    update_partner,
    update_service,
)
from directory.summary import show_phone, summary_rows
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, Partner, PartnerService, Role
from frontdoor.staff_auth import staff, staff_required
from frontdoor.topics import SERVICE_TOPICS, TOPIC_LABELS
from frontdoor.words.staff import add_service_errors, for_staff

# Council admins hold every role, so this is "managers and council admins".
MANAGERS = (Role.MANAGER,)


def _partner(partner_id: int) -> Partner:
    partner = db.get_or_404(Partner, partner_id)
    if partner.organisation_id != staff().organisation_id:
        abort(404)
    return partner


def _service(service_id: int) -> PartnerService:
    service = db.get_or_404(PartnerService, service_id)
    if service.partner.organisation_id != staff().organisation_id:
        abort(404)
    return service


@bp.route("/directory")
@staff_required(*MANAGERS)
def directory():
    organisation_id = staff().organisation_id
    topic = request.args.get("topic", "")
    topic = topic if topic in SERVICE_TOPICS else ""
    due_only = request.args.get("due") == "1"
    now, months = clock.now(), check_months(organisation_id)
    services = directory_services(organisation_id, now, topic=topic or None, due_only=due_only)
    partners = db.session.scalars(
        select(Partner).where(Partner.organisation_id == organisation_id).order_by(Partner.name)
    ).all()
    return render_template(
        "admin/directory/index.html",
        partners=partners,
        services=services,
        due={s.id for s in services if is_due(s, now, months)},
        due_count=len(directory_services(organisation_id, now, due_only=True)),
        months=months,
        topic=topic,
        due_only=due_only,
        topics=[(code, TOPIC_LABELS[code]) for code in SERVICE_TOPICS],
        topic_words=TOPIC_LABELS,
        check_every=CheckEveryForm(data={"directory_check_months": months}),
        may_set=staff().is_admin(),
        title="Directory of services",
    )


@bp.post("/directory/check-every")
@staff_required(Role.ADMIN)  # council-wide: council admins only
def directory_check_every():
    form = CheckEveryForm()
    if not form.validate_on_submit():
        said = [error for errors in form.errors.values() for error in errors]
        flash(said[0] if said else "Enter how many months between checks", "error")
        return redirect(url_for("admin.directory"))
    months = answered(form.directory_check_months.data)
    try:
        set_check_months(staff().organisation_id, months, staff_id=staff().id)
    except ServiceError as error:
        flash(for_staff(error), "error")
    else:
        db.session.commit()
        flash(f"Services are now due for checking after {months} months.", "success")
    return redirect(url_for("admin.directory"))


# --- partners -------------------------------------------------------------------------------


def _partner_details(form: PartnerForm) -> PartnerDetails:
    return PartnerDetails(
        name=form.name.data or "",
        website=form.website.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        active=bool(form.active.data),
    )


@bp.route("/directory/partners/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def partner_new():
    form = PartnerForm(data={"active": True})
    if form.validate_on_submit():
        try:
            partner = add_partner(
                staff().organisation_id, _partner_details(form), staff_id=staff().id
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"{partner.name} added. Now add their services.", "success")
            return redirect(url_for("admin.partner_edit", partner_id=partner.id))
    status = 400 if form.errors else 200
    return render_template(
        "admin/directory/partner.html", form=form, partner=None, title="Add a partner"
    ), status


@bp.route("/directory/partners/<int:partner_id>", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def partner_edit(partner_id: int):
    partner = _partner(partner_id)
    # A mobile is kept as +447...: shown as people write it.
    form = PartnerForm(
        data={
            **asdict(partner_details(partner)),
            "contact_phone": show_phone(partner.contact_phone),
        }
    )
    if form.validate_on_submit():
        try:
            update_partner(partner, _partner_details(form), staff_id=staff().id)
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Changes to {partner.name} saved", "success")
            return redirect(url_for("admin.partner_edit", partner_id=partner.id))
    now, months = clock.now(), check_months(partner.organisation_id)
    status = 400 if form.errors else 200
    return render_template(
        "admin/directory/partner.html",
        form=form,
        partner=partner,
        phone=show_phone(partner.contact_phone),
        due={s.id for s in partner.services if is_due(s, now, months)},
        topic_words=TOPIC_LABELS,
        title=partner.name,
    ), status


# --- services -------------------------------------------------------------------------------


def _service_form(**kwargs) -> ServiceForm:
    form = ServiceForm(**kwargs)
    hubs = db.session.scalars(
        select(Hub).where(Hub.organisation_id == staff().organisation_id).order_by(Hub.name)
    )
    form.hub_id.choices = [SelectChoice("", "Not at a hub")] + [
        SelectChoice(str(hub.id), hub.name) for hub in hubs
    ]
    return form


def _service_details(form: ServiceForm) -> ServiceDetails:
    return ServiceDetails(
        name=form.name.data or "",
        topic=form.topic.data or "",
        description=form.description.data or "",
        status=form.status.data or "",
        minimum_age=form.minimum_age.data,
        maximum_age=form.maximum_age.data,
        eligibility_description=form.eligibility_description.data or "",
        languages=tuple((form.languages.data or "").split(",")),
        free=bool(form.free.data),
        fees_description=form.fees_description.data or "",
        online=bool(form.online.data),
        address=form.address.data or "",
        hub_id=form.hub_id.data,
        schedule_description=form.schedule_description.data or "",
        application_process=form.application_process.data or "",
    )


def _service_page(form: ServiceForm, partner: Partner, service: PartnerService | None):
    now = clock.now()
    months = check_months(partner.organisation_id)
    page = render_template(
        "admin/directory/service.html",
        form=form,
        partner=partner,
        service=service,
        rows=summary_rows(service) if service else [],
        due=bool(service and is_due(service, now, months)),
        due_from=due_from(service, months) if service else None,
        status_words=STATUS_WORDS,
        title=service.name if service else f"Add a service of {partner.name}",
    )
    return page, 400 if form.errors else 200


@bp.route("/directory/partners/<int:partner_id>/services/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def service_new(partner_id: int):
    partner = _partner(partner_id)
    form = _service_form(data={"free": True, "status": "active"})
    if form.validate_on_submit():
        me = staff()
        try:
            service = add_service(
                partner, _service_details(form), now=clock.now(), staff_id=me.id, staff_name=me.name
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"{service.name} added, checked today by you.", "success")
            return redirect(url_for("admin.partner_edit", partner_id=partner.id))
    return _service_page(form, partner, None)


@bp.route("/directory/services/<int:service_id>", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def service_edit(service_id: int):
    service = _service(service_id)
    # The form's languages box holds "en, pl"; the service keeps a list.
    details = asdict(service_details(service))
    form = _service_form(data={**details, "languages": ", ".join(service.languages)})
    if form.validate_on_submit():
        try:
            update_service(service, _service_details(form), staff_id=staff().id)
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(f"Changes to {service.name} saved", "success")
            return redirect(url_for("admin.service_edit", service_id=service.id))
    return _service_page(form, service.partner, service)


@bp.post("/directory/services/<int:service_id>/checked")
@staff_required(*MANAGERS)
def service_checked(service_id: int):
    service = _service(service_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    me = staff()
    mark_checked(service, now=clock.now(), staff_id=me.id, by=me.name)
    db.session.commit()
    flash(f"{service.name} is marked as checked today, by you.", "success")
    return redirect(url_for("admin.service_edit", service_id=service.id))
