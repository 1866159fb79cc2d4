"""A session's register, and the changes staff make to its bookings.

Who may do what, at the session's own hub (council admins everywhere):

- view the register: session leads, managers, practitioners and reception;
- book a family on their behalf, cancel or move a booking: session leads,
  managers and reception (reception takes the phone calls);
- change a session's capacity: session leads and managers.

Every view loads its record by id, then checks the role at that record's hub.
Every staff read of a register is written to the audit log, with no family data.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from admin import bp
from admin.forms import told_family
from admin.forms.register import BookOnBehalfForm, CancelForm, CapacityForm, MoveForm
from admin.forms.timetable import ConfirmForm
from arrivals.registers import AGE_NOT_TOLD, load_register
from booking.availability import availability, count_taken_by_session, runs_online
from booking.services import book_session, cancel_booking, move_booking
from booking.session_changes import set_capacity
from frontdoor import audit, clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import new_nonce, read_nonce
from frontdoor.models import (
    AGE_BANDS,
    Booking,
    BookingSource,
    BookingStatus,
    Role,
    Session,
    Visit,
    VisitKind,
    VisitStatus,
)
from frontdoor.staff_auth import require_role_at, staff, staff_required
from frontdoor.words.staff import for_staff

VIEW_ROLES = (Role.SESSION_LEAD, Role.MANAGER, Role.PRACTITIONER, Role.RECEPTION)
CHANGE_ROLES = (Role.SESSION_LEAD, Role.MANAGER, Role.RECEPTION)
CAPACITY_ROLES = (Role.SESSION_LEAD, Role.MANAGER)

# Upcoming sessions offered when moving a booking.
MOVE_HORIZON = timedelta(weeks=12)
MOVE_CHOICES = 40

SOURCES = {
    BookingSource.PUBLIC: "Online",
    BookingSource.KIOSK: "Kiosk",
    BookingSource.STAFF: "Staff",
}


# Where each error belongs on the booking form when the service names no field.
BOOK_FIELDS = {
    "full": "join_waiting_list",
    "duplicate": "first_name",
    "invalid_email": "email",
    "invalid_mobile": "mobile",
}


# --- reading ---------------------------------------------------------------------------


def move_choices(booking: Booking, now: datetime) -> list[tuple[Session, int]]:
    """Sessions at the booking's hub staff can book now, its own series first,
    each with its places left to book."""
    current = session_of(booking)
    sessions = db.session.scalars(
        select(Session)
        .where(
            Session.hub_id == current.hub_id,
            Session.id != current.id,
            Session.starts_at > now,
            Session.starts_at < now + MOVE_HORIZON,
        )
        .options(joinedload(Session.series), joinedload(Session.room))
        .order_by(
            or_(Session.series_id != current.series_id, Session.series_id.is_(None)),
            Session.starts_at,
        )
    ).all()
    taken = count_taken_by_session(sessions)
    choices = []
    for session in sessions:
        available = availability(session, now, taken[session.id], source=BookingSource.STAFF)
        if available.bookable:
            choices.append((session, available.places_to_book))
    return choices[:MOVE_CHOICES]


# --- helpers ---------------------------------------------------------------------------


def _party(adults: int, children: int) -> str:
    """ "2 adults, 3 children"."""
    text = f"{adults} adult{'s' if adults != 1 else ''}"
    if not children:
        return text
    return f"{text}, {children} child{'ren' if children != 1 else ''}"


def party_text(party: Booking | Visit) -> str:
    """A party by age band, "2 adults, 3 children (1 aged 0 to 1, 2 aged 1 to 3)",
    booked or arrived alike; a visit from before the kiosk asked ages in numbers,
    "1 adult, 2 children", as that is all it told."""
    bands = list((party.child_bands if isinstance(party, Visit) else party.children) or [])
    if not bands:
        return _party(party.adults, party.children if isinstance(party, Visit) else 0)
    return f"{_party(party.adults, len(bands))} ({bands_text(Counter(bands))})"


def children_text(counts: Counter[str]) -> str:
    """Children who came, "3 children (1 aged 0 to 1, 2 aged 1 to 3)", or "None"."""
    total = counts.total()
    if not total:
        return "None"
    return f"{total} child{'ren' if total != 1 else ''} ({bands_text(counts)})"


def bands_text(counts: Counter[str]) -> str:
    """ "1 expected, 2 aged 1 to 3, 1 age not told", in the age bands' order."""
    order = [*AGE_BANDS, *sorted(set(counts) - set(AGE_BANDS) - {AGE_NOT_TOLD}), AGE_NOT_TOLD]
    return ", ".join(
        f"{counts[band]} expected"
        if band == "pregnancy"
        else (
            f"{counts[band]} age not told"
            if band == AGE_NOT_TOLD
            else f"{counts[band]} aged {AGE_BANDS.get(band, band)}"
        )
        for band in order
        if counts[band]
    )


