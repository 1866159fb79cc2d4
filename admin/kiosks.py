"""Managers' kiosk pages: the hub's screens, adding one (a one-time pairing code
and its QR code), a new code for a screen, and revoking a screen at once."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from sqlalchemy import select

from admin import bp
from admin.forms.kiosks import KioskForm
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import KioskDevice, Role
from frontdoor.qr import qr_svg
from frontdoor.staff_auth import hubs_for, require_role_at, staff, staff_required
from frontdoor.words.staff import add_service_errors
from kiosk.pairing import PAIRING_LIFETIME, add_kiosk, reissue_code, revoke

MANAGER = Role.MANAGER


def _device(device_id: int) -> KioskDevice:
    device = db.get_or_404(KioskDevice, device_id)
    require_role_at(device.hub_id, [MANAGER])
    return device


def _show_code(device: KioskDevice, code: str):
    """The one time a pairing code is shown: straight from the POST, never stored
    in the session, never cached."""
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    link = f"{base}/kiosk/pair?code={code}"
    response = make_response(
        render_template(
            "admin/kiosks/code.html",
            device=device,
            code=code,
            link=link,
            qr=qr_svg(link, label=f"QR code to pair {device.name}", css_class="fd-qr fd-qr--pair"),
            minutes=int(PAIRING_LIFETIME.total_seconds() // 60),
            title=f"Pair {device.name}",
        )
    )
    return response


@bp.route("/kiosks")
@staff_required(MANAGER)
def kiosks():
    hubs = hubs_for(staff(), [MANAGER])
    devices = db.session.scalars(
        select(KioskDevice)
        .where(KioskDevice.hub_id.in_([hub.id for hub in hubs]))
        .order_by(KioskDevice.revoked_at.is_not(None), KioskDevice.name, KioskDevice.id)
    ).all()
    by_hub = {hub.id: [d for d in devices if d.hub_id == hub.id] for hub in hubs}
    return render_template("admin/kiosks/list.html", hubs=hubs, by_hub=by_hub, title="Kiosks")


@bp.route("/kiosks/new", methods=["GET", "POST"])
@staff_required(MANAGER)
def kiosk_new():
    hubs = hubs_for(staff(), [MANAGER])
    form = KioskForm()
    form.offer(hubs)
    if form.validate_on_submit():
        require_role_at(form.hub_id.data, [MANAGER])
        try:
            device, code = add_kiosk(
                form.hub_id.data, form.name.data, now=clock.now(), created_by_id=staff().id
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            return _show_code(device, code)
    return render_template("admin/kiosks/new.html", form=form, title="Add a kiosk")


@bp.post("/kiosks/<int:device_id>/code")
@staff_required(MANAGER)
def kiosk_code(device_id: int):
    device = _device(device_id)
    try:
        code = reissue_code(device, now=clock.now(), staff_id=staff().id)
    except ServiceError:
        abort(404)
    db.session.commit()
    return _show_code(device, code)


@bp.post("/kiosks/<int:device_id>/revoke")
@staff_required(MANAGER)
def kiosk_revoke(device_id: int):
    device = _device(device_id)
    if device.revoked_at is None:
        revoke(device, now=clock.now(), staff_id=staff().id)
        db.session.commit()
        flash(f"{device.name} revoked: it shows “not set up” from now on", "success")
    return redirect(url_for("admin.kiosks"))
