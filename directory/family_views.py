"""Find support, on the booking site: the council's checked services by topic, and
a public page per service (the page a family's QR code or shared link opens).

Families see only what ``services.services_for_families`` allows and only what a
service publishes for families: never the partner's contact, which is for the
council's checks. A service's own words are shown as the partner wrote them.
A family may have a service's details sent to their phone by text (``texts``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from directory.forms import TextForm
from directory.services import service_for_families, services_for_families
from directory.texts import from_browser, text_service
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import new_nonce
from frontdoor.models import Hub, PartnerService
from frontdoor.security import no_store
from frontdoor.staff_auth import public
from frontdoor.templating import page_language, redirect_after_form
from frontdoor.topics import SERVICE_TOPICS
from frontdoor.words.families import for_family

bp = Blueprint("support", __name__, url_prefix="/book")

SENT = _l("We have sent the text. It can take a few minutes to arrive. We do not keep your number.")


@bp.route("/<slug:hub>/support")
@public
def find_support(hub: str):
    place = db.session.scalar(select(Hub).where(Hub.slug == hub, Hub.active.is_(True)))
    if place is None:
        abort(404)
    topic = request.args.get("topic", "")
    if topic not in SERVICE_TOPICS:
        topic = ""
    services = (
        services_for_families(place.organisation_id, clock.now(), topic=topic) if topic else []
    )
    return render_template(
        "booking/support.html",
        hub=place,
        topics=SERVICE_TOPICS,
        topic=topic,
        services=services,
        title=_("Find support"),
    )


@bp.route("/support/services/<service_ref>", methods=["GET", "POST"])
@public
@no_store
def support_service(service_ref: str):
    """The service's public page, and its "send me this by text" form."""
    now = clock.now()
    service = service_for_families(service_ref[:100], now)
    if service is None:
        abort(404)
    form = TextForm()
    if form.validate_on_submit():
        try:
            text_service(
                service.oruk_id,
                form.mobile.data or "",
                sender=from_browser(_browser()),
                language=page_language(),
                nonce=form.nonce_key(),
                now=now,
            )
        except ServiceError as error:
            db.session.rollback()
            if error.code == "too_many_texts":
                return _too_many_texts(service)
            form.mobile.errors = [*form.mobile.errors, for_family(error)]
        else:
            _commit_once()
            flash(str(SENT), "success")
            return redirect_after_form(url_for(".support_service", service_ref=service.oruk_id))
    if not form.nonce_key():
        form.nonce.data = new_nonce()
    page = render_template(
        "booking/support_service.html", service=service, form=form, title=service.name
    )
    return page, 400 if form.errors else 200


def _browser() -> str:
    """This browser, for the limit on texts: a random id in its session cookie."""
    if "browser" not in session:
        session["browser"] = new_nonce()
    return str(session["browser"])


def _commit_once() -> None:
    """Two presses of one form at once: the second insert meets the first's key."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _too_many_texts(service: PartnerService):
    page = render_template(
        "booking/support_text_limit.html",
        service=service,
        title=_("We cannot send any more texts just now"),
    )
    return page, 429
