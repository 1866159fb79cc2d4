"""Public booking pages: choose a hub, what's on, a session, booking a place,
the confirmation and manage pages, finding a booking, privacy and accessibility.

Views are thin: read the request, call one booking service, render. Every view
is ``@public``. Pages that show a family's details are never cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from booking import bp
from booking.appointments import cancel_appointment
from booking.availability import State, Tally, availability, tally
from booking.calendar import CalendarEvent, calendar_file
from booking.forms import (
    BookingForm,
    CancelForm,
    ChangePartyForm,
    FindForm,
    add_service_error,
    carried_answers,
    idempotency_key_from,
)
from booking.references import show_reference
from booking.services import (
    book_session,
    cancel_booking,
    change_party,
    find_booking_from,
    waiting_position,
)
from booking.tokens import CHECK_IN, MANAGE, make_token, manage_link_expired, read_token
from booking.whats_on import whats_on as whats_on_at
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import new_nonce, whole_id
from frontdoor.models import (
    AGE_BANDS,
    Booking,
    BookingSource,
    BookingStatus,
    Hub,
    HubSettings,
    ServiceCategory,
    Session,
)
from frontdoor.qr import qr_svg
from frontdoor.security import no_store
from frontdoor.staff_auth import public
from frontdoor.templating import page_or_fragment, redirect_after_form
from frontdoor.timetable import HORIZON, week_start

HUB_COOKIE = "frontdoor_hub"
HUB_COOKIE_AGE = timedelta(days=365)
MAX_SEARCH = 100


# --- finding things -----------------------------------------------------------------


def _hub(slug: str) -> Hub:
    hub = db.session.scalar(select(Hub).where(Hub.slug == slug, Hub.active.is_(True)))
    if hub is None:
        abort(404)
    return hub


def _session_at(slug: str, session_id: int) -> Session:
    """A session at an open hub, with its hub, series and room, in one query."""
    session = db.session.scalar(
        select(Session)
        .join(Session.hub)
        .where(Session.id == session_id, Hub.slug == slug, Hub.active.is_(True))
        .options(contains_eager(Session.hub), joinedload(Session.series), joinedload(Session.room))
    )
    if session is None:
        abort(404)
    return session


def _remembered_hub() -> Hub | None:
    slug = request.cookies.get(HUB_COOKIE, "")
    if not slug:
        return None
    return db.session.scalar(select(Hub).where(Hub.slug == slug[:60], Hub.active.is_(True)))


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _manage_token(booking: Booking) -> str:
    return make_token(_secret(), MANAGE, booking.id, booking.reference)


def _booking_for(token: str) -> Booking:
    """The booking (of a session or an appointment) a manage token names, or 404."""
    found = read_token(_secret(), MANAGE, token)
    if found is None:
        abort(404)
    booking_id, reference = found
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.reference != reference:
        abort(404)
    return booking


# --- choosing a hub, and what's on ---------------------------------------------------------


@public
def root():
    return redirect(url_for("booking.choose_hub"))


@bp.route("/")
@public
def choose_hub():
    remembered = _remembered_hub()
    if remembered is not None and not request.args.get("change"):
        return redirect(url_for("booking.whats_on", hub=remembered.slug))
    hubs = db.session.scalars(select(Hub).where(Hub.active.is_(True)).order_by(Hub.name)).all()
    return render_template(
        "booking/choose_hub.html",
        hubs=hubs,
        remembered=remembered,
        title=_("Choose your family hub"),
    )


def _week_from(typed: str | None, this_week: date) -> date:
    try:
        chosen = week_start(date.fromisoformat(typed or ""))
    except ValueError:
        return this_week
    last = week_start(this_week + HORIZON)
    return min(max(chosen, this_week), last)


@bp.route("/<slug:hub>/")
@public
def whats_on(hub: str):
    place = _hub(hub)
    tz = ZoneInfo(place.timezone)
    now = clock.now()
    this_week = week_start(clock.today(tz))
    week = _week_from(request.args.get("week"), this_week)
    ages = [band for band in request.args.getlist("age") if band in AGE_BANDS]
    category = request.args.get("category", type=whole_id)
    words = request.args.get("q", "").strip()[:MAX_SEARCH]

    on = whats_on_at(
        place.id, now=now, first_day=week, days=7, ages=ages, category_id=category, words=words
    )
    listing = [
        (day, [(s, on.available[s.id]) for s in sessions]) for day, sessions in on.days if sessions
    ]
    categories = db.session.scalars(
        select(ServiceCategory)
        .where(
            ServiceCategory.organisation_id == place.organisation_id,
            ServiceCategory.active.is_(True),
        )
        .order_by(ServiceCategory.name)
    ).all()
    filters: dict[str, Any] = {"age": ages, "category": category, "q": words or None}

    def week_url(monday: date) -> str:
        return url_for("booking.whats_on", hub=place.slug, week=monday.isoformat(), **filters)

    last_week = week_start(this_week + HORIZON)
    response = page_or_fragment(
        "booking/whats_on.html",
        "booking/_whats_on_results.html",
        hub=place,
        week=week,
        listing=listing,
        categories=categories,
        age_bands=AGE_BANDS,
        ages=ages,
        category=category,
        words=words,
        filtered=bool(ages or category is not None or words),
        previous_url=week_url(week - timedelta(weeks=1)) if week > this_week else None,
        next_url=week_url(week + timedelta(weeks=1)) if week < last_week else None,
        clear_url=url_for("booking.whats_on", hub=place.slug, week=week.isoformat()),
        title=_("What's on at %(hub)s", hub=place.name),
    )
    response.set_cookie(
        HUB_COOKIE,
        place.slug,
        max_age=int(HUB_COOKIE_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


# --- a session, and booking it --------------------------------------------------------------


@bp.route("/<slug:hub>/sessions/<int:session_id>")
@public
def session_page(hub: str, session_id: int):
    session = _session_at(hub, session_id)
    now = clock.now()
    return render_template(
        "booking/session.html",
        hub=session.hub,
        session=session,
        series=session.series,
        available=availability(session, now),
        age_bands=AGE_BANDS,
        title=session.series.title,
    )


@bp.route("/<slug:hub>/sessions/<int:session_id>/book", methods=["GET", "POST"])
@public
@no_store
def book(hub: str, session_id: int):
    session = _session_at(hub, session_id)
    place = session.hub
    now = clock.now()
    posted = request.form if request.method == "POST" else None
    counted = tally(session, idempotency_key_from(posted.get("nonce")) if posted else None)
    available = availability(session, now, counted.taken)
    if posted and available.state == State.FULL and "waiting_list" not in posted:
        return _just_filled(session, counted)
    form = BookingForm()
    if request.method == "GET":
        if not available.bookable:
            return redirect(url_for("booking.session_page", hub=place.slug, session_id=session.id))
        form.nonce.data = new_nonce()
    elif form.validate_on_submit():
        try:
            result = book_session(
                session.id,
                form.party(),
                form.contact(),
                now=now,
                source=BookingSource.PUBLIC,
                idempotency_key=form.idempotency_key(),
                join_waiting_list=bool(form.waiting_list.data),
            )
        except ServiceError as error:
            db.session.rollback()
            if error.code == "full":  # the last place went in the last moment
                return _just_filled(session, tally(session))
            add_service_error(form, error)
        else:
            db.session.commit()
            return _confirm(result.booking)
    if not form.idempotency_key():
        form.nonce.data = new_nonce()
    return page_or_fragment(
        "booking/book.html",
        "booking/_book.html",
        form=form,
        hub=place,
        session=session,
        series=session.series,
        available=available,
        waiting=available.state == State.FULL and not form.waiting_list.errors,
        max_party=place.settings.max_party_size,
        title=_("Join the waiting list") if available.state == State.FULL else _("Book a place"),
    )


def _confirm(booking: Booking):
    return redirect_after_form(url_for("booking.confirmation", token=_manage_token(booking)))


def _just_filled(session: Session, counted: Tally):
    """The last place went while the family filled in the form. Say so at once and
    offer the waiting list on a short page that carries their answers, so joining
    is one press; their answers are checked then. In a rush this is what most
    families see, so it asks the database little and draws little."""
    if counted.earlier_id is not None:  # their first press got a place
        return _confirm(db.session.get_one(Booking, counted.earlier_id))
    return page_or_fragment(
        "booking/full.html",
        "booking/_full.html",
        hub=session.hub,
        session=session,
        series=session.series,
        answers=carried_answers(request.form),
        nonce=request.form.get("nonce", ""),
        position=counted.waiting + 1,
        title=_("Sorry, this session is now full"),
    )


# --- the confirmation and manage pages ------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """What a booking is for, a session or an appointment, as the pages show it."""

    title: str
    hub: Hub
    room: str
    starts_at: datetime
    ends_at: datetime
    session: Session | None = None
    practitioner: str = ""


def _booked(booking: Booking) -> Booked:
    occasion = booking.occasion
    if isinstance(occasion, Session):
        return Booked(
            occasion.series.title,
            occasion.hub,
            occasion.room.name if occasion.room else "",
            occasion.starts_at,
            occasion.ends_at,
            session=occasion,
        )
    return Booked(
        occasion.type.name,
        occasion.hub,
        occasion.room.name if occasion.room else "",
        occasion.starts_at,
        occasion.ends_at,
        practitioner=(occasion.practitioner.name.split() or [""])[0],
    )


def _over(booking: Booking, booked: Booked, now: datetime):
    """The page for a booking that can no longer be managed, or None."""
    if manage_link_expired(booked.ends_at, now):
        title = _("This session has finished") if booked.session else _("This appointment is over")
        return render_template("booking/finished.html", booked=booked, title=title)
    if booking.status == BookingStatus.CANCELLED:
        return render_template(
            "booking/cancelled.html",
            booking=booking,
            booked=booked,
            title=_("This booking was cancelled"),
        )
    return None


def _details(booking: Booking, booked: Booked) -> dict[str, object]:
    return {
        "booking": booking,
        "booked": booked,
        "hub": booked.hub,
        "token": _manage_token(booking),
        "reference": show_reference(booking.reference),
        "age_bands": AGE_BANDS,
    }


@bp.route("/bookings/<token>")
@public
@no_store
def confirmation(token: str):
    booking = _booking_for(token)
    booked = _booked(booking)
    if (page := _over(booking, booked, clock.now())) is not None:
        return page
    confirmed = booking.status == BookingStatus.CONFIRMED
    check_in = make_token(_secret(), CHECK_IN, booking.id, booking.reference)
    return render_template(
        "booking/confirmation.html",
        **_details(booking, booked),
        position=waiting_position(booking),
        qr=qr_svg(check_in, label=_("QR code to check in"), css_class="fd-qr__image")
        if confirmed
        else None,
        title=_("Your booking") if confirmed else _("You are on the waiting list"),
    )


def _manage_page(
    booking: Booking, booked: Booked, party_form: ChangePartyForm, cancel_form: CancelForm
):
    failed = next((f for f in (party_form, cancel_form) if f.errors), None)
    return render_template(
        "booking/manage.html",
        **_details(booking, booked),
        party_form=party_form,
        cancel_form=cancel_form,
        form=failed,
        cutoff=booked.hub.settings.cancellation_cutoff_minutes,
        title=_("Manage your booking"),
    )


def _party_form(booking: Booking, *, posted: bool = False) -> ChangePartyForm:
    if posted:
        return ChangePartyForm()
    form = ChangePartyForm(formdata=None)
    form.fill_from(booking.adults, booking.children)
    return form


@bp.route("/bookings/<token>/manage")
@public
@no_store
def manage(token: str):
    booking = _booking_for(token)
    booked = _booked(booking)
    if (page := _over(booking, booked, clock.now())) is not None:
        return page
    return _manage_page(booking, booked, _party_form(booking), CancelForm(formdata=None))


@bp.route("/bookings/<token>/cancel", methods=["POST"])
@public
@no_store
def cancel(token: str):
    booking = _booking_for(token)
    booked = _booked(booking)
    now = clock.now()
    if (page := _over(booking, booked, now)) is not None:
        return page
    form = CancelForm()
    if form.validate_on_submit():
        try:
            if booked.session is not None:
                cancel_booking(booking, now=now)
            else:
                cancel_appointment(booking, now=now)
        except ServiceError as error:
            db.session.rollback()
            if error.code == "already_cancelled":
                return redirect(url_for("booking.confirmation", token=token))
            add_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your booking has been cancelled"), "success")
            return redirect(url_for("booking.confirmation", token=token))
    return _manage_page(booking, booked, _party_form(booking), form)


@bp.route("/bookings/<token>/party", methods=["POST"])
@public
@no_store
def change_who(token: str):
    booking = _booking_for(token)
    booked = _booked(booking)
    if booked.session is None:
        abort(404)  # an appointment is for who booked it; reception can change it
    now = clock.now()
    if (page := _over(booking, booked, now)) is not None:
        return page
    form = _party_form(booking, posted=True)
    if form.validate_on_submit():
        try:
            change_party(booking, form.party(), now=now)
        except ServiceError as error:
            db.session.rollback()
            add_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your booking has been changed"), "success")
            return redirect(url_for("booking.confirmation", token=token))
    return _manage_page(booking, booked, form, CancelForm(formdata=None))


@bp.route("/bookings/<token>/calendar.ics")
@public
@no_store
def calendar(token: str):
    booking = _booking_for(token)
    booked = _booked(booking)
    now = clock.now()
    if booking.status == BookingStatus.CANCELLED or manage_link_expired(booked.ends_at, now):
        abort(404)
    hub = booked.hub
    # A calendar entry leaves the app, so its link uses the public base URL.
    base_url = current_app.config["FRONTDOOR"].base_url.rstrip("/")
    manage_url = base_url + url_for("booking.confirmation", token=token)
    host = urlsplit(base_url).hostname or request.host
    lines = [_("Booking reference: %(reference)s", reference=show_reference(booking.reference))]
    if booked.practitioner:
        lines.append(_("With %(name)s", name=booked.practitioner))
    lines.append(_("See or change your booking: %(url)s", url=manage_url))
    event = CalendarEvent(
        uid=f"booking-{booking.reference}@{host}",
        stamp=now,
        starts_at=booked.starts_at,
        ends_at=booked.ends_at,
        summary=_("%(title)s at %(hub)s", title=booked.title, hub=hub.name),
        location=", ".join(part for part in (booked.room, hub.name, hub.address) if part),
        description="\n".join(lines),
        url=manage_url,
    )
    return Response(
        calendar_file(event),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="booking-{booking.reference}.ics"'},
    )


# --- finding a booking --------------------------------------------------------------------


@bp.route("/find", methods=["GET", "POST"])
@public
@no_store
def find():
    form = FindForm()
    if form.validate_on_submit():
        try:
            booking = find_booking_from(
                request.remote_addr or "",
                form.reference.data,
                form.contact.data,
                now=clock.now(),
            )
        except ServiceError:
            db.session.rollback()
            html = render_template("booking/too_many.html", title=_("Too many attempts"))
            return html, 429
        db.session.commit()
        if booking is not None:
            return redirect(url_for("booking.confirmation", token=_manage_token(booking)))
        form.form_errors.append(_("We could not find a booking with those details."))
    return render_template("booking/find.html", form=form, title=_("Find your booking"))


# --- about the service ----------------------------------------------------------------------


def _retention_months() -> int:
    hub = _remembered_hub()
    return (hub.settings if hub else HubSettings()).retention_months


@bp.route("/privacy")
@public
def privacy():
    return render_template(
        "booking/privacy.html", retention_months=_retention_months(), title=_("Privacy notice")
    )


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("booking/accessibility.html", title=_("Accessibility statement"))
