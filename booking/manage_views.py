"""A booking's own pages: the confirmation (reference, QR code, calendar file), the
manage page (cancel, change who is coming), and finding a booking by its
reference. Reached through the signed manage link (``booking.site.manage_token``);
nothing personal is ever in an address, and no page here is cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from booking import bp
from booking.appointments import cancel_appointment
from booking.availability import in_person
from booking.calendar import CalendarEvent, calendar_file
from booking.finding import find_booking_from
from booking.forms import (
    AGE_BAND_WORDS,
    CancelForm,
    ChangePartyForm,
    FindForm,
    HubCardForm,
    add_service_error,
)
from booking.references import show_reference
from booking.services import cancel_booking, change_party, waiting_position
from booking.site import (
    LinkExpired,
    booking_or_404,
    calendar_host,
    check_in_token,
    manage_token,
    public_url,
)
from booking.tokens import manage_link_expired
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.family import give_hub_card
from frontdoor.models import (
    Booking,
    BookingStatus,
    Hub,
    Session,
)
from frontdoor.qr import qr_svg
from frontdoor.security import never_store, no_store
from frontdoor.staff_auth import public
from frontdoor.translated import on_this_page

# --- the confirmation and manage pages ------------------------------------------------------


@bp.errorhandler(LinkExpired)
def _link_expired(_error: LinkExpired):
    """A link sent before a cancel or a change, or kept past the booking: gone, kindly."""
    page = render_template("booking/link_expired.html", title=_("This link has expired"))
    return never_store(make_response(page, 410))


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
            on_this_page(occasion.series, "title"),
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
        "token": manage_token(booking),
        "reference": show_reference(booking.reference),
        "age_bands": AGE_BAND_WORDS,
    }


@bp.route("/bookings/<token>")
@public
@no_store
def confirmation(token: str):
    booking = booking_or_404(token)
    booked = _booked(booking)
    if (page := _over(booking, booked, clock.now())) is not None:
        return page
    confirmed = booking.status == BookingStatus.CONFIRMED
    check_in = check_in_token(booking)
    return render_template(
        "booking/confirmation.html",
        **_details(booking, booked),
        position=waiting_position(booking),
        card_form=HubCardForm(formdata=None),
        qr=qr_svg(check_in, label=_("QR code to check in"), css_class="fd-qr__image")
        if confirmed
        else None,
        title=_("Your booking") if confirmed else _("You are on the waiting list"),
    )


@bp.route("/bookings/<token>/hub-card", methods=["POST"])
@public
@no_store
def hub_card(token: str):
    """ "Get a hub card": shown once, on this answer to the press (never stored, so
    never in an address); pressing again makes a new card."""
    booking = booking_or_404(token)
    booked = _booked(booking)
    if (page := _over(booking, booked, clock.now())) is not None:
        return page
    if not HubCardForm().validate_on_submit():
        return redirect(url_for("booking.confirmation", token=token))
    card = give_hub_card(booked.hub.organisation_id, booking=booking)
    db.session.commit()
    return render_template(
        "booking/hub_card.html",
        booking=booking,
        token=token,
        qr=qr_svg(card.code, label=_("Your hub card"), css_class="fd-qr__image"),
        title=_("Your hub card"),
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
    booking = booking_or_404(token)
    booked = _booked(booking)
    if (page := _over(booking, booked, clock.now())) is not None:
        return page
    return _manage_page(booking, booked, _party_form(booking), CancelForm(formdata=None))


@bp.route("/bookings/<token>/cancel", methods=["POST"])
@public
@no_store
def cancel(token: str):
    booking = booking_or_404(token)
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
                return redirect(url_for("booking.confirmation", token=manage_token(booking)))
            add_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your booking has been cancelled"), "success")
            return redirect(url_for("booking.confirmation", token=manage_token(booking)))
    return _manage_page(booking, booked, _party_form(booking), form)


@bp.route("/bookings/<token>/party", methods=["POST"])
@public
@no_store
def change_who(token: str):
    booking = booking_or_404(token)
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
            return redirect(url_for("booking.confirmation", token=manage_token(booking)))
    return _manage_page(booking, booked, form, CancelForm(formdata=None))


@bp.route("/bookings/<token>/calendar.ics")
@public
@no_store
def calendar(token: str):
    booking = booking_or_404(token)
    booked = _booked(booking)
    now = clock.now()
    if booking.status == BookingStatus.CANCELLED or manage_link_expired(booked.ends_at, now):
        abort(404)
    hub = booked.hub
    manage_url = public_url("booking.confirmation", token=token)
    lines = [_("Booking reference: %(reference)s", reference=show_reference(booking.reference))]
    if booked.practitioner:
        lines.append(_("With %(name)s", name=booked.practitioner))
    lines.append(_("See or change your booking: %(url)s", url=manage_url))
    event = CalendarEvent(
        uid=f"booking-{booking.reference}@{calendar_host()}",
        stamp=now,
        starts_at=booked.starts_at,
        ends_at=booked.ends_at,
        summary=_("%(title)s at %(hub)s", title=booked.title, hub=hub.name),
        location=_("Online")
        if booked.session is not None and not in_person(booked.session)
        else ", ".join(part for part in (booked.room, hub.name, hub.address) if part),
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
            return redirect(url_for("booking.confirmation", token=manage_token(booking)))
        form.form_errors.append(_("We could not find a booking with those details."))
    return render_template("booking/find.html", form=form, title=_("Find your booking"))
