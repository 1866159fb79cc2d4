"""Find support, on the booking site: the council's checked services by topic, and
a public page per service (the page a family's QR code or shared link opens).

Families see only what ``services.services_for_families`` allows and only what a
service publishes for families: never the partner's contact, which is for the
council's checks. A service's own words are shown as the partner wrote them.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from directory.services import service_for_families, services_for_families
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Hub
from frontdoor.staff_auth import public
from frontdoor.topics import SERVICE_TOPICS

bp = Blueprint("support", __name__, url_prefix="/book")


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


@bp.route("/support/services/<service_ref>")
@public
def support_service(service_ref: str):
    service = service_for_families(service_ref[:100], clock.now())
    if service is None:
        abort(404)
    return render_template("booking/support_service.html", service=service, title=service.name)
