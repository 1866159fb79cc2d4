"""Session leads' timetable: the week view, session series, and changes to one session.

Views parse and check input, call the timetable service and render; the rules
themselves live in ``frontdoor.timetable``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import or_, select

from admin import bp
from admin.forms import DayMonthYearField, answered
from admin.forms.languages import language_data
from admin.forms.timetable import (
    BOOKING_MODES,
    DELIVERIES,
    CancelForm,
    CapacityForm,
    ConfirmForm,
    MoveForm,
    SeriesForm,
)
from booking.session_changes import cancel_session, move_session, set_capacity
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, Role, ServiceCategory, Session, SessionSeries
from frontdoor.staff_auth import hubs_for, require_role_at, staff, staff_required
from frontdoor.templating import page_or_fragment
from frontdoor.timetable import (
    SyncResult,
    booked_ahead,
    keep_as_is,
    live_booking_counts,
    move_clashes,
    possible_leads,
    restore_session,
    save_series,
    series_clashes,
    series_problems,
    week_sessions,
    week_start,
)
from frontdoor.words.staff import add_service_errors

LEADS = (Role.SESSION_LEAD, Role.MANAGER)

# Why a series edit left a session alone, for the lead deciding what to do.
ATTENTION = {
    "no_longer_in_series": "The series no longer includes this date, but families have booked "
    "this session, so it was kept.",
    "series_changed": "The series' time or room changed, but families have booked this "
    "session, so it was kept as it was.",
    "capacity_below_bookings": "The series' new capacity is less than the bookings for this "
    "session, so its capacity was kept.",
}


def _room_choices(hub: Hub, current: int | None) -> dict[object, str]:
    # A room taken out of use still shows for sessions already in it.
    return {"": "No room"} | {r.id: r.name for r in hub.rooms if r.active or r.id == current}


# --- the week view ------------------------------------------------------------


def _week_asked() -> date | None:
    try:
        day = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        return None
    return day if DayMonthYearField.EARLIEST <= day.year <= DayMonthYearField.LATEST else None


@bp.route("/timetable")
@staff_required()
def timetable():
    hubs = hubs_for(staff(), Role)
    hub = g.get("hub") or hubs[0]
    today = clock.today()
    monday = week_start(_week_asked() or today)
    return page_or_fragment(
        "admin/timetable/week.html",
        "admin/timetable/_week.html",
        title=f"Timetable: {hub.name}",
        hub=hub,
        hubs=hubs,
        monday=monday,
        previous=monday - timedelta(weeks=1),
        following=monday + timedelta(weeks=1),
        days=week_sessions(hub.id, monday, ZoneInfo(hub.timezone)),
        today=today,
        can_edit=bool(staff().roles_at(hub.id) & set(LEADS)),
        modes=BOOKING_MODES,
        deliveries=DELIVERIES,
    )


# --- a session series -----------------------------------------------------------


def _series_form(series: SessionSeries, hub: Hub) -> SeriesForm:
    if series.id is None:
        form = SeriesForm()
    else:
        starts = datetime.combine(date.min, series.start_time)
        ending = "on" if series.until_date else "after" if series.occurrence_count else "never"
        form = SeriesForm(
            obj=series,
            data={
                "ends": ending,
                "end_time": (starts + timedelta(minutes=series.duration_minutes)).time(),
                "lead_ids": [lead.id for lead in series.leads],
                **language_data(series, SessionSeries),
            },
        )
    categories = db.session.scalars(
        select(ServiceCategory)
        .where(
            ServiceCategory.organisation_id == hub.organisation_id,
            or_(ServiceCategory.active, ServiceCategory.id == series.category_id),
        )
        .order_by(ServiceCategory.name)
    )
    form.category_id.choices = {"": "No category"} | {c.id: c.name for c in categories}
    form.room_id.choices = _room_choices(hub, series.room_id)
    leads = sorted({*possible_leads(hub.id), *series.leads}, key=lambda user: user.name)
    form.lead_ids.choices = {user.id: user.name for user in leads}
    return form


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _saved_message(result: SyncResult) -> str:
    message = (
        f"Series saved: {_plural(result.created, 'session')} created, {result.updated} updated"
    )
    if result.removed:
        message += f", {result.removed} removed"
    if result.flagged:
        kept = "was kept and needs" if result.flagged == 1 else "were kept and need"
        message += f". {_plural(result.flagged, 'session')} with bookings {kept} your decision"
    return message


def _series_page(series: SessionSeries, hub: Hub):
    today = clock.today()
    form = _series_form(series, hub)
    clashes: list[Session] = []
    if form.validate_on_submit():
        data = form.to_input(hub.id)
        if problems := series_problems(data):
            add_service_errors(form, problems)
        else:
            clashes = series_clashes(data, today=today, series_id=series.id)
            if not clashes or form.confirm_clash.data:
                result = save_series(series, data, today=today, staff_id=staff().id)
                db.session.commit()
                flash(_saved_message(result), "success")
                week = max(data.start_date, today)
                return redirect(url_for("admin.timetable", hub=hub.slug, week=week.isoformat()))
    html = render_template(
        "admin/timetable/series_form.html",
        title="Change a session series" if series.id else "Add a session series",
        form=form,
        hub=hub,
        series=series,
        clashes=clashes,
        booked=booked_ahead(series, today=today) if series.id else 0,
    )
    return html, 400 if form.errors else 200


@bp.route("/timetable/series/new", methods=["GET", "POST"])
@staff_required(*LEADS)
def series_new():
    hub = g.get("hub") or hubs_for(staff(), LEADS)[0]
    return _series_page(SessionSeries(), hub)


@bp.route("/timetable/series/<int:series_id>", methods=["GET", "POST"])
@staff_required(*LEADS)
def series_edit(series_id: int):
    series = db.get_or_404(SessionSeries, series_id)
    require_role_at(series.hub_id, LEADS)
    return _series_page(series, series.hub)


# --- one session ----------------------------------------------------------------


def _occurrence(session_id: int, roles) -> Session:
    occurrence = db.get_or_404(Session, session_id)
    require_role_at(occurrence.hub_id, roles)
    return occurrence


def _move_form(occurrence: Session, **kwargs) -> MoveForm:
    tz = ZoneInfo(occurrence.hub.timezone)
    starts, ends = occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz)
    form = MoveForm(
        prefix="move",
        data={
            "day": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "room_id": occurrence.room_id,
        },
        **kwargs,
    )
    form.room_id.choices = _room_choices(occurrence.hub, occurrence.room_id)
    return form


def _detail(occurrence: Session, form: FlaskForm | None = None, clashes=(), status: int = 200):
    forms = {
        type(f): f
        for f in (
            CancelForm(prefix="cancel", formdata=None),
            _move_form(occurrence, formdata=None),
            CapacityForm(prefix="capacity", formdata=None, data={"capacity": occurrence.capacity}),
            ConfirmForm(formdata=None),
        )
    }
    if form is not None:
        forms[type(form)] = form
    html = render_template(
        "admin/timetable/session.html",
        title=f"{occurrence.series.title}, {clock.local(occurrence.starts_at):%-d %B %Y}",
        occurrence=occurrence,
        booked=live_booking_counts([occurrence.id]).get(occurrence.id, 0),
        can_edit=bool(staff().roles_at(occurrence.hub_id) & set(LEADS)),
        attention=ATTENTION.get(occurrence.needs_attention, occurrence.needs_attention),
        modes=BOOKING_MODES,
        deliveries=DELIVERIES,
        form=form,
        cancel_form=forms[CancelForm],
        move_form=forms[MoveForm],
        capacity_form=forms[CapacityForm],
        confirm_form=forms[ConfirmForm],
        clashes=clashes,
    )
    return html, status


def _apply(occurrence: Session, form: FlaskForm, change: Callable[[], object], done: str):
    """Make a change the form asked for: commit and go back to the session, or say why not."""
    try:
        change()
    except ServiceError as error:
        db.session.rollback()
        add_service_errors(form, [error])
        return _detail(occurrence, form, status=400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.session_detail", session_id=occurrence.id))


@bp.route("/timetable/sessions/<int:session_id>")
@staff_required()
def session_detail(session_id: int):
    return _detail(_occurrence(session_id, Role))


def _act(
    session_id: int,
    form: FlaskForm,
    change: Callable[[Session], object],
    done: str | Callable[[], str],
):
    """A lead's change to one session: check the form, make the change, say so."""
    occurrence = _occurrence(session_id, LEADS)
    if not form.validate_on_submit():
        return _detail(occurrence, form, status=400)
    message = done() if callable(done) else done
    return _apply(occurrence, form, lambda: change(occurrence), message)


