""" "Find support": a topic by picture, the council's checked services for it, and
one taken away as a QR code of its public page on the booking site, or as a text.

The topic and the service chosen live in the visit's state, never in an address,
so a reset or "start again" leaves nothing on the screen about what was chosen.
A mobile number typed for a text goes straight to the service (``directory.texts``)
and is never put back on the screen, in the visit's state or in an address, so
the next family cannot see it.
"""

from __future__ import annotations

from flask import current_app, g, render_template, request, url_for
from flask_babel import gettext

from directory.services import service_for_families, services_for_families
from directory.texts import from_kiosk, text_service
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.qr import qr_svg
from frontdoor.templating import page_language
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
    flow.save(service=request.form.get("service", "")[:100], texted=False)
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
        texted=bool(chosen.get("texted")),
        message=flow.take_note(),
        qr=qr_svg(
            public_page(service.oruk_id),
            label=gettext("A QR code to see %(name)s on your phone", name=service.name),
        ),
    )


@bp.post("/support/service/text")
@kiosk_required
@flow.in_visit
def support_text_post():
    """ "Send me this by text": the number typed goes to the service and nowhere else."""
    reference = str(flow.state().get("service", ""))
    if not reference:
        return flow.go("kiosk.support_services")
    nonce = flow.posted_nonce()
    try:
        flow.once(
            lambda: text_service(
                reference,
                request.form.get("mobile", "")[:30],
                sender=from_kiosk(g.kiosk.id),
                language=page_language(),
                nonce=nonce,
                now=clock.now(),
                organisation_id=g.hub.organisation_id,
            ),
            nonce,
        )
    except ServiceError as error:
        db.session.rollback()
        if error.code == "invalid_mobile":
            flow.save(note=error.code)
            return flow.go("kiosk.support_service")
        if error.code == "not_found":
            return flow.go("kiosk.support_services")
        return flow.sorry(error.code)
    flow.save(texted=True)
    return flow.go("kiosk.support_service")


def public_page(reference: str) -> str:
    """The service's page on the booking site, which the QR code opens."""
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    return base + url_for("support.support_service", service_ref=reference)
