"""Connecting a family to a partner service or a colleague, from a visit or a help
request on the board or one's own list, and "My connections": what each partner
answered, which are overdue, (after the first contact date) whether contact
happened, and the families introduced to me. The rules (consent, checked services,
the partner's link) are in ``connections.services``; a colleague's side in
``connections.colleagues``; what comes back to the practitioner in
``connections.outcomes``.

"My connections" is live: a stream (``connections_mine_stream``) says when one of
the viewer's connections changes, and the page fetches its groups again (the same
route, asked by htmx, answers with the ``_mine.html`` fragment)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from admin import bp
from admin.forms.connections import CONTACT_WORDS, ConnectForm, ContactForm
from connections.colleagues import colleagues_to_connect, greeting_roles, introduced_to
from connections.outcomes import contact_due, record_contact, undelivered
from connections.services import (
    Shared,
    connection_hubs,
    make_connection,
    my_connections,
    services_to_connect,
    will_see_them,
)
from connections.services import withdraw as withdraw_connection
from directory.services import MAX_AGE, offered_languages
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.events import open_stream
from frontdoor.extensions import db
from frontdoor.fields import whole_id
from frontdoor.models import Connection, HelpRequest, Role, StaffUser, Visit
from frontdoor.staff_auth import hubs_for, require_role_at, staff, staff_required
from frontdoor.templating import page_or_fragment
from frontdoor.topics import SERVICE_TOPICS, TOPIC_LABELS
from frontdoor.words.staff import add_service_errors, for_staff

# Who connects families: the people who greet them, not reception.
CONNECT_ROLES = (Role.PRACTITIONER, Role.SESSION_LEAD, Role.MANAGER)

STATUS_WORDS = {
    "sent": "Sent",
    "opened": "Opened by the partner",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}


def _topic(asked: HelpRequest | None) -> str:
    """The topic to list services for: the one chosen, else the help request's."""
    chosen = request.args.get("topic", "")
    if chosen in SERVICE_TOPICS:
        return chosen
    return asked.topic if asked is not None and asked.topic in SERVICE_TOPICS else ""


def _age() -> int | None:
    """The child's age (whole years) to narrow services by, if one was given."""
    age = whole_id(request.args.get("age"))
    return age if age is not None and age <= MAX_AGE else None


def _choices(record: Visit | HelpRequest, asked: HelpRequest | None) -> dict[str, Any]:
    """What the connect page offers: services narrowed by the topic, child's age and
    language asked for (languages: those the services are offered in), and colleagues."""
    topic, age = _topic(asked), _age()
    find = partial(
        services_to_connect, record.hub.organisation_id, clock.now(), topic=topic or None, age=age
    )
    languages = offered_languages(find())
    language = request.args.get("language", "")
    language = language if language in dict(languages) else ""
    return {
        "topic": topic,
        "age": age,
        "languages": languages,
        "language": language,
        "services": find(language=language or None),
        "colleagues": colleagues_to_connect(record.hub_id, staff().id),
    }


def _colleague_label(person: StaffUser, hub_id: int) -> str:
    """ "Grace O. (Session lead, Practitioner)": who they are and what they do here."""
    return f"{person.short_name} ({', '.join(r.label for r in greeting_roles(person, hub_id))})"


def _connect(visit: Visit | None, asked: HelpRequest | None):
    record = visit or asked
    if record is None:
        abort(404)
    require_role_at(record.hub_id, CONNECT_ROLES)
    me, offered = staff(), _choices(record, asked)
    form = ConnectForm(first_name=record.first_name)
    form.service.choices = [
        SelectChoice(s.id, f"{s.name} ({s.partner.name})") for s in offered["services"]
    ]
    form.to_staff.choices = [
        SelectChoice(p.id, _colleague_label(p, record.hub_id)) for p in offered["colleagues"]
    ]
    if form.validate_on_submit():
        try:
            make_connection(
                hub_id=record.hub_id,
                staff_id=me.id,
                service_id=form.service.data,
                to_staff_id=form.to_staff.data,
                consent=bool(form.consent.data),
                shared=Shared(
                    first_name=form.first_name.data or "",
                    contact_method=form.contact_method.data or "",
                    contact=form.contact.data or "",
                    reason=form.reason.data or "",
                    best_time=form.best_time.data or "",
                    interpreter=bool(form.interpreter.data),
                    language=form.language.data or "",
                ),
                now=clock.now(),
                visit_id=visit.id if visit else None,
                help_request_id=asked.id if asked else None,
            )
        except ServiceError as error:
            db.session.rollback()
            add_service_errors(form, [error])
        else:
            db.session.commit()
            if form.to_staff.data is not None:
                flash("Introduction made. It is on your colleague's own list.", "success")
            else:
                flash("Introduction sent. The partner has been emailed a link.", "success")
            return redirect(url_for("admin.connections_mine"))
    page = render_template(
        "admin/connections/new.html",
        title=f"Connect {record.display_name}",
        form=form,
        hub=record.hub,
        topics=[(code, TOPIC_LABELS[code]) for code in SERVICE_TOPICS],
        **offered,
    )
    return page, 400 if form.errors else 200


