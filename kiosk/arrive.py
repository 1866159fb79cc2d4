"""Arriving: "I have a booking" (QR code, reference or "find me") and
"I'm here for a drop-in". Both end with a named person coming to say hello."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from flask import current_app, g, render_template, request
from sqlalchemy.orm import joinedload

from arrivals.checkin import (
    booking_for_check_in,
    bookings_to_choose,
    check_in_booking,
    check_in_drop_in,
    find_todays_bookings,
    next_times,
)
from booking.availability import Availability, State, availability
from booking.references import ALPHABET, read_reference
from booking.site import booking_for_link
from booking.tokens import CHECK_IN
from booking.whats_on import whats_on
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.family import is_hub_card
from frontdoor.fields import whole_id
from frontdoor.models import Booking, Session
from frontdoor.templating import page_language
from frontdoor.throttle import take_a_try
from frontdoor.translated import on_this_page
from kiosk import bp, flow, party
from kiosk.access import kiosk_required
from kiosk.cards import card_scanned

MAX_MATCHES = 6
# Booking look-ups (a reference typed or scanned, or "find me") one screen may make
# in LOOKUP_WINDOW (``kiosk_lookups`` in the configuration, 30): plenty for a busy
# foyer, far too few to try references or names one after another. Beyond it the
# family is asked, calmly, to see reception.
LOOKUP_WINDOW = timedelta(minutes=10)
_MAX_SCAN = 600  # characters: more than any token or link we print


def problem(error: ServiceError, **extra):
    """A service's refusal as the kind message for its code."""
    details = error.details
    if error.code == "too_early" and isinstance(opens := details.get("opens"), datetime):
        extra["at"] = opens.isoformat()
    elif error.code == "not_today" and isinstance(starts := details.get("starts_at"), datetime):
        extra["at"] = starts.isoformat()
    elif error.code == "other_hub":
        extra["hub"] = details.get("hub", "")
    elif error.code == "full" and isinstance(times := details.get("next_times"), list):
        extra["times"] = [s.starts_at.isoformat() for s in times]
    return flow.sorry(error.code, **extra)


def finished_visit(result) -> object:
    flow.start(
        "done",
        done={
            "kind": "visit",
            "id": result.visit_id,
            "greeter": result.greeter,
            "room": result.wait_in,
        },
    )
    return flow.go("kiosk.done")


# --- "I have a booking" ------------------------------------------------------------------


@bp.route("/booking")
@kiosk_required
@flow.in_visit
def booking():
    return render_template("kiosk/booking.html")


@bp.route("/booking/reference")
@kiosk_required
@flow.in_visit
def booking_reference():
    return render_template(
        "kiosk/booking_reference.html", alphabet=ALPHABET, message=flow.take_note()
    )


def _scanned(typed: str) -> tuple[str | None, int | None]:
    """(reference, booking id or None) from a typed reference, a check-in token, or
    a link carrying a token. Anything else finds nothing."""
    text = (typed or "").strip()
    if not text or len(text) > _MAX_SCAN:
        return None, None
    reference = read_reference(text)
    if reference:
        return reference, None
    candidates = [text]
    if "/" in text or "?" in text:
        parts = urlsplit(text)
        candidates += [value for _, value in parse_qsl(parts.query)]
        candidates.append(parts.path.rstrip("/").rsplit("/", 1)[-1])
    secret = current_app.config["SECRET_KEY"]
    for candidate in candidates:
        # A QR code from before a cancel or a change (or long over) finds nothing.
        found = booking_for_link(secret, CHECK_IN, candidate, now=clock.now())
        if isinstance(found, Booking):
            return found.reference, found.id
    return None, None


def _may_look_up() -> bool:
    """Count one look-up by this screen; no once it has made too many lately."""
    limit = current_app.config["FRONTDOOR"].kiosk_lookups
    allowed = take_a_try(
        f"kiosk|lookup|{g.kiosk.id}", now=clock.now(), limit=limit, window=LOOKUP_WINDOW
    )
    db.session.commit()  # the count holds whatever the look-up finds
    return allowed


def _look_up(typed: str):
    if not _may_look_up():
        return flow.sorry("ask_reception")
    reference, booking_id = _scanned(typed)
    if reference is None:
        return flow.sorry("not_found")
    try:
        found = booking_for_check_in(
            hub_id=g.hub.id, now=clock.now(), reference=reference, booking_id=booking_id
        )
    except ServiceError as error:
        return problem(error)
    return _chosen(found)


def _chosen(found: Booking):
    bands = _booking_bands(found)
    flow.start(
        "booking",
        booking=found.id,
        party=party.fresh(bands, max(found.adults, 0), found.children or ()),
    )
    return flow.go("kiosk.booking_who")


