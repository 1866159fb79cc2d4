"""Managers' page for the days a hub is closed (bank holidays, training days).

Thin views over ``frontdoor.closures``: adding a day that still has sessions goes
on to a page listing them, where one press cancels them all and tells their
families (``booking.session_changes.cancel_sessions_on_closed_day``), audited.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from admin import bp
from admin.forms import answered
from admin.forms.closures import ClosureForm
from booking.session_changes import cancel_sessions_on_closed_day
from frontdoor import clock
from frontdoor.closures import (
    add_bank_holidays,
    add_closure,
    bank_holiday_years,
    remove_closure,
    sessions_on,
    upcoming_closures,
)
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, HubClosure, Role
from frontdoor.staff_auth import staff, staff_required
from frontdoor.timetable import live_booking_counts
from frontdoor.words.staff import add_service_errors


def _page(hub: Hub, form: ClosureForm, status: int = 200):
    tz = ZoneInfo(hub.timezone)
    today, now = clock.today(tz), clock.now()
    closures = upcoming_closures(hub.id, today)
    page = render_template(
        "admin/manage/closures.html",
        hub=hub,
        form=form,
        closures=closures,
        still_on={c.id: len(sessions_on(hub.id, c.day, tz, now=now)) for c in closures},
        years=bank_holiday_years(today),
        title=f"Days {hub.name} is closed",
    )
    return page, status


@bp.route("/hubs/<slug:hub>/closed", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def closures(hub: str):
    record: Hub = g.hub
    form = ClosureForm()
    if not form.is_submitted():
        return _page(record, form)
    tz = ZoneInfo(record.timezone)
    if form.validate():
        try:
            closure = add_closure(
                record.id, answered(form.day.data), form.reason.data or "", today=clock.today(tz)
            )
        except ServiceError as error:
            add_service_errors(form, [error])
        else:
            db.session.commit()
            flash(
                _said_day(record, closure) + " No appointments can be booked that day.", "success"
            )
            if sessions_on(record.id, closure.day, tz, now=clock.now()):
                return redirect(
                    url_for("admin.closure_sessions", hub=record.slug, closure_id=closure.id)
                )
            return redirect(url_for("admin.closures", hub=record.slug))
    return _page(record, form, 400)


def _said_day(hub: Hub, closure: HubClosure) -> str:
    return f"{hub.name} is closed on {closure.day:%A} {closure.day.day} {closure.day:%B %Y}."


def _closure_here(hub: Hub, closure_id: int) -> HubClosure:
    closure = db.session.get(HubClosure, closure_id)
    if closure is None or closure.hub_id != hub.id:
        abort(404)
    return closure


@bp.route("/hubs/<slug:hub>/closed/<int:closure_id>/sessions", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def closure_sessions(hub: str, closure_id: int):
    """The sessions still on a closed day, and one press to cancel them all."""
    record: Hub = g.hub
    closure = _closure_here(record, closure_id)
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        cancelled = cancel_sessions_on_closed_day(closure, now=clock.now(), staff_id=staff().id)
        db.session.commit()
        flash(_cancelled(closure, len(cancelled)), "success")
        return redirect(url_for("admin.closures", hub=record.slug))
    sessions = sessions_on(record.id, closure.day, ZoneInfo(record.timezone), now=clock.now())
    return render_template(
        "admin/manage/closure_sessions.html",
        hub=record,
        closure=closure,
        sessions=sessions,
        families=live_booking_counts(s.id for s in sessions),
        closed=_said_day(record, closure),
        title=f"Sessions on {closure.day:%A} {closure.day.day} {closure.day:%B %Y}",
    )


def _cancelled(closure: HubClosure, count: int) -> str:
    day = f"{closure.day:%A} {closure.day.day} {closure.day:%B}"
    if not count:
        return f"No sessions were left to cancel on {day}."
    sessions = f"{count} session{'s' if count != 1 else ''}"
    return (
        f"Cancelled {sessions} on {day}. Every family booked or waiting will be told why: "
        f"{closure.reason}."
    )


@bp.route("/hubs/<slug:hub>/closed/bank-holidays/<int:year>", methods=["POST"])
@staff_required(Role.MANAGER)
def closures_bank_holidays(hub: str, year: int):
    record: Hub = g.hub
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        added = add_bank_holidays(record.id, year, today=clock.today(ZoneInfo(record.timezone)))
    except ServiceError:
        abort(404)
    db.session.commit()
    count = len(added)
    flash(f"Added {count} bank holiday{'s' if count != 1 else ''} in {year}.", "success")
    return redirect(url_for("admin.closures", hub=record.slug))


@bp.route("/hubs/<slug:hub>/closed/<int:closure_id>/delete", methods=["POST"])
@staff_required(Role.MANAGER)
def closure_delete(hub: str, closure_id: int):
    record: Hub = g.hub
    closure = _closure_here(record, closure_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    remove_closure(closure)
    db.session.commit()
    flash(
        f"{record.name} is open again on {closure.day:%A} {closure.day.day} {closure.day:%B}.",
        "success",
    )
    return redirect(url_for("admin.closures", hub=record.slug))
