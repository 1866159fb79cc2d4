"""Managers' page for the days a hub is closed (bank holidays, training days).

Thin views over ``frontdoor.closures``: adding a day says how many sessions the
timetable still has on it, so a session lead can cancel them (families are told).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm

from admin import bp
from admin.forms import add_service_errors
from admin.forms.closures import ClosureForm
from frontdoor import clock
from frontdoor.closures import (
    MAX_REASON,
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
from frontdoor.staff_auth import staff_required

MESSAGES = {
    "day_past": "The day must be today or later",
    "day_taken": "The hub is already closed that day",
    "reason_required": "Enter a reason, like 'Staff training'",
    "reason_too_long": f"Reason must be {MAX_REASON} characters or fewer",
    "year_unknown": "We do not hold the bank holidays for that year yet",
}


def _page(hub: Hub, form: ClosureForm, status: int = 200):
    today = clock.today(ZoneInfo(hub.timezone))
    years = bank_holiday_years(today)
    page = render_template(
        "admin/manage/closures.html",
        hub=hub,
        form=form,
        closures=upcoming_closures(hub.id, today),
        years=years,
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
                record.id, form.day.data, form.reason.data or "", today=clock.today(tz)
            )
        except ServiceError as error:
            add_service_errors(form, [error], MESSAGES)
        else:
            db.session.commit()
            flash(_added(record, closure, sessions_on(record.id, closure.day, tz)), "success")
            return redirect(url_for("admin.closures", hub=record.slug))
    return _page(record, form, 400)


def _added(hub: Hub, closure: HubClosure, sessions: int) -> str:
    said = f"{hub.name} is closed on {closure.day:%A} {closure.day.day} {closure.day:%B %Y}."
    if sessions:
        said += (
            f" The timetable still has {sessions} session{'s' if sessions != 1 else ''} "
            "that day: cancel them from the timetable so families are told."
        )
    return said + " No appointments can be booked that day."


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
    closure = db.session.get(HubClosure, closure_id)
    if closure is None or closure.hub_id != record.id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    remove_closure(closure)
    db.session.commit()
    flash(
        f"{record.name} is open again on {closure.day:%A} {closure.day.day} {closure.day:%B}.",
        "success",
    )
    return redirect(url_for("admin.closures", hub=record.slug))
