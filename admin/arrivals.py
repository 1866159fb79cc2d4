"""The live arrivals board, its full-screen wall display for reception, a
practitioner's own arrivals, the fire roll call, the desk's check-in by hand,
help request details, and today's duty rota.

The board is live over server-sent events (``/admin/arrivals/stream``): every
change publishes an event (``frontdoor.events``) and each open board fetches its
own fragment again, rendered for its viewer's roles (reception never sees a help
request's topic). The rules are in ``arrivals.actions``; views turn codes into
plain words.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin import bp
from admin.forms.arrivals import DutyForm, WalkInForm
from admin.forms.connections import CONTACT_WORDS
from arrivals import actions as rules
from arrivals import board as boards
from arrivals import greeters
from arrivals.checkin import drop_ins_now
from connections.colleagues import introduced_to
from frontdoor import clock
from frontdoor.areas import NO_POSTCODE, area_for_postcode
from frontdoor.errors import ServiceError
from frontdoor.events import open_stream
from frontdoor.extensions import db, htmx
from frontdoor.fields import new_nonce, read_nonce, whole_id
from frontdoor.models import (
    ArrivalAction,
    AuditEvent,
    Duty,
    HelpRequest,
    Hub,
    Role,
    StaffUser,
    Visit,
)
from frontdoor.staff_auth import hubs_for, in_background, require_role_at, staff, staff_required
from frontdoor.templating import LANGUAGES, language_for_staff, page_or_fragment
from frontdoor.topics import TOPIC_LABELS
from frontdoor.words.staff import for_staff, staff_words

BOARD_ROLES = tuple(Role)
MINE_ROLES = (Role.PRACTITIONER, Role.SESSION_LEAD, Role.MANAGER)
DUTY_ROLES = (Role.MANAGER,)
TOPIC_ROLES = tuple(boards.TOPIC_ROLES)
NOTE = "arrivals_note"

# What someone on today's duty rota is there for, on the fire roll call.
DUTY_WORDS = {
    Duty.PRACTITIONER: _l("Greeter"),
    Duty.MANAGER: _l("Duty manager"),
}

DONE_WORDS = {
    "claim": _l("You will greet %(name)s."),
    "greeted": _l("%(name)s has been greeted."),
    "with_staff": _l("%(name)s is with staff."),
    "done": _l("%(name)s has been checked out."),
    "no_show": _l("%(name)s was marked as not here."),
    "hand_over": _l("%(name)s has been handed over to %(to)s."),
    "check_in": _l("%(name)s has been checked in."),
    "undo": _l("Undone."),
}


# --- which hub ----------------------------------------------------------------------------


def _hub(roles=BOARD_ROLES) -> Hub:
    """The hub the request names, or the first the viewer works at."""
    hub = g.get("hub")
    if hub is None:
        hubs = hubs_for(staff(), roles)
        if not hubs:
            abort(403)
        hub = hubs[0]
    return hub


def _hubs() -> list[Hub]:
    return hubs_for(staff(), BOARD_ROLES)


# --- the board ------------------------------------------------------------------------


def _board_context(hub: Hub, *, mine: bool) -> dict[str, object]:
    me = staff()
    shown = boards.board(hub.id, now=clock.now())
    if mine:
        shown = shown.only_for(me.id)
    return {
        "board": shown,
        "hub": hub,
        "hubs": _hubs(),
        "mine": mine,
        "me": me,
        "colleagues": greeters.staff_at(hub.id, Role),
        "can_see_topics": bool(me.roles_at(hub.id) & boards.TOPIC_ROLES),
        "can_set_duty": bool(me.roles_at(hub.id) & set(DUTY_ROLES)),
        "can_have_mine": bool(me.roles_at(hub.id) & set(MINE_ROLES)),
        # A reception board display (frontdoor.staff_sessions) shows the board only.
        "display_only": current_user.board_hub_id is not None,
        # Families colleagues introduced to me here, still to see: on my own list only.
        "introduced": introduced_to(me.id, hub.id, to_see_only=True) if mine else [],
        "contact_words": CONTACT_WORDS,
        "board_url": url_for("admin.arrivals_mine" if mine else "admin.arrivals", hub=hub.slug),
        "stream_url": url_for("admin.arrivals_stream", hub=hub.slug),
    }


def _render_board(hub: Hub, *, mine: bool):
    title = _("My arrivals") if mine else _("Arrivals")
    # What the desk's check-in form just did, with its Undo (full page only).
    note = None if htmx else session.pop(NOTE, None)
    response = page_or_fragment(
        "admin/arrivals/board.html",
        "admin/arrivals/_board.html",
        title=title,
        note=note,
        **_board_context(hub, mine=mine),
    )
    return response


@bp.route("/arrivals")
@staff_required(*BOARD_ROLES, board_display=True)
def arrivals():
    return _render_board(_hub(), mine=False)


@bp.route("/arrivals/wall")
@staff_required(*BOARD_ROLES, board_display=True)
def arrivals_wall():
    """The board full-screen, for the reception wall: read from across the room,
    never acted on (a paired board display lands here, ``admin.board_displays``)."""
    hub = _hub()
    return page_or_fragment(
        "admin/arrivals/wall.html",
        "admin/arrivals/_wall.html",
        title=_("Arrivals"),
        board=boards.board(hub.id, now=clock.now()),
        hub=hub,
        board_url=url_for("admin.arrivals_wall", hub=hub.slug),
        stream_url=url_for("admin.arrivals_stream", hub=hub.slug),
    )


@bp.route("/arrivals/mine")
@staff_required(*MINE_ROLES)
def arrivals_mine():
    return _render_board(_hub(MINE_ROLES), mine=True)


@bp.route("/arrivals/stream")
@staff_required(*BOARD_ROLES, board_display=True)
@in_background
def arrivals_stream():
    """Server-sent events for one hub's board: staff at that hub only."""
    hub = _hub()
    last = whole_id(request.headers.get("Last-Event-ID", "").strip())
    return open_stream([hub.id], last_event_id=last)