def session_label(session: Session, left: int | None = None) -> str:
    starts = clock.local(session.starts_at)
    room = f", {session.room.name}" if session.room else ""
    places = "" if left is None else (f" ({left} places left)" if left else " (full)")
    return (
        f"{session.series.title}, {starts:%A} {starts.day} {starts:%B %Y}, "
        f"{starts:%H:%M}{room}{places}"
    )


def audit_register(
    action: str, subject_type: str, subject_id: int, hub_id: int, detail: str = ""
) -> None:
    audit.record(
        action,
        staff_id=staff().id,
        subject_type=subject_type,
        subject_id=subject_id,
        hub_id=hub_id,
        detail=detail,
    )


def _session_or_404(session_id: int, roles) -> Session:
    session = db.session.get(Session, session_id)
    if session is None:
        abort(404)
    require_role_at(session.hub_id, roles)
    return session


def booking_or_404(booking_id: int, roles) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id is None:
        abort(404)
    require_role_at(session_of(booking).hub_id, roles)
    return booking


def session_of(booking: Booking) -> Session:
    """The session of a booking on a register (``booking_or_404`` lets in no other)."""
    if booking.session is None:
        abort(404)
    return booking.session


def _names(bookings: list[Booking]) -> str:
    names = [b.display_name for b in bookings]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _promoted_text(promoted: list[Booking]) -> str:
    if not promoted:
        return ""
    verb = "has" if len(promoted) == 1 else "have"
    return f" From the waiting list, {_names(promoted)} now {verb} a place."


def render_register(session: Session, *, errors=(), cancel_form=None, capacity_form=None):
    """The register page; showing it is a read of families' records, so audited."""
    register = load_register(session, clock.now())
    audit_register("register.view", "session", session.id, session.hub_id)
    db.session.commit()
    held = staff().roles_at(session.hub_id)
    now = clock.now()
    return render_template(
        "admin/register/register.html",
        title=("Error: " if errors else "") + f"Register: {session.series.title}",
        register=register,
        session=session,
        errors=list(errors),
        cancel_form=cancel_form or CancelForm(formdata=None),
        capacity_form=capacity_form or CapacityForm(formdata=None, capacity=session.capacity),
        can_change=bool(held & set(CHANGE_ROLES)),
        can_set_capacity=bool(held & set(CAPACITY_ROLES)),
        party_text=party_text,
        children_text=children_text,
        sources=SOURCES,
        visit_kind=VisitKind,
        no_show=VisitStatus.NO_SHOW,
        # Staff who run the session say who joined online, once it has started.
        record_online=runs_online(session)
        and not session.is_cancelled
        and now >= session.starts_at
        and bool(held & set(VIEW_ROLES)),
        confirm_form=ConfirmForm(formdata=None),
    )


