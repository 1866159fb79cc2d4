"""The partner's page for one connection, reached from the email's signed link:
no account. It shows only what the family agreed to share; the partner accepts
(with when they will make contact) or declines (with a reason). Every opening is
audited; an expired, withdrawn or tampered link gets plain words."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from connections.forms import AcceptForm, DeclineForm
from connections.services import (
    LINK_DAYS,
    accept,
    connection_for_link,
    decline,
    expires_at,
    open_for_partner,
)
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Connection
from frontdoor.security import no_store
from frontdoor.staff_auth import public
from frontdoor.words.staff import add_service_errors, link_problem

bp = Blueprint("connections", __name__, url_prefix="/partners/connections")

# A link that will not open: gone for good, or never a link of ours.
LINK_STATUS = {"link_expired": 410, "link_withdrawn": 410, "link_invalid": 404}


def _problem(code: str):
    title, words = link_problem(code, days=LINK_DAYS)
    page = render_template("directory/problem.html", title=title, words=words)
    return page, LINK_STATUS.get(code, 404)


def _page(connection: Connection, token: str, accept_form, decline_form, status: int = 200):
    page = render_template(
        "connections/partner.html",
        connection=connection,
        token=token,
        accept_form=accept_form,
        decline_form=decline_form,
        expires=clock.local(expires_at(connection)),
        title="A family introduced to you",
    )
    return page, status


@bp.route("/<connection_token>", methods=["GET"])
@public
@no_store
def show(connection_token: str):
    try:
        connection = open_for_partner(
            current_app.config["SECRET_KEY"], connection_token, now=clock.now()
        )
    except ServiceError as error:
        return _problem(error.code)
    db.session.commit()
    return _page(connection, connection_token, AcceptForm(), DeclineForm())


def _answered(connection_token: str, form, answer):
    """Shared by accept and decline: the link checked, the answer given or refused."""
    secret = current_app.config["SECRET_KEY"]
    if form.validate_on_submit():
        try:
            answer(secret, connection_token, form)
        except ServiceError as error:
            db.session.rollback()
            if error.code in LINK_STATUS:
                return _problem(error.code)
            add_service_errors(form, [error])
        else:
            db.session.commit()
    try:
        connection = connection_for_link(secret, connection_token, now=clock.now())
    except ServiceError as error:
        return _problem(error.code)
    accept_form = form if isinstance(form, AcceptForm) else AcceptForm(formdata=None)
    decline_form = form if isinstance(form, DeclineForm) else DeclineForm(formdata=None)
    status = 400 if form.errors else 200
    return _page(connection, connection_token, accept_form, decline_form, status)


@bp.route("/<connection_token>/accept", methods=["POST"])
@public
@no_store
def accept_view(connection_token: str):
    return _answered(
        connection_token,
        AcceptForm(),
        lambda secret, token, form: accept(
            secret, token, contact_by=form.contact_by.data, now=clock.now()
        ),
    )


@bp.route("/<connection_token>/decline", methods=["POST"])
@public
@no_store
def decline_view(connection_token: str):
    return _answered(
        connection_token,
        DeclineForm(),
        lambda secret, token, form: decline(
            secret, token, reason=form.reason.data, now=clock.now()
        ),
    )