@bp.post("/timetable/sessions/<int:session_id>/cancel")
@staff_required(*LEADS)
def session_cancel(session_id: int):
    form = CancelForm(prefix="cancel")
    return _act(
        session_id,
        form,
        lambda occurrence: cancel_session(
            occurrence, form.reason.data, now=clock.now(), staff_id=staff().id
        ),
        "Session cancelled. Every family booked or waiting will be told",
    )


@bp.post("/timetable/sessions/<int:session_id>/restore")
@staff_required(*LEADS)
def session_restore(session_id: int):
    return _act(
        session_id,
        ConfirmForm(),
        lambda occurrence: restore_session(occurrence, staff_id=staff().id),
        "Session restored",
    )


@bp.post("/timetable/sessions/<int:session_id>/keep")
@staff_required(*LEADS)
def session_keep(session_id: int):
    return _act(
        session_id,
        ConfirmForm(),
        lambda occurrence: keep_as_is(occurrence, staff_id=staff().id),
        "Session kept as it is",
    )


@bp.post("/timetable/sessions/<int:session_id>/capacity")
@staff_required(*LEADS)
def session_capacity(session_id: int):
    form = CapacityForm(prefix="capacity")
    return _act(
        session_id,
        form,
        lambda occurrence: set_capacity(
            occurrence, answered(form.capacity.data), now=clock.now(), staff_id=staff().id
        ),
        lambda: f"Capacity changed to {form.capacity.data}",
    )


@bp.post("/timetable/sessions/<int:session_id>/move")
@staff_required(*LEADS)
def session_move(session_id: int):
    occurrence = _occurrence(session_id, LEADS)
    form = _move_form(occurrence)
    if not form.validate_on_submit():
        return _detail(occurrence, form, status=400)
    where = {
        "day": form.day.data,
        "start": form.start_time.data,
        "end": form.end_time.data,
        "room_id": form.room_id.data,
    }
    clashes = move_clashes(occurrence, **where)
    if clashes and not form.confirm_clash.data:
        return _detail(occurrence, form, clashes=clashes)
    return _apply(
        occurrence,
        form,
        lambda: move_session(occurrence, **where, now=clock.now(), staff_id=staff().id),
        "Session moved. Every family booked or waiting will be told the new time",
    )
