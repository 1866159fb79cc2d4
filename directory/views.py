"""The partner's check page, reached from the quarterly email's signed link: no
account, no staff sign-in. GET shows; only a POST changes anything, so a mail
scanner opening the link checks nothing. A tampered or expired link gets plain
words."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_wtf import FlaskForm

from directory.forms import CorrectionForm
from directory.partner_checks import (
    CORRECTABLE,
    LINK_DAYS,
    confirm_all,
    correct_service,
    partner_for_link,
    services_to_check,
)
from directory.summary import show_phone, summary_rows
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Partner, PartnerService
from frontdoor.security import no_store
from frontdoor.staff_auth import public
from frontdoor.words.staff import add_service_errors, link_problem

bp = Blueprint("directory", __name__, url_prefix="/partners")


def _problem(code: str):
    """A link that will not open (``partner_for_link``): plain words, and gone or not found."""
    title, words = link_problem(code, days=LINK_DAYS)
    page = render_template("directory/problem.html", title=title, words=words)
    return page, 410 if code == "check_link_expired" else 404


def _page(partner: Partner, token: str, **extra):
    return render_template(
        "directory/partner_check.html",
        partner=partner,
        token=token,
        services=[(s, summary_rows(s)) for s in services_to_check(partner)],
        phone=show_phone(partner.contact_phone),
        title=f"Check your services: {partner.name}",
        **extra,
    )


@bp.route("/check/<partner_token>", methods=["GET", "POST"])
@public
@no_store
def check(partner_token: str):
    partner = partner_for_link(current_app.config["SECRET_KEY"], partner_token)
    if isinstance(partner, str):
        return _problem(partner)
    if FlaskForm().validate_on_submit():
        confirm_all(partner, now=clock.now())
        db.session.commit()
        return _page(partner, partner_token, answered="confirmed")
    return _page(partner, partner_token)


def _service_of(partner: Partner, service_id: int) -> PartnerService:
    service = db.session.get(PartnerService, service_id)
    if service is None or service not in services_to_check(partner):
        abort(404)
    return service


@bp.route("/check/<partner_token>/services/<int:service_id>", methods=["GET", "POST"])
@public
@no_store
def correct(partner_token: str, service_id: int):
    partner = partner_for_link(current_app.config["SECRET_KEY"], partner_token)
    if isinstance(partner, str):
        return _problem(partner)
    service = _service_of(partner, service_id)
    form = CorrectionForm(obj=service)
    status = 200
    if form.validate_on_submit():
        corrections = {name: getattr(form, name).data or "" for name in CORRECTABLE}
        try:
            correct_service(service, corrections, now=clock.now())
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            return _page(partner, partner_token, answered="corrected", corrected=service.name)
    if form.errors:
        status = 400
    page = render_template(
        "directory/partner_correct.html",
        partner=partner,
        service=service,
        token=partner_token,
        form=form,
        title=f"Correct {service.name}",
    )
    return page, status