# --- actions --------------------------------------------------------------------------


def _int(name: str) -> int | None:
    return whole_id(request.form.get(name))


def _answer(hub: Hub, text: str, *, ok: bool, undo_id: int | None = None):
    """htmx: a message for the board (with Undo) and a refresh; else back to it."""
    if htmx:
        response = current_app.make_response(
            render_template(
                "admin/arrivals/_message.html",
                text=text,
                ok=ok,
                undo_id=undo_id,
                hub=hub,
            )
        )
        response.headers["HX-Trigger"] = "fd:refresh"
        return response
    flash(text, "success" if ok else "error")
    return redirect(url_for("admin.arrivals", hub=hub.slug))


def _subject_hub(subject: str, subject_id: int | None) -> Hub:
    model = rules.SUBJECTS.get(subject)
    row = db.session.get(model, subject_id) if model and subject_id else None
    if not isinstance(row, (Visit, HelpRequest)):  # None; get() types a row of either as Base
        abort(404)
    require_role_at(row.hub_id, BOARD_ROLES)
    return row.hub


@bp.post("/arrivals/act")
@staff_required(*BOARD_ROLES)
def arrivals_act():
    subject = request.form.get("subject", "")
    subject_id = _int("id")
    hub = _subject_hub(subject, subject_id)
    action = request.form.get("action", "")
    me = staff()
    row = db.session.get(rules.SUBJECTS[subject], subject_id)
    name = row.display_name or _("them")
    try:
        done = rules.act(
            subject,
            subject_id,
            action,
            staff_id=me.id,
            now=clock.now(),
            version=_int("version"),
            to_staff_id=_int("to_staff"),
        )
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        return _answer(hub, for_staff(error), ok=False)
    to = db.session.get(StaffUser, _int("to_staff") or 0)
    text = str(DONE_WORDS[action]) % {"name": name, "to": to.short_name if to else ""}
    return _answer(hub, text, ok=True, undo_id=done.action_id)


@bp.post("/arrivals/undo")
@staff_required(*BOARD_ROLES)
def arrivals_undo():
    record = db.session.get(ArrivalAction, _int("action_id") or 0)
    if record is None:
        abort(404)
    require_role_at(record.hub_id, BOARD_ROLES)
    hub = db.session.get(Hub, record.hub_id)
    try:
        rules.undo(record.id, staff_id=staff().id, now=clock.now())
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        return _answer(hub, for_staff(error), ok=False)
    return _answer(hub, str(DONE_WORDS["undo"]), ok=True)


# --- checking in by hand ----------------------------------------------------------------


