""" "Find support": a topic by picture, the council's checked services for it, and
one taken away as a QR code of its public page on the booking site.

The topic and the service chosen live in the visit's state, never in an address,
so a reset or "start again" leaves nothing on the screen about what was chosen.
"""

from __future__ import annotations

from flask import current_app, g, render_template, request, url_for
from flask_babel import gettext

from directory.services import service_for_families, services_for_families
from frontdoor import clock
from frontdoor.qr import qr_svg
from frontdoor.topics import SERVICE_TOPICS
from kiosk import bp, flow
from kiosk.access import kiosk_required


@bp.route("/support")
@kiosk_required
@flow.in_visit
def support():
    return render_template("kiosk/support.html", topics=SERVICE_TOPICS)


@bp.post("/support")
@kiosk_required
@flow.in_visit
def support_post():
    topic = request.form.get("topic", "")
    if topic not in SERVICE_TOPICS:
        return flow.go("kiosk.support")
    flow.start("support", topic=topic)
    return flow.go("kiosk.support_services")


@bp.route("/support/services")
@kiosk_required
@flow.in_visit
def support_services():
    topic = flow.state().get("topic")
    if topic not in SERVICE_TOPICS:
        return flow.go("kiosk.support")
    services = services_for_families(g.hub.organisation_id, clock.now(), topic=topic)
    return render_template("kiosk/support_services.html", topic=topic, services=services)


@bp.post("/support/services")
@kiosk_required
@flow.in_visit
def support_services_post():
    if flow.state().get("topic") not in SERVICE_TOPICS:
        return flow.go("kiosk.support")
    flow.save(service=request.form.get("service", "")[:100])
    return flow.go("kiosk.support_service")


@bp.route("/support/service")
@kiosk_required
@flow.in_visit
def support_service():
    chosen = flow.state()
    service = service_for_families(str(chosen.get("service", "")), clock.now())
    if service is None or service.partner.organisation_id != g.hub.organisation_id:
        return flow.go("kiosk.support_services")
    return render_template(
        "kiosk/support_service.html",
        service=service,
        qr=qr_svg(
            public_page(service.oruk_id),
            label=gettext("A QR code to see %(name)s on your phone", name=service.name),
        ),
    )


def public_page(reference: str) -> str:
    """The service's page on the booking site, which the QR code opens."""
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    return base + url_for("support.support_service", service_ref=reference)
