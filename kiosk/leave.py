""" "I'm leaving": the family checks itself out, so the fire roll call stays true.

A first name finds today's open visits at this hub; one is checked out at once,
several are shown by first name and last initial to choose from (as "find my
booking" does); none sends them to reception.
"""

from __future__ import annotations

from flask import g, render_template, request

from arrivals.actions import leave, visits_to_leave
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Visit
from kiosk import bp, flow
from kiosk.access import kiosk_required


def _goodbye(visit_id: int):
    try:
        leave(visit_id, hub_id=g.hub.id, now=clock.now())
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        return flow.sorry(error.code)
    flow.start("done", done={"kind": "left", "id": visit_id})
    return flow.go("kiosk.done")


@bp.route("/leaving")
@kiosk_required
@flow.in_visit
def leaving():
    return render_template("kiosk/leaving.html", message=flow.take_note())


@bp.post("/leaving")
@kiosk_required
@flow.in_visit
def leaving_post():
    name, note = flow.read_name(request.form.get("first_name"))
    if note:
        flow.save(note=note)
        return flow.go("kiosk.leaving")
    found = visits_to_leave(g.hub.id, name, now=clock.now())
    if not found:
        flow.save(note="leaving_not_found")
        return flow.go("kiosk.leaving")
    if len(found) == 1:
        return _goodbye(found[0].id)
    flow.save(leaving=[v.id for v in found])
    return flow.go("kiosk.leaving_choose")


def _choices() -> list[Visit]:
    ids = flow.state().get("leaving") or []
    found = [db.session.get(Visit, i) for i in ids if isinstance(i, int)]
    return [v for v in found if v is not None and v.hub_id == g.hub.id]


@bp.route("/leaving/choose")
@kiosk_required
@flow.in_visit
def leaving_choose():
    found = _choices()
    if not found:
        return flow.home()
    return render_template("kiosk/leaving_choose.html", visits=list(enumerate(found)))


@bp.post("/leaving/choose")
@kiosk_required
@flow.in_visit
def leaving_choose_post():
    found = _choices()
    index = flow.read_count(request.form.get("index"), 0, len(found) - 1) if found else None
    if index is None:
        return flow.lost()
    return _goodbye(found[index].id)
