"""Kiosk screens: pairing, the start screen, and what every visit shares.

Views parse the form, call one service and redirect (never render after a
POST), so nothing personal is ever in an address. The flows themselves are in
``kiosk.arrive`` (a booking or a drop-in), ``kiosk.browse`` (what's on, book
here) and ``kiosk.talk`` ("I'd like to talk to someone").
"""

from __future__ import annotations

from datetime import datetime

from flask import g, make_response, redirect, render_template, request, session, url_for

from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Booking, HelpRequest, Visit
from frontdoor.security import FORGET_THE_VISIT, forget_site
from frontdoor.staff_auth import public
from frontdoor.templating import LANGUAGES
from frontdoor.words.families import for_family
from kiosk import bp, flow, pairing
from kiosk.access import COOKIE, kiosk_required, set_device_cookie

ENTRY = {
    "booking": "kiosk.booking",
    "drop_in": "kiosk.drop_in",
    "whats_on": "kiosk.whats_on_page",
    "talk": "kiosk.talk",
    "support": "kiosk.support",
    "leaving": "kiosk.leaving",
}


# --- pairing (a member of staff, on the device) -------------------------------------


@bp.route("/pair", methods=["GET", "POST"])
@public
def pair():
    """The one-time code from the staff side. Only a POST pairs: a link preview or
    a prefetch of ``?code=`` must not use up the code."""
    g.kiosk_pairing = True  # this page shows no hub, even on a paired screen
    problem = None
    code = request.values.get("code", "")[:40]
    if request.method == "POST":
        try:
            _, credential = pairing.pair(code, now=clock.now())
        except ServiceError as error:
            db.session.rollback()
            problem = for_family(error)
        else:
            db.session.commit()
            response = redirect(url_for("kiosk.home"), code=303)
            set_device_cookie(response, credential)
            return response
    already = pairing.device_for(request.cookies.get(COOKIE), now=clock.now())
    db.session.commit()
    return render_template(
        "kiosk/pair.html",
        code=code if problem is None else "",
        problem=problem,
        already=already,
    ), (400 if problem else 200)


# --- the start screen and what every screen shares --------------------------------------


@bp.route("/")
@kiosk_required
def home():
    flow.clear()  # the start screen begins a new visit
    response = make_response(
        render_template("kiosk/home.html", languages=LANGUAGES, now=clock.now())
    )
    set_device_cookie(response, request.cookies[COOKIE])  # keep a working screen paired
    return response


@bp.route("/reset")
@kiosk_required
def reset():
    """Where the screen goes when a visit ends or nobody touched it for a while."""
    flow.clear(language=True)
    response = redirect(url_for("kiosk.home"), code=303)
    return forget_site(response, FORGET_THE_VISIT)


@bp.route("/ping")
@kiosk_required
def ping():
    """Is the server there? Polled by the "please tell reception" screen."""
    return "", 204


@bp.post("/language")
@kiosk_required
def language():
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        session["language"] = chosen
    return flow.home()


@bp.post("/display")
@kiosk_required
def display():
    """Larger text and high contrast: switches that stay on until switched off."""
    option = request.form.get("option", "")
    chosen = [o for o in session.get(flow.DISPLAY) or [] if o in flow.DISPLAY_OPTIONS]
    if option in flow.DISPLAY_OPTIONS:
        chosen = [o for o in chosen if o != option] if option in chosen else [*chosen, option]
        session[flow.DISPLAY] = chosen
    return flow.home()


@bp.post("/start")
@kiosk_required
def start():
    chosen = request.form.get("flow", "")
    if chosen not in ENTRY:
        return flow.home()
    flow.start(chosen)
    return flow.go(ENTRY[chosen])


# Codes the "sorry" screen has its own words for; any other reads as "not found".
SORRY_CODES = frozenset(
    {
        "ask_reception",
        "already_checked_in",
        "too_early",
        "session_over",
        "session_cancelled",
        "online_only",
        "cancelled_session",
        "not_today",
        "other_hub",
        "cancelled",
        "waiting_list",
        "full",
        "booking_full",
        "party_too_large",
        "duplicate",
        "too_late",
        "closed",
        "no_match",
        "drop_in_gone",
        "session_gone",
        "not_drop_in",
        "drop_in_only",
        "too_many_texts",
        "card_other_council",
        "card_unreadable",
    }
)


# --- the ends of a visit: a kind "sorry", or "thank you" ----------------------------------


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@bp.route("/sorry")
@kiosk_required
@flow.in_visit
def sorry():
    problem = flow.state().get("problem")
    if not problem:
        return flow.home()
    code = problem.get("code", "not_found")
    return render_template(
        "kiosk/sorry.html",
        code=code,
        retry=code in ("not_found", "no_match") or code not in SORRY_CODES,
        problem=problem,
        at=_when(problem.get("at")),
        times=[t for t in (_when(v) for v in problem.get("times") or []) if t],
    )


@bp.route("/done")
@kiosk_required
@flow.in_visit
def done():
    """Thank you: who will come to say hello, where to wait. Never the topic."""
    finished = flow.state().get("done") or {}
    kind, record_id = finished.get("kind"), finished.get("id")
    model = {"visit": Visit, "help": HelpRequest, "booked": Booking, "left": Visit}.get(kind)
    record = db.session.get(model, record_id) if model and isinstance(record_id, int) else None
    if isinstance(record, Booking):
        hub_id = record.session.hub_id if record.session else None
    else:
        hub_id = record.hub_id if record is not None else None
    if hub_id != g.hub.id:
        return flow.home()
    return render_template(
        f"kiosk/done_{kind}.html",
        record=record,
        greeter=finished.get("greeter"),
        room=finished.get("room"),
        # A family who showed a card already has one.
        offer_card=kind == "visit" and not flow.card(),
    )