# --- views -----------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/register")
@staff_required(*VIEW_ROLES)
def register(session_id: int):
    return render_register(_session_or_404(session_id, VIEW_ROLES))


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@staff_required(*CHANGE_ROLES)
def book_on_behalf(session_id: int):
    session = _session_or_404(session_id, CHANGE_ROLES)
    form = BookOnBehalfForm()
    if read_nonce(form.nonce.data) is None:  # a new form, or a mangled one
        form.nonce.data = new_nonce()
    if form.validate_on_submit():
        try:
            result = book_session(
                session.id,
                form.party(),
                form.contact(),
                now=clock.now(),
                source=BookingSource.STAFF,
                idempotency_key=f"staff:{session.id}:{form.nonce.data}",
                join_waiting_list=bool(form.join_waiting_list.data),
                postcode=form.postcode_text(),
            )
            booking = result.booking
            if result.created:
                audit_register("booking.create", "booking", booking.id, session.hub_id)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()  # ends the transaction, and with it the session's lock
            field = getattr(form, error.field or BOOK_FIELDS.get(error.code, "first_name"), None)
            field = field if field is not None else form.first_name
            field.errors = [*field.errors, for_staff(error)]
        except IntegrityError:
            db.session.rollback()
            form.first_name.errors = [
                "The booking could not be saved. Check the register and try again"
            ]
        else:
            if not result.created:
                flash(f"That booking was already made: reference {booking.reference}.", "success")
            elif result.waiting:
                flash(
                    f"{booking.display_name} is on the waiting list. Reference "
                    f"{booking.reference}.{told_family(booking)}",
                    "success",
                )
            else:
                flash(
                    f"{booking.display_name} is booked. Reference {booking.reference}."
                    f"{told_family(booking)}",
                    "success",
                )
            return redirect(url_for("admin.register", session_id=session.id))
    return render_template(
        "admin/register/book.html",
        title=("Error: " if form.errors else "") + f"Book a family: {session.series.title}",
        form=form,
        session=session,
        available=availability(session, clock.now(), source=BookingSource.STAFF),
    )


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@staff_required(*CHANGE_ROLES)
def booking_cancel(booking_id: int):
    booking = booking_or_404(booking_id, CHANGE_ROLES)
    form = CancelForm()
    errors: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            promoted = cancel_booking(
                booking, now=clock.now(), by_staff=True, reason=form.reason.data or ""
            )
            audit_register(
                "booking.cancel",
                "booking",
                booking.id,
                session_of(booking).hub_id,
                f"{len(promoted)} promoted from the waiting list",
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            errors.append({"text": for_staff(error), "href": f"#reason-{booking.id}"})
        else:
            flash(
                f"Cancelled the booking for {booking.display_name}.{told_family(booking)}"
                f"{_promoted_text(promoted)}",
                "success",
            )
            return redirect(url_for("admin.register", session_id=booking.session_id))
    else:
        errors += [
            {"text": text, "href": f"#reason-{booking.id}"}
            for text in form.reason.errors or ["Sorry, that could not be done. Try again"]
        ]
    return render_register(session_of(booking), errors=errors, cancel_form=form)


@bp.route("/bookings/<int:booking_id>/move", methods=["GET", "POST"])
@staff_required(*CHANGE_ROLES)
def booking_move(booking_id: int):
    booking = booking_or_404(booking_id, CHANGE_ROLES)
    now = clock.now()
    choices = move_choices(booking, now)
    form = MoveForm()
    form.session.choices = [SelectChoice(s.id, session_label(s, left)) for s, left in choices]
    from_session_id = booking.session_id
    if booking.status == BookingStatus.CONFIRMED and form.validate_on_submit():
        try:
            promoted = move_booking(booking, form.session.data, now=now)
            audit_register(
                "booking.move",
                "booking",
                booking.id,
                session_of(booking).hub_id,
                f"from session {from_session_id} to session {form.session.data}",
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            form.session.errors = [*form.session.errors, for_staff(error)]
        else:
            flash(
                f"Moved {booking.display_name} to {session_label(session_of(booking))}."
                f"{told_family(booking)}{_promoted_text(promoted)}",
                "success",
            )
            return redirect(url_for("admin.register", session_id=from_session_id))
    elif form.is_submitted() and form.session.errors:
        # Nothing chosen, or a choice not on the list: one plain message.
        form.session.errors = ["Choose the session to move them to"]
    return render_template(
        "admin/register/move.html",
        title=("Error: " if form.errors else "") + f"Move {booking.display_name}'s booking",
        form=form,
        booking=booking,
        current=session_label(session_of(booking)),
        movable=booking.status == BookingStatus.CONFIRMED,
    )


@bp.route("/sessions/<int:session_id>/capacity", methods=["POST"])
@staff_required(*CAPACITY_ROLES)
def session_raise_capacity(session_id: int):
    session = _session_or_404(session_id, CAPACITY_ROLES)
    form = CapacityForm()
    errors: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            promoted = set_capacity(
                session, form.capacity.data, now=clock.now(), staff_id=staff().id
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            errors.append({"text": for_staff(error), "href": "#capacity"})
        else:
            flash(
                f"Capacity is now {session.capacity}.{_promoted_text(promoted)}",
                "success",
            )
            return redirect(url_for("admin.register", session_id=session.id))
    else:
        errors += [{"text": text, "href": "#capacity"} for text in form.capacity.errors]
        if not errors:
            errors.append({"text": "Sorry, that could not be done. Try again", "href": "#capacity"})
    return render_register(session, errors=errors, capacity_form=form)
