"""What's on at this hub today and for the next week, and booking a place: here on
the screen, or on the family's own phone from a QR code."""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request
from flask_babel import gettext

from booking.availability import State, availability
from booking.contact import Contact, Party
from booking.services import book_session
from booking.whats_on import session_at_hub, whats_on
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.fields import whole_id
from frontdoor.models import AGE_BANDS, BookingSource, Session
from frontdoor.qr import qr_svg
from frontdoor.templating import page_language
from frontdoor.translated import on_this_page
from kiosk import bp, flow, party
from kiosk.access import kiosk_required

DAYS = 8  # today and the next seven
# What the booking service's refusals are called on the kiosk's "sorry" screen.
BOOKING_PROBLEMS = {"full": "booking_full", "not_found": "session_gone"}


@bp.route("/whats-on")
@kiosk_required
@flow.in_visit
def whats_on_page():
    band = request.args.get("age")
    band = band if band in AGE_BANDS else None
    category = whole_id(request.args.get("category"))
    listing = whats_on(
        g.hub.id,
        now=clock.now(),
        days=DAYS,
        ages=[band] if band else (),
        category_id=category,
        source=BookingSource.KIOSK,
    )
    return render_template(
        "kiosk/whats_on.html",
        listing=listing,
        band=band,
        category=category,
        bands=[b for b in AGE_BANDS if b in listing.age_bands],
        age_bands=AGE_BANDS,
    )


def phone_link(session: Session) -> str:
    base = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    return f"{base}/book/{session.hub.slug}/sessions/{session.id}"


@bp.route("/whats-on/<int:session_id>")
@kiosk_required
@flow.in_visit
def session_page(session_id: int):
    session = session_at_hub(session_id, g.hub.id)
    if session is None:
        abort(404)
    available = availability(session, clock.now(), source=BookingSource.KIOSK)
    return render_template(
        "kiosk/session.html",
        session=session,
        available=available,
        qr=qr_svg(
            phone_link(session),
            label=gettext(
                "A QR code to book %(title)s on your phone",
                title=on_this_page(session.series, "title"),
            ),
        )
        if available.bookable
        else None,
        age_bands=AGE_BANDS,
    )


# --- "Book here" ----------------------------------------------------------------------


@bp.post("/book")
@kiosk_required
@flow.in_visit
def book_start():
    session = session_at_hub(whole_id(request.form.get("session")) or 0, g.hub.id)
    if session is None:
        return flow.sorry("session_gone")
    available = availability(session, clock.now(), source=BookingSource.KIOSK)
    if not available.bookable:
        return flow.sorry("session_gone")
    if available.state == State.FULL:
        return flow.sorry("booking_full", title=on_this_page(session.series, "title"))
    flow.start("book", session=session.id, party=party.fresh(party.child_bands(session)))
    return flow.go("kiosk.book_who")


def _book_in_visit() -> Session | None:
    current = flow.state()
    if current.get("flow") != "book" or not isinstance(current.get("session"), int):
        return None
    return session_at_hub(current["session"], g.hub.id)


@bp.route("/book/who")
@kiosk_required
@flow.in_visit
def book_who():
    session = _book_in_visit()
    if session is None:
        return flow.lost()
    return render_template(
        "kiosk/book_who.html",
        session=session,
        counts=party.saved(party.child_bands(session)),
        bands=party.child_bands(session),
        message=flow.take_note(),
    )


@bp.post("/book/who")
@kiosk_required
@flow.in_visit
def book_who_post():
    session = _book_in_visit()
    if session is None:
        return flow.lost()
    counts = party.saved(party.child_bands(session))
    change = request.form.get("change")
    if change:
        flow.save(party=flow.step_counts(counts, change, {}))
        return flow.go("kiosk.book_who")
    posted = party.posted(counts)
    if posted is None:
        flow.save(note="party_size")
        return flow.go("kiosk.book_who")
    flow.save(party=posted)
    return flow.go("kiosk.book_details")


@bp.route("/book/details")
@kiosk_required
@flow.in_visit
def book_details():
    session = _book_in_visit()
    if session is None:
        return flow.lost()
    return render_template("kiosk/book_details.html", session=session, message=flow.take_note())


@bp.post("/book/details")
@kiosk_required
@flow.in_visit
def book_details_post():
    session = _book_in_visit()
    if session is None:
        return flow.lost()
    name, note = flow.read_name(request.form.get("first_name"))
    mobile = (request.form.get("mobile") or "").strip()
    if not note and len(mobile) > 20:
        note = "invalid_mobile"
    if note:
        flow.save(note=note)
        return flow.go("kiosk.book_details")
    counts = party.saved(party.child_bands(session))
    nonce = flow.posted_nonce()
    try:
        result = flow.once(
            lambda: book_session(
                session.id,
                Party(counts["adults"], party.children(counts)),
                Contact(name, mobile=mobile, language=page_language()),
                now=clock.now(),
                source=BookingSource.KIOSK,
                idempotency_key=nonce,
                card_key=flow.card(),
            ),
            nonce,
        )
    except ServiceError as error:
        if error.code in (
            "invalid_mobile",
            "first_name_required",
            "name_too_long",
            "online_needs_contact",
        ):
            online = error.code == "online_needs_contact"  # the kiosk asks only for a mobile
            flow.save(note="online_needs_mobile" if online else error.code)
            return flow.go("kiosk.book_details")
        if error.code in ("party_empty", "child_age_band"):
            flow.save(note="party_size")
            return flow.go("kiosk.book_who")
        return flow.sorry(
            BOOKING_PROBLEMS.get(error.code, error.code),
            title=on_this_page(session.series, "title"),
            limit=error.details.get("limit"),
        )
    flow.start("done", done={"kind": "booked", "id": result.booking.id})
    return flow.go("kiosk.done")
