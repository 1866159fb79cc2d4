"""The register's "Joined online": staff running an online or hybrid session say
which booked families joined from home (``arrivals.joined_online``), and take it
back when they pressed it for the wrong family. Both audited."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for

from admin import bp
from admin.forms.timetable import ConfirmForm
from admin.register import VIEW_ROLES, audit_register, booking_or_404, render_register, session_of
from arrivals.joined_online import record_joined_online, take_back_joined_online
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.staff_auth import staff_required
from frontdoor.words.staff import for_staff


@bp.route("/bookings/<int:booking_id>/joined-online", methods=["POST"])
@staff_required(*VIEW_ROLES)
def booking_joined_online(booking_id: int):
    """Staff running an online or hybrid session record that a booked family joined."""
    return _on_the_register(
        booking_id,
        lambda booking_id: record_joined_online(booking_id, now=clock.now()),
        action="booking.joined_online",
        done="{name} joined online.",
    )


@bp.route("/bookings/<int:booking_id>/joined-online/undo", methods=["POST"])
@staff_required(*VIEW_ROLES)
def booking_joined_online_undo(booking_id: int):
    """Take back a "joined online" pressed for the wrong family."""
    return _on_the_register(
        booking_id,
        take_back_joined_online,
        action="booking.joined_online_undone",
        done="{name} is no longer recorded as joining online.",
    )


def _on_the_register(booking_id: int, act: Callable[[int], object], *, action: str, done: str):
    booking = booking_or_404(booking_id, VIEW_ROLES)
    session = session_of(booking)
    errors: list[dict[str, str]] = []
    if ConfirmForm().validate_on_submit():
        try:
            act(booking.id)
            audit_register(action, "booking", booking.id, session.hub_id)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            errors.append({"text": for_staff(error), "href": "#booked"})
        else:
            flash(done.format(name=booking.display_name), "success")
            return redirect(url_for("admin.register", session_id=session.id))
    else:
        errors.append({"text": "Sorry, that could not be done. Try again", "href": "#booked"})
    return render_register(session, errors=errors)