@bp.post("/reference")
@kiosk_required
@flow.in_visit
def reference():
    if not (request.form.get("reference") or "").strip():
        flow.save(note="reference_required")
        return flow.go("kiosk.booking_reference")
    return _look_up(request.form.get("reference", ""))


@bp.post("/scan")
@kiosk_required
def scan():
    """A 2D barcode scanner types the booking's QR code and Enter, on the start and
    booking screens. Whatever was going on, this starts checking in. The code is
    never shown back."""
    code = request.form.get("code", "")[:_MAX_SCAN]
    if is_hub_card(code):
        return card_scanned(code)
    flow.start("booking")
    return _look_up(code)


@bp.route("/booking/find")
@kiosk_required
@flow.in_visit
def booking_find():
    return render_template("kiosk/booking_find.html", message=flow.take_note())


@bp.post("/find")
@kiosk_required
@flow.in_visit
def find():
    name, note = flow.read_name(request.form.get("first_name"))
    if note:
        flow.save(note=note)
        return flow.go("kiosk.booking_find")
    if not _may_look_up():
        return flow.sorry("ask_reception")
    matches = find_todays_bookings(g.hub.id, name, now=clock.now(), locale=page_language())[
        :MAX_MATCHES
    ]
    if not matches:
        return flow.sorry("no_match")
    flow.start("booking", matches=[m.booking_id for m in matches])
    return flow.go("kiosk.booking_matches")


@bp.route("/booking/matches")
@kiosk_required
@flow.in_visit
def booking_matches():
    ids = flow.state().get("matches") or []
    lines = bookings_to_choose(
        g.hub.id, [i for i in ids if isinstance(i, int)], locale=page_language()
    )
    if not lines:
        return flow.home()
    # First name and last initial, the session and its time; a party's size or
    # when it was booked only to tell two alike lines apart.
    rows = [(ids.index(line.booking_id), line) for line in lines]
    return render_template("kiosk/booking_matches.html", rows=rows)


@bp.post("/booking/choose")
@kiosk_required
@flow.in_visit
def booking_choose():
    ids = flow.state().get("matches") or []
    index = flow.read_count(request.form.get("index"), 0, len(ids) - 1) if ids else None
    if index is None:
        return flow.sorry("not_found")
    try:
        found = booking_for_check_in(hub_id=g.hub.id, now=clock.now(), booking_id=ids[index])
    except ServiceError as error:
        return problem(error)
    return _chosen(found)


def _booking_bands(found: Booking) -> list[str]:
    """The session's bands, and those the family booked for: the counters start
    from what they booked."""
    booked = found.children or ()
    return party.child_bands(found.session, also=booked) if found.session else list(booked)


def _booking_in_visit() -> Booking | None:
    booking_id = flow.state().get("booking")
    found = (
        # Its session's series too: the counters start from its age bands.
        db.session.get(
            Booking, booking_id, options=[joinedload(Booking.session).joinedload(Session.series)]
        )
        if isinstance(booking_id, int)
        else None
    )
    if found is None or found.session is None or found.session.hub_id != g.hub.id:
        return None
    return found


@bp.route("/booking/who")
@kiosk_required
@flow.in_visit
def booking_who():
    found = _booking_in_visit()
    if found is None:
        return flow.lost()
    bands = _booking_bands(found)
    return render_template(
        "kiosk/booking_who.html",
        booking=found,
        party=party.saved(bands),
        bands=bands,
        message=flow.take_note(),
    )


@bp.post("/booking/who")
@kiosk_required
@flow.in_visit
def booking_who_post():
    found = _booking_in_visit()
    if found is None:
        return flow.lost()
    counts = party.saved(_booking_bands(found))
    change = request.form.get("change")
    if change:  # a + or - without JavaScript
        flow.save(party=flow.step_counts(counts, change, {}))
        return flow.go("kiosk.booking_who")
    here = party.posted(counts)
    if here is None:
        flow.save(note="party_size")
        return flow.go("kiosk.booking_who")
    nonce = flow.posted_nonce()
    try:
        result = flow.once(
            lambda: check_in_booking(
                found.id,
                hub_id=g.hub.id,
                adults=here["adults"],
                child_bands=party.children(here),
                now=clock.now(),
                nonce=nonce,
                kiosk_id=g.kiosk.id,
                card_key=flow.card(),
            ),
            nonce,
        )
    except ServiceError as error:
        return problem(error)
    return finished_visit(result)


# --- "I'm here for a drop-in" -----------------------------------------------------------


