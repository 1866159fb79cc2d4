"""Public booking pages: choose a hub, what's on, a session, booking a place, and
the privacy notice and accessibility statement. The confirmation and manage pages
are ``booking.manage_views``; what the pages share, ``booking.site``.

Views are thin: read the request, call one booking service, render. Every view
is ``@public``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from booking import bp
from booking.availability import State, Tally, availability, tally
from booking.calendar import CalendarEvent, calendar_feed
from booking.forms import (
    AGE_BAND_WORDS,
    BookingForm,
    add_service_error,
    carried_answers,
    idempotency_key_from,
)
from booking.services import (
    book_session,
)
from booking.site import (
    HUB_COOKIE,
    HUB_COOKIE_AGE,
    address_limit,
    calendar_host,
    hub_or_404,
    manage_token,
    public_url,
    remembered_hub,
    session_or_404,
    too_many_bookings,
)
from booking.whats_on import timetable_ahead
from booking.whats_on import whats_on as whats_on_at
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import new_nonce, whole_id
from frontdoor.models import (
    AGE_BANDS,
    Booking,
    BookingSource,
    Delivery,
    Hub,
    HubSettings,
    ServiceCategory,
    Session,
)
from frontdoor.security import no_store
from frontdoor.staff_auth import public
from frontdoor.templating import page_or_fragment, redirect_after_form, where_it_runs
from frontdoor.timetable import HORIZON, week_start
from frontdoor.translated import on_this_page

MAX_SEARCH = 100


# --- choosing a hub, and what's on ---------------------------------------------------------


@public
def root():
    return redirect(url_for("booking.choose_hub"))


@bp.route("/")
@public
def choose_hub():
    remembered = remembered_hub()
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
    place = hub_or_404(hub)
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
        age_bands=AGE_BAND_WORDS,
        ages=ages,
        category=category,
        words=words,
        filtered=bool(ages or category is not None or words),
        previous_url=week_url(week - timedelta(weeks=1)) if week > this_week else None,
        next_url=week_url(week + timedelta(weeks=1)) if week < last_week else None,
        clear_url=url_for("booking.whats_on", hub=place.slug, week=week.isoformat()),
        feed_url=public_url("booking.timetable_feed", hub=place.slug),
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


@bp.route("/<slug:hub>/timetable.ics")
@public
def timetable_feed(hub: str):
    """The hub's timetable for calendar apps to subscribe to: every session of the
    coming 12 weeks, a cancelled one marked so (and kept, so calendars drop it)."""
    place = hub_or_404(hub)
    tz = ZoneInfo(place.timezone)
    now = clock.now()
    sessions = timetable_ahead(place.id, today=clock.today(tz), tz=tz)
    events = [_session_event(session, place, now) for session in sessions]
    return Response(
        calendar_feed(_("What's on at %(hub)s", hub=place.name), events),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{place.slug}-timetable.ics"'},
    )


def _session_event(session: Session, place: Hub, now: datetime) -> CalendarEvent:
    series = session.series
    link = public_url("booking.session_page", hub=place.slug, session_id=session.id)
    title = on_this_page(series, "title")
    lines = [on_this_page(series, "description")] if series.description else []
    if session.is_cancelled:
        lines.append(_("This session has been cancelled."))
        if session.cancel_reason:
            lines.append(_("The reason: %(reason)s", reason=session.cancel_reason))
    if runs_online := where_it_runs(series.delivery):
        lines.append(runs_online)  # never the joining link: a feed is public
    lines.append(_("Book or find out more: %(url)s", url=link))
    room = session.room.name if session.room else ""
    return CalendarEvent(
        uid=f"session-{session.id}@{calendar_host()}",
        stamp=now,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=(_("Cancelled: %(title)s", title=title) if session.is_cancelled else title),
        location=_("Online")
        if series.delivery == Delivery.ONLINE
        else ", ".join(part for part in (room, place.name, place.address) if part),
        description="\n".join(lines),
        url=link,
        cancelled=session.is_cancelled,
    )


# --- a session, and booking it --------------------------------------------------------------


@bp.route("/<slug:hub>/sessions/<int:session_id>")
@public
def session_page(hub: str, session_id: int):
    session = session_or_404(hub, session_id)
    now = clock.now()
    return render_template(
        "booking/session.html",
        hub=session.hub,
        session=session,
        series=session.series,
        available=availability(session, now),
        age_bands=AGE_BAND_WORDS,
        title=on_this_page(session.series, "title"),
    )


@bp.route("/<slug:hub>/sessions/<int:session_id>/book", methods=["GET", "POST"])
@public
@no_store
def book(hub: str, session_id: int):
    session = session_or_404(hub, session_id)
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
    elif "add_child" in request.form:  # "Add another child": nothing is checked yet
        form.add_child()
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
                postcode=form.postcode.data or "",
                address_limit=address_limit(),
                counted=counted,
            )
        except ServiceError as error:
            db.session.rollback()
            if error.code == "full":  # the last place went in the last moment
                return _just_filled(session, tally(session))
            if error.code == "too_many_bookings":
                return too_many_bookings()
            add_service_error(form, error)
        else:
            confirmed = _confirm(result.booking)  # before commit expires what it reads
            db.session.commit()
            return confirmed
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
        added="add_child" in request.form,
        title=_("Join the waiting list") if available.state == State.FULL else _("Book a place"),
    )


@bp.route("/too-many-bookings")
@public
def too_many_bookings_page():
    """Where an htmx booking form over its address's limit sends the browser."""
    return too_many_bookings()


def _confirm(booking: Booking):
    return redirect_after_form(url_for("booking.confirmation", token=manage_token(booking)))


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


# --- about the service ----------------------------------------------------------------------


def _retention_months() -> int:
    hub = remembered_hub()
    return (hub.settings if hub else HubSettings()).retention_months


@bp.route("/privacy")
@public
def privacy():
    return render_template(
        "booking/privacy.html",
        retention_months=_retention_months(),
        booking_window_minutes=current_app.config["FRONTDOOR"].public_booking_window_minutes,
        title=_("Privacy notice"),
    )


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("booking/accessibility.html", title=_("Accessibility statement"))
