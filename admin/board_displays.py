"""Reception board displays: a manager adds one for a hub and gets a one-time
pairing code; the reception PC that enters it shows that hub's arrivals board as
a full-screen wall display (``admin.arrivals_wall``), and nothing else, until the
end of the working day (frontdoor.staff_sessions)."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for

from admin import bp
from admin.forms.account import BoardDisplayForm, PairBoardForm
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import BoardDisplay, Hub, Role
from frontdoor.qr import qr_svg
from frontdoor.staff_auth import (
    hubs_for,
    public,
    require_role_at,
    session_rules,
    staff,
    staff_required,
    start_session,
)
from frontdoor.staff_sessions import (
    PAIRING_LIFETIME,
    add_board_display,
    board_displays_at,
    pair_board_display,
    remove_board_display,
)
from frontdoor.words.staff import add_service_errors

MANAGER = Role.MANAGER


@bp.route("/board-displays")
@staff_required(MANAGER)
def board_displays():
    hubs = hubs_for(staff(), [MANAGER])
    now = clock.now()
    by_hub = {hub.id: board_displays_at(hub.id, now=now) for hub in hubs}
    return render_template(
        "admin/board_displays/list.html", hubs=hubs, by_hub=by_hub, title="Board displays"
    )


@bp.route("/board-displays/new", methods=["GET", "POST"])
@staff_required(MANAGER)
def board_display_new():
    hubs = hubs_for(staff(), [MANAGER])
    form = BoardDisplayForm()
    form.offer(hubs)
    if form.validate_on_submit():
        require_role_at(form.hub_id.data, [MANAGER])
        try:
            display, code = add_board_display(
                staff(), form.hub_id.data, form.name.data, now=clock.now()
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            return _show_code(display, code)
    return render_template("admin/board_displays/new.html", form=form, title="Add a board display")


def _show_code(display: BoardDisplay, code: str):
    """The one time a pairing code is shown: straight from the POST, never cached."""
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    link = f"{base}{url_for('admin.board_display_pair')}?code={code}"
    response = make_response(
        render_template(
            "admin/board_displays/code.html",
            display=display,
            hub=db.session.get(Hub, display.hub_id),
            code=code,
            link=link,
            qr=qr_svg(link, label=f"QR code to pair {display.name}", css_class="fd-qr fd-qr--pair"),
            minutes=int(PAIRING_LIFETIME.total_seconds() // 60),
            title=f"Pair {display.name}",
        )
    )
    return response


@bp.post("/board-displays/<int:display_id>/remove")
@staff_required(MANAGER)
def board_display_remove(display_id: int):
    display = db.get_or_404(BoardDisplay, display_id)
    require_role_at(display.hub_id, [MANAGER])
    name = display.name
    remove_board_display(staff(), display, now=clock.now())
    db.session.commit()
    flash(f"{name} removed: it shows the sign-in page from now on", "success")
    return redirect(url_for("admin.board_displays"))


@bp.route("/board-display/pair", methods=["GET", "POST"])
@public  # opens only a board display's login, and only with a manager's one-time code
def board_display_pair():
    form = PairBoardForm()
    if not form.is_submitted() and request.args.get("code"):
        form.code.data = request.args.get("code", "")[:20]
    if form.validate_on_submit():
        try:
            display, owner, token = pair_board_display(
                form.code.data, now=clock.now(), rules=session_rules()
            )
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            slug = display.hub.slug
            db.session.commit()
            start_session(owner, token)
            return redirect(url_for("admin.arrivals_wall", hub=slug))
    return render_template(
        "admin/board_displays/pair.html", form=form, title="Pair a board display"
    )
