"""Managers' data-protection pages: a family's record (subject access, as a page and a
JSON file), erasing and correcting it, and searching the audit log.

A family is found by POST only, so their email or mobile never reaches an address, a
log line or a browser's history; every look, download, erasure and correction is
audited by the service. Managers see their hubs; council admins every hub.
"""

from __future__ import annotations

import json

from flask import Response, abort, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from admin import bp
from admin.forms.data_protection import (
    AuditSearchForm,
    CorrectForm,
    DownloadForm,
    EraseForm,
    FindFamilyForm,
)
from booking.references import read_reference
from dataprotection.records import (
    SECTIONS,
    Asked,
    FamilyRecord,
    as_document,
    find_family,
    read_request,
)
from dataprotection.requests import correct, erase, look_up
from frontdoor import audit, clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.fields import whole_id
from frontdoor.models import Hub, Role, StaffUser
from frontdoor.staff_auth import hubs_for, staff, staff_required
from frontdoor.words.staff import add_service_errors

MANAGER = Role.MANAGER


def _scope() -> set[int]:
    """Every hub of the council (open or closed) for a council admin, else the hubs
    this manager manages."""
    user = staff()
    if user.is_admin():
        return set(
            db.session.scalars(select(Hub.id).where(Hub.organisation_id == user.organisation_id))
        )
    return {hub.id for hub in hubs_for(user, [MANAGER])}


def _look_up(form: FlaskForm, action: str = "subject_access.view") -> FamilyRecord | None:
    try:
        return look_up(
            form.subject.data,
            organisation_id=staff().organisation_id,
            hub_ids=_scope(),
            staff_id=staff().id,
            action=action,
        )
    except ServiceError as error:
        add_service_errors(form, [error])
        return None


def _page(
    find: FindFamilyForm,
    record: FamilyRecord | None = None,
    *,
    refused: EraseForm | CorrectForm | None = None,
    done: str = "",
    status: int = 200,
):
    subject = {"subject": find.subject.data or ""}
    html = render_template(
        "admin/data_protection/family.html",
        title="A family's records",
        form=find,
        record=record,
        document=as_document(record) if record else None,
        sections=SECTIONS,
        download_form=DownloadForm(formdata=None, data=subject),
        erase_form=refused
        if isinstance(refused, EraseForm)
        else EraseForm(formdata=None, data=subject),
        correct_form=refused
        if isinstance(refused, CorrectForm)
        else CorrectForm(formdata=None, data=subject),
        done=done,
    )
    return html, status


@bp.route("/data-protection", methods=["GET", "POST"])
@staff_required(MANAGER)
def family_records():
    form = FindFamilyForm()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.is_submitted() else 200)
    record = _look_up(form)
    db.session.commit()
    return _page(form, record, status=200 if record is not None else 400)


@bp.post("/data-protection/download")
@staff_required(MANAGER)
def family_records_download():
    form = DownloadForm()
    record = _look_up(form, "subject_access.download") if form.validate_on_submit() else None
    if not record:
        abort(404)
    db.session.commit()
    body = json.dumps(as_document(record), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="family-record.json"'},
    )


def _on_record(form: EraseForm | CorrectForm, change) -> tuple[str, int]:
    """Find the family again from the POST body, make the change, show the record."""
    find = FindFamilyForm(formdata=None, data={"subject": form.subject.data})
    if not form.validate_on_submit():
        record = _look_up(find) if form.subject.data else None
        return _page(find, record, refused=form, status=400)
    record = find_family_again(form.subject.data)
    if not record:
        abort(404)
    try:
        done = change(record)
    except ServiceError as error:
        db.session.rollback()
        add_service_errors(form, [error])
        return _page(find, find_family_again(form.subject.data), refused=form, status=400)
    db.session.commit()
    return _page(find, find_family_again(form.subject.data), done=done)


def find_family_again(typed: str) -> FamilyRecord | None:
    """The record a change applies to (the change itself is what is audited)."""
    try:
        asked: Asked = read_request(typed)
    except ServiceError:
        return None
    return find_family(asked, organisation_id=staff().organisation_id, hub_ids=_scope())


@bp.post("/data-protection/erase")
@staff_required(MANAGER)
def family_records_erase():
    form = EraseForm()

    def change(record: FamilyRecord) -> str:
        erase(record, reason=form.reason.data, staff_id=staff().id, now=clock.now())
        return "Their personal data is erased. Counts and reports are unchanged"

    return _on_record(form, change)


@bp.post("/data-protection/correct")
@staff_required(MANAGER)
def family_records_correct():
    form = CorrectForm()

    def change(record: FamilyRecord) -> str:
        changed = correct(
            record,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            mobile=form.mobile.data,
            reason=form.reason.data,
            staff_id=staff().id,
        )
        # A new email or mobile finds them from now on: look them up by it next time.
        return "Corrected: " + ", ".join(name.replace("_", " ") for name in changed)

    return _on_record(form, change)


# --- the audit log ----------------------------------------------------------------------


def _family_subjects(reference: str) -> tuple[tuple[str, int], ...]:
    """A family's bookings, visits and connections, from one of their references."""
    typed = read_reference(reference)
    if not typed:
        return ()
    record = find_family(
        Asked(reference=typed), organisation_id=staff().organisation_id, hub_ids=_scope()
    )
    return tuple(
        (kind, row.id)
        for kind, rows in (
            ("booking", record.bookings),
            ("visit", record.visits),
            ("connection", record.connections),
            ("help_request", record.help_requests),
        )
        for row in rows
    )


@bp.route("/audit")
@staff_required(MANAGER)
def audit_log():
    form = AuditSearchForm(request.args)
    # Council admins also see council-wide events (sign-ins, staff with roles at several hubs).
    scope = None if staff().is_admin() else _scope()
    people = db.session.scalars(
        select(StaffUser)
        .where(StaffUser.organisation_id == staff().organisation_id)
        .order_by(StaffUser.name)
    )
    form.person.choices = [
        SelectChoice("", "Anyone"),
        *(SelectChoice(str(p.id), p.name) for p in people),
    ]
    form.action.choices = [
        SelectChoice("", "Anything"),
        *(SelectChoice(a, a) for a in audit.actions()),
    ]
    page_number = whole_id(request.args.get("page")) or 1
    page_number = page_number if page_number < 10_000 else 1
    events: list = []
    total = 0
    if form.validate():
        query = audit.AuditQuery(
            hub_ids=frozenset(scope) if scope is not None else None,
            staff_id=whole_id(form.person.data),
            action=form.action.data or "",
            first=form.first.data,
            last=form.last.data,
            subjects=_family_subjects(form.family.data) if form.family.data else None,
        )
        events, total = audit.search(query, page=page_number, tz=clock.LONDON)
        if request.args and page_number == 1:
            # Reading the log is itself recorded: who searched, for what kind of thing.
            used = [
                name for name in ("person", "action", "first", "last", "family") if form[name].data
            ]
            audit.record(
                "audit.search",
                staff_id=staff().id,
                subject_type="audit_event",
                subject_id=None,
                detail="Searched by " + (", ".join(used) or "nothing"),
            )
            db.session.commit()
    names = dict(db.session.execute(select(StaffUser.id, StaffUser.name)).all())
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "admin/data_protection/audit.html",
        title="Audit log",
        form=form,
        events=events,
        total=total,
        page=page_number,
        pages=max(1, -(-total // audit.PAGE_SIZE)),
        args=args,
        names=names,
    )
