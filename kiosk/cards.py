"""Hub cards at the kiosk (``frontdoor.family``): a family shows theirs under the
scanner before checking in, or asks for one after a drop-in or a booked check-in.

A card read at the start stays with the visit (``flow.card``) until it ends: the
check-in it leads to carries the card's family key.
"""

from __future__ import annotations

from flask import g, render_template
from flask_babel import gettext as _

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.family import give_hub_card, read_hub_card
from frontdoor.models import Visit
from frontdoor.qr import qr_svg
from kiosk import bp, flow
from kiosk.access import kiosk_required


def card_scanned(code: str):
    """A card under the scanner: this council's is remembered for the visit; another
    council's, or one that cannot be read, gets kind words (and no check-in)."""
    try:
        key = read_hub_card(code, organisation_id=g.hub.organisation_id)
    except ServiceError as error:
        return flow.sorry(error.code)
    flow.start("card", card=key)
    return flow.go("kiosk.card_read")


@bp.route("/card")
@kiosk_required
@flow.in_visit
def card_read():
    if not flow.card():
        return flow.home()
    return render_template("kiosk/card_read.html")


@bp.post("/card/new")
@kiosk_required
@flow.in_visit
def card_new():
    """ "Get a hub card" on the thank-you screen. A second tap shows the same card."""
    finished = flow.state().get("done") or {}
    visit_id = finished.get("id")
    if finished.get("kind") != "visit" or not isinstance(visit_id, int):
        return flow.lost()
    if not finished.get("card"):
        visit = db.session.get(Visit, visit_id)
        if visit is None or visit.hub_id != g.hub.id:
            return flow.home()
        card = give_hub_card(g.hub.organisation_id, visit=visit)
        db.session.commit()
        flow.save(done={**finished, "card": card.code})
    return flow.go("kiosk.card_show")


@bp.route("/card/yours")
@kiosk_required
@flow.in_visit
def card_show():
    code = (flow.state().get("done") or {}).get("card")
    if not isinstance(code, str):
        return flow.home()
    return render_template("kiosk/hub_card.html", qr=qr_svg(code, label=_("Your hub card")))