@bp.route("/arrivals/check-in", methods=["GET", "POST"])
@staff_required(*BOARD_ROLES)
def arrivals_check_in():
    hub = _hub()
    form = WalkInForm()
    form.language.choices = [(code, language_for_staff(code)) for code in LANGUAGES]
    sessions = drop_ins_now(hub.id, clock.now())
    form.session.choices = [("", _("Just visiting, or not for a session"))] + [
        (str(s.id), f"{s.series.title}, {s.starts_at.astimezone(clock.LONDON):%H:%M}")
        for s in sessions
    ]
    if read_nonce(form.nonce.data) is None:  # a new form, or a mangled one
        form.nonce.data = new_nonce()
    if form.validate_on_submit():
        if form.adults.data is None:
            form.adults.data = 0
        try:
            made = rules.check_in_by_hand(
                hub.id,
                staff_id=staff().id,
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                adults=form.adults.data or 0,
                child_bands=form.child_bands(),
                language=form.language.data or "en",
                session_id=int(form.session.data) if form.session.data else None,
                now=clock.now(),
                nonce=f"desk:{form.nonce.data}",
                postcode=form.postcode.data or "",
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or form.first_name
            field.errors = [*field.errors, for_staff(error)]
        else:
            visit = made.visit
            text = str(DONE_WORDS["check_in"]) % {"name": visit.display_name}
            # A postcode with no decile: say why, so no one fills the gap with a guess.
            # (The postcode was accepted just now, so this look-up cannot refuse it.)
            area = area_for_postcode(form.postcode.data or "")
            if area.no_decile_because not in ("", NO_POSTCODE):
                text = f"{text} {staff_words(area.no_decile_because)}."
            session[NOTE] = {"text": text, "undo": made.action_id}
            return redirect(url_for("admin.arrivals", hub=hub.slug))
    return render_template(
        "admin/arrivals/check_in.html", title=_("Check someone in"), form=form, hub=hub
    )


@bp.post("/arrivals/check-in/booking")
@staff_required(*BOARD_ROLES)
def arrivals_check_in_booking():
    hub = _hub()
    booking_id = _int("booking_id")
    if booking_id is None:
        abort(404)
    try:
        made = rules.check_in_expected(
            booking_id, hub_id=hub.id, staff_id=staff().id, now=clock.now()
        )
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        return _answer(hub, for_staff(error), ok=False)
    text = str(DONE_WORDS["check_in"]) % {"name": made.visit.display_name}
    return _answer(hub, text, ok=True, undo_id=made.action_id)


# --- help request details (audited) -----------------------------------------------------


@bp.route("/arrivals/help/<int:help_id>")
@staff_required(*TOPIC_ROLES)
def arrivals_help(help_id: int):
    asked = db.session.get(HelpRequest, help_id)
    if asked is None:
        abort(404)
    require_role_at(asked.hub_id, TOPIC_ROLES)
    db.session.add(
        AuditEvent(
            staff_id=staff().id,
            hub_id=asked.hub_id,
            action="help_request.view",
            subject_type="help_request",
            subject_id=asked.id,
            detail="Opened a help request's details",
            at=clock.now(),
        )
    )
    db.session.commit()
    response = current_app.make_response(
        render_template(
            "admin/arrivals/help.html",
            title=_("Help request"),
            asked=asked,
            hub=asked.hub,
            topic=TOPIC_LABELS.get(asked.topic, asked.topic),
            language=language_for_staff(asked.language),
            claimed_by=db.session.get(StaffUser, asked.claimed_by_id or 0),
        )
    )
    return response


# --- the fire roll call ----------------------------------------------------------------


@bp.route("/arrivals/roll-call")
@staff_required(*BOARD_ROLES)
def arrivals_roll_call():
    hub = _hub()
    response = current_app.make_response(
        render_template(
            "admin/arrivals/roll_call.html",
            title=_("Fire roll call"),
            called=boards.roll_call(hub.id, now=clock.now()),
            duty_words=DUTY_WORDS,
            hub=hub,
        )
    )
    return response


# --- today's duty rota -----------------------------------------------------------------


@bp.route("/arrivals/duty", methods=["GET", "POST"])
@staff_required(*DUTY_ROLES)
def arrivals_duty():
    hub = _hub(DUTY_ROLES)
    day = greeters.local_day(hub, clock.now())
    practitioners = greeters.staff_at(hub.id, (Role.PRACTITIONER, Role.SESSION_LEAD))
    managers = greeters.staff_at(hub.id, (Role.MANAGER,))
    form = DutyForm()
    form.practitioners.choices = [(s.id, s.name) for s in practitioners]
    form.managers.choices = [(s.id, s.name) for s in managers]
    if request.method == "GET":
        form.practitioners.data = [s.id for s in greeters.duty_staff(hub.id, day)]
        form.managers.data = [s.id for s in greeters.duty_staff(hub.id, day, Duty.MANAGER)]
    if form.validate_on_submit():
        try:
            greeters.set_duty(hub.id, day, Duty.PRACTITIONER, form.practitioners.data or [])
            greeters.set_duty(hub.id, day, Duty.MANAGER, form.managers.data or [])
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            form.practitioners.errors = [for_staff(error)]
        else:
            flash(_("Today's duty rota has been saved."), "success")
            return redirect(url_for("admin.arrivals", hub=hub.slug))
    return render_template(
        "admin/arrivals/duty.html", title=_("Today's duty rota"), form=form, hub=hub, day=day
    )