@bp.route("/drop-in")
@kiosk_required
@flow.in_visit
def drop_in():
    today = whats_on(g.hub.id, now=clock.now(), days=1)
    sessions = today.drop_ins_now()
    if len(sessions) == 1:
        # The only drop-in running now: no need to ask which. Its name, time and
        # room head the next screen, and "Start again" is a tap away.
        return _drop_in_to(sessions[0], today.available[sessions[0].id])
    later = (
        []
        if sessions
        else [s for s in today.sessions if today.available[s.id].drop_in == State.NOT_OPEN]
    )
    return render_template(
        "kiosk/drop_in.html", sessions=sessions, available=today.available, later=later
    )


def _running(session_id: int | None) -> tuple[Session, Availability] | None:
    """The hub's session a family chose to drop in to, if they may now."""
    session = db.session.get(Session, session_id) if session_id is not None else None
    if session is None or session.hub_id != g.hub.id:
        return None
    available = availability(session, clock.now())
    return (session, available) if available.drop_in_now else None


@bp.post("/drop-in")
@kiosk_required
@flow.in_visit
def drop_in_choose():
    raw = request.form.get("session", "")
    running = _running(whole_id(raw))
    if running is None:
        return flow.sorry("drop_in_gone")
    return _drop_in_to(*running)


def _drop_in_to(session: Session, available: Availability):
    """The family chose ``session`` (or it was the only one): who is here, unless it is full."""
    if available.drop_in == State.FULL:
        return flow.sorry(
            "full",
            title=on_this_page(session.series, "title"),
            times=[s.starts_at.isoformat() for s in next_times(session)],
        )
    flow.start("drop_in", session=session.id, party=party.fresh(party.child_bands(session)))
    return flow.go("kiosk.drop_in_who")


def _drop_in_in_visit() -> Session | None:
    session_id = flow.state().get("session")
    if flow.state().get("flow") != "drop_in" or not isinstance(session_id, int):
        return None
    session = db.session.get(Session, session_id)
    return session if session is not None and session.hub_id == g.hub.id else None


@bp.route("/drop-in/who")
@kiosk_required
@flow.in_visit
def drop_in_who():
    session = _drop_in_in_visit()
    if session is None:
        return flow.lost()
    bands = party.child_bands(session)
    return render_template(
        "kiosk/drop_in_who.html",
        session=session,
        party=party.saved(bands),
        bands=bands,
        message=flow.take_note(),
    )


@bp.post("/drop-in/who")
@kiosk_required
@flow.in_visit
def drop_in_who_post():
    session = _drop_in_in_visit()
    if session is None:
        return flow.lost()
    counts = party.saved(party.child_bands(session))
    change = request.form.get("change")
    if change:
        flow.save(party=flow.step_counts(counts, change, {}))
        return flow.go("kiosk.drop_in_who")
    here = party.posted(counts)
    if here is None:
        flow.save(note="party_size")
        return flow.go("kiosk.drop_in_who")
    flow.save(party=here)
    return flow.go("kiosk.drop_in_name")


@bp.route("/drop-in/name")
@kiosk_required
@flow.in_visit
def drop_in_name():
    session = _drop_in_in_visit()
    if session is None:
        return flow.lost()
    return render_template("kiosk/drop_in_name.html", session=session, message=flow.take_note())


@bp.post("/drop-in/name")
@kiosk_required
@flow.in_visit
def drop_in_name_post():
    session = _drop_in_in_visit()
    if session is None:
        return flow.lost()
    name, note = flow.read_name(request.form.get("first_name"))
    if note:
        flow.save(note=note)
        return flow.go("kiosk.drop_in_name")
    here = party.saved(party.child_bands(session))
    first_time = {"yes": True, "no": False}.get(request.form.get("first_time", ""))
    # Asked only of a family here for the first time; only its area is kept.
    postcode = (request.form.get("postcode") or "")[:16] if first_time else ""
    nonce = flow.posted_nonce()
    try:
        result = flow.once(
            lambda: check_in_drop_in(
                session.id,
                hub_id=g.hub.id,
                first_name=name,
                adults=here["adults"],
                child_bands=party.children(here),
                now=clock.now(),
                first_time=first_time,
                language=page_language(),
                nonce=nonce,
                kiosk_id=g.kiosk.id,
                card_key=flow.card(),
                postcode=postcode,
            ),
            nonce,
        )
    except ServiceError as error:
        if error.code == "postcode_unknown":
            flow.save(note=error.code)
            return flow.go("kiosk.drop_in_name")
        return problem(error, title=on_this_page(session.series, "title"))
    return finished_visit(result)