@bp.route("/connections/visit/<int:visit_id>", methods=["GET", "POST"])
@staff_required(*CONNECT_ROLES)
def connect_visit(visit_id: int):
    return _connect(db.session.get(Visit, visit_id), None)


@bp.route("/connections/help/<int:help_id>", methods=["GET", "POST"])
@staff_required(*CONNECT_ROLES)
def connect_help(help_id: int):
    return _connect(None, db.session.get(HelpRequest, help_id))


@bp.route("/connections/mine")
@staff_required(*CONNECT_ROLES)
def connections_mine():
    response = page_or_fragment(
        "admin/connections/mine.html",
        "admin/connections/_mine.html",
        title="My connections",
        **mine_groups(staff().id),
    )
    return response


@bp.route("/connections/mine/stream")
@staff_required(*CONNECT_ROLES)
def connections_mine_stream():
    """Server-sent events when a connection changes at a hub where the viewer
    connects families or has connections (ids only: the page asks for its list)."""
    me = staff()
    hub_ids = {hub.id for hub in hubs_for(me, CONNECT_ROLES)} | connection_hubs(me.id)
    last = whole_id(request.headers.get("Last-Event-ID", "").strip())
    return open_stream(
        sorted(hub_ids), last_event_id=last, kinds=("connection",), name="connections"
    )


def mine_groups(staff_id: int) -> dict[str, object]:
    """Everything ``_mine.html`` shows: the groups, and which are undelivered or
    due a record of whether contact happened."""
    mine = my_connections(staff_id)
    waiting = [c for c in mine if c.status in ("sent", "opened")]
    groups = [
        # Sent back by the chasing job: no answer in the hub's working days.
        ("Overdue", [c for c in waiting if c.chased_at is not None]),
        ("Waiting for an answer", [c for c in waiting if c.chased_at is None]),
        ("Accepted", [c for c in mine if c.status == "accepted"]),
        ("Declined", [c for c in mine if c.status == "declined"]),
        ("Withdrawn", [c for c in mine if c.status == "withdrawn"]),
    ]
    return {
        "groups": groups,
        "status_words": STATUS_WORDS,
        "contact_words": CONTACT_WORDS,
        "undelivered": undelivered([c.id for c in waiting]),
        "contact_due": {c.id for c in mine if contact_due(c, clock.now())},
        "introduced": introduced_to(staff_id),
    }


@bp.post("/connections/<int:connection_id>/contact")
@staff_required(*CONNECT_ROLES)
def connection_contact(connection_id: int):
    form = ContactForm()
    if not form.validate_on_submit():
        flash("Choose yes or no", "error")
        return redirect(url_for("admin.connections_mine"))
    try:
        record_contact(
            connection_id, happened=form.happened.data == "yes", staff_id=staff().id,
            now=clock.now(),
        )  # fmt: skip
    except ServiceError as error:
        db.session.rollback()
        flash(for_staff(error), "error")
    else:
        db.session.commit()
        flash("Recorded. Thank you.", "success")
    return redirect(url_for("admin.connections_mine"))


@bp.post("/connections/<int:connection_id>/see")
@staff_required(*CONNECT_ROLES)
def connection_see(connection_id: int):
    """The colleague a family was introduced to says "I'll see them"."""
    try:
        will_see_them(connection_id, staff_id=staff().id, now=clock.now())
    except ServiceError as error:
        db.session.rollback()
        flash(for_staff(error), "error")
    else:
        db.session.commit()
        flash("Thank you. The colleague who introduced them can see you will see them.", "success")
    if request.form.get("back") == "arrivals":
        return redirect(url_for("admin.arrivals_mine"))
    return redirect(url_for("admin.connections_mine"))


@bp.post("/connections/<int:connection_id>/withdraw")
@staff_required(*CONNECT_ROLES)
def connection_withdraw(connection_id: int):
    connection = db.session.get(Connection, connection_id)
    if connection is None:
        abort(404)
    require_role_at(connection.hub_id, CONNECT_ROLES)
    try:
        withdraw_connection(
            connection.id, staff_id=staff().id, hub_id=connection.hub_id, now=clock.now()
        )
    except ServiceError as error:
        db.session.rollback()
        flash(for_staff(error), "error")
    else:
        db.session.commit()
        gone = (
            "It is no longer on your colleague's list"
            if connection.to_staff_id
            else ("The partner's link no longer works")
        )
        flash(f"Withdrawn. {gone}.", "success")
    return redirect(url_for("admin.connections_mine"))
