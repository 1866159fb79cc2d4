"""Making, withdrawing and answering connections: the one home of their rules
(a colleague's side of an introduction is in ``colleagues``).

- Nothing is sent without the family's consent, recorded with who asked and when,
  and only what they agreed to share is kept for the partner.
- Only a service families may be shown (checked, active: the directory's rule)
  can be connected to.
- The partner's link works for ``LINK_DAYS`` days and stops when staff withdraw
  the connection; every opening is audited; the first answer stands.
- A decline goes back to the practitioner by email, with the partner's reason;
  after the first contact date the practitioner records whether contact happened.
  (``outcomes`` holds those; chasing unanswered ones and bounced emails: ``chasing``.)

Callers commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select

from connections.colleagues import colleague_for
from connections.family_message import queue_family_message
from connections.outcomes import partner_key, tell_practitioner
from connections.sources import source_of
from directory.services import check_months, is_due, services_for_families
from frontdoor import audit
from frontdoor.contact import normalise_email, normalise_mobile, normalise_phone
from frontdoor.errors import ServiceError
from frontdoor.events import publish
from frontdoor.extensions import db
from frontdoor.models import (
    FINAL_STATUSES,
    Connection,
    ConnectionStatus,
    ContactMethod,
    Hub,
    PartnerService,
    ServiceStatus,
)
from frontdoor.outbox import queue_message
from frontdoor.tokens import make_timed_token, read_timed_token

PURPOSE = "frontdoor.connection"
LINK_DAYS = 30
TEMPLATE = "connection_request"


@dataclass(frozen=True)
class Shared:
    """Exactly what the family agreed the partner may see."""

    first_name: str
    contact_method: str = ContactMethod.THROUGH_HUB
    contact: str = ""
    reason: str = ""
    best_time: str = ""
    interpreter: bool = False
    language: str = ""

    def checked(self) -> Shared:
        first_name = " ".join(self.first_name.split())
        if not first_name:
            raise ServiceError("first_name_required", field="first_name")
        method, contact = _contact(self.contact_method, self.contact)
        language = " ".join(self.language.split())
        if self.interpreter and not language:
            raise ServiceError("language_required", field="language")
        return Shared(
            first_name=first_name[:100],
            contact_method=method,
            contact=contact,
            reason=" ".join(self.reason.split())[:300],
            best_time=" ".join(self.best_time.split())[:100],
            interpreter=self.interpreter,
            language=language[:40] if self.interpreter else "",
        )


def _contact(method: str, typed: str) -> tuple[str, str]:
    """The way to reach the family, checked; no details means "through the hub"."""
    typed = typed.strip()
    if method not in set(ContactMethod):
        raise ServiceError("choose_contact_method", field="contact_method")
    if method == ContactMethod.THROUGH_HUB:
        return method, ""
    if not typed:
        raise ServiceError("contact_required", field="contact")
    if method == ContactMethod.EMAIL:
        return method, normalise_email(typed, field="contact")
    if method == ContactMethod.TEXT:  # a text needs a mobile: a landline takes none
        try:
            return method, normalise_mobile(typed)
        except ServiceError:
            raise ServiceError("invalid_mobile", field="contact") from None
    return method, normalise_phone(typed, field="contact")


def connectable(service: PartnerService | None, organisation_id: int, now: datetime) -> bool:
    """A service staff may connect a family to: the council's, running, and checked
    (a service due for checking is not trusted with a family)."""
    return (
        service is not None
        and service.partner.organisation_id == organisation_id
        and service.partner.active
        and service.status == ServiceStatus.ACTIVE
        and bool(service.partner.contact_email)
        and not is_due(service, now, check_months(organisation_id))
    )


def services_to_connect(
    organisation_id: int,
    now: datetime,
    *,
    topic: str | None = None,
    age: int | None = None,
    language: str | None = None,
) -> list[PartnerService]:
    """The services staff may choose from: the ones families may be shown (checked,
    running; optionally by topic, a child's age and a language) whose partner has
    someone to email."""
    shown = services_for_families(organisation_id, now, topic=topic, age=age, language=language)
    return [s for s in shown if s.partner.contact_email]


def make_connection(
    *,
    hub_id: int,
    staff_id: int,
    consent: bool,
    shared: Shared,
    now: datetime,
    service_id: int | None = None,
    to_staff_id: int | None = None,
    visit_id: int | None = None,
    help_request_id: int | None = None,
) -> Connection:
    """Connect a family to a partner service or to a colleague in the hub (exactly
    one): record the consent and what is shared, queue the partner's email (once;
    a colleague finds it on their own list), audit. Refuses ``consent_required``
    without the family's yes, ``service_not_checked`` for a service that may not be
    used, and a colleague who may not be (``colleagues.colleague_for``)."""
    if not consent:
        raise ServiceError("consent_required", field="consent")
    if (service_id is None) == (to_staff_id is None):
        raise ServiceError("choose_service_or_colleague", field="service")
    source = source_of(visit_id, help_request_id)
    if source.hub_id != hub_id:
        raise ServiceError("not_found")
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise ServiceError("not_found")
    service = db.session.get(PartnerService, service_id) if service_id is not None else None
    if service_id is not None and not connectable(service, hub.organisation_id, now):
        raise ServiceError("service_not_checked", field="service")
    colleague = colleague_for(hub_id, staff_id, to_staff_id) if to_staff_id is not None else None
    details = shared.checked()  # each field is kept as its shared_* column
    connection = Connection(
        hub_id=hub_id,
        visit_id=visit_id,
        help_request_id=help_request_id,
        made_by_id=staff_id,
        service_id=service.id if service else None,
        to_staff_id=colleague.id if colleague else None,
        # A colleague has no topic of their own: counted under the help request's.
        topic=service.topic if service else getattr(source, "topic", ""),
        consent_asked_by_id=staff_id,
        consent_at=now,
        **{f"shared_{item.name}": getattr(details, item.name) for item in fields(details)},
        link_ref=secrets.token_urlsafe(12),
        status=ConnectionStatus.SENT,
        created_at=now,
    )
    db.session.add(connection)
    db.session.flush()
    if service is not None:
        _queue_partner_email(connection, service, hub, now)
        to = f"{service.name} ({service.partner.name})"
    else:
        assert colleague is not None
        to = f"{colleague.short_name}, a colleague at the hub"
    queue_family_message(connection, now)
    audit.record(
        "connection.made", staff_id=staff_id, subject_type="connection",
        subject_id=connection.id, hub_id=hub_id,
        detail=f"Connected a family to {to} with their consent",
    )  # fmt: skip
    publish(hub_id, "connection", now=now, connection_id=connection.id, status=connection.status)
    return connection


def _queue_partner_email(
    connection: Connection, service: PartnerService, hub: Hub, now: datetime
) -> None:
    """The partner's email: no personal data in it, only the link to what was shared."""
    partner = service.partner
    queue_message(
        key=partner_key(connection.id),
        channel="email",
        recipient=partner.contact_email,
        template=TEMPLATE,
        language="en",
        payload={
            "connection_id": connection.id,
            "link_ref": connection.link_ref,
            "contact": partner.contact_name,
            "service": service.name,
            "hub": hub.name,
            "hub_address": hub.address,
            "through_hub": connection.shared_contact_method == ContactMethod.THROUGH_HUB,
        },
        now=now,
        hub_id=hub.id,
    )


def withdraw(connection_id: int, *, staff_id: int, hub_id: int, now: datetime) -> Connection:
    """Staff withdraw a connection: its link stops working. An answered one stays."""
    connection = db.session.get(Connection, connection_id)
    if connection is None or connection.hub_id != hub_id:
        raise ServiceError("not_found")
    if connection.status in FINAL_STATUSES:
        raise ServiceError("already_answered")
    connection.status = ConnectionStatus.WITHDRAWN
    connection.withdrawn_at = now
    connection.withdrawn_by_id = staff_id
    audit.record(
        "connection.withdrawn", staff_id=staff_id, subject_type="connection",
        subject_id=connection.id, hub_id=connection.hub_id,
        detail="Withdrew the connection: the partner's link no longer works",
    )  # fmt: skip
    publish(hub_id, "connection", now=now, connection_id=connection.id, status=connection.status)
    return connection


# --- the partner's link ---------------------------------------------------------------------


def partner_link_token(secret_key: str, connection_id: int, link_ref: str) -> str:
    return make_timed_token(secret_key, PURPOSE, connection_id, link_ref)


def expires_at(connection: Connection) -> datetime:
    return connection.created_at + timedelta(days=LINK_DAYS)


def connection_for_link(secret_key: str, token: str, *, now: datetime) -> Connection:
    """The connection a genuine, live link is for; else ``ServiceError``
    ``link_invalid``, ``link_expired`` (30 days after it was made) or
    ``link_withdrawn``."""
    found = read_timed_token(secret_key, PURPOSE, token, max_age_seconds=LINK_DAYS * 86400)
    if found == "expired":
        raise ServiceError("link_expired")
    if isinstance(found, str):
        raise ServiceError("link_invalid")
    connection = db.session.get(Connection, found[0])
    if connection is None or not secrets.compare_digest(connection.link_ref, found[1]):
        raise ServiceError("link_invalid")
    if connection.service_id is None:  # a colleague's: there is no partner's page
        raise ServiceError("link_invalid")
    if connection.status == ConnectionStatus.WITHDRAWN:
        raise ServiceError("link_withdrawn")
    if now >= expires_at(connection):
        raise ServiceError("link_expired")
    return connection


def open_for_partner(secret_key: str, token: str, *, now: datetime) -> Connection:
    """The partner opens their link: the first opening marks it opened; every
    opening is audited."""
    connection = connection_for_link(secret_key, token, now=now)
    if connection.status == ConnectionStatus.SENT:
        connection.status = ConnectionStatus.OPENED
        connection.opened_at = now
        publish(connection.hub_id, "connection", now=now, connection_id=connection.id,
                status=connection.status)  # fmt: skip
    audit.record(
        "connection.opened", staff_id=None, subject_type="connection",
        subject_id=connection.id, hub_id=connection.hub_id,
        detail="The partner opened the link and saw what the family agreed to share",
    )  # fmt: skip
    return connection


def _answer(secret_key: str, token: str, now: datetime) -> Connection:
    connection = connection_for_link(secret_key, token, now=now)
    if connection.status in FINAL_STATUSES:
        raise ServiceError("already_answered")
    if connection.opened_at is None:
        connection.opened_at = now
    connection.answered_at = now
    return connection


def accept(secret_key: str, token: str, *, contact_by: date | None, now: datetime) -> Connection:
    """The partner says yes, and by when they will contact the family."""
    if contact_by is None:
        raise ServiceError("contact_by_required", field="contact_by")
    if contact_by < now.date() or contact_by > now.date() + timedelta(days=366):
        raise ServiceError("contact_by_range", field="contact_by")
    connection = _answer(secret_key, token, now)
    connection.status = ConnectionStatus.ACCEPTED
    connection.contact_by = contact_by
    _record_answer(connection, f"The partner accepted, to make contact by {contact_by:%d %B %Y}")
    return connection


def decline(secret_key: str, token: str, *, reason: str, now: datetime) -> Connection:
    """The partner says no, and why (a reason is required)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("reason_required", field="reason")
    connection = _answer(secret_key, token, now)
    connection.status = ConnectionStatus.DECLINED
    connection.decline_reason = reason[:1000]
    _record_answer(connection, "The partner declined and gave a reason")
    tell_practitioner(connection, "connection_declined", now, reason=connection.decline_reason)
    return connection


def will_see_them(connection_id: int, *, staff_id: int, now: datetime) -> Connection:
    """The colleague a family was introduced to says "I'll see them": accepted. Only
    that colleague may say so; the first answer stands."""
    connection = db.session.get(Connection, connection_id)
    if connection is None or connection.to_staff_id != staff_id:
        raise ServiceError("not_found")
    if connection.status == ConnectionStatus.WITHDRAWN:
        raise ServiceError("connection_withdrawn")
    if connection.status in FINAL_STATUSES:
        raise ServiceError("already_answered")
    connection.status = ConnectionStatus.ACCEPTED
    connection.opened_at = connection.opened_at or now
    connection.answered_at = now
    _record_answer(connection, "The colleague they were introduced to will see them", staff_id)
    return connection


def _record_answer(connection: Connection, detail: str, staff_id: int | None = None) -> None:
    """Audit and publish an answer (the partner's, or a colleague's ``staff_id``)."""
    audit.record(
        f"connection.{connection.status}", staff_id=staff_id, subject_type="connection",
        subject_id=connection.id, hub_id=connection.hub_id, detail=detail,
    )  # fmt: skip
    publish(connection.hub_id, "connection", now=connection.answered_at or connection.created_at,
            connection_id=connection.id, status=connection.status)  # fmt: skip


# --- lists ----------------------------------------------------------------------------------


def my_connections(staff_id: int) -> list[Connection]:
    """The connections a member of staff made, newest first."""
    query = (
        select(Connection)
        .where(Connection.made_by_id == staff_id)
        .order_by(Connection.created_at.desc(), Connection.id.desc())
    )
    return list(db.session.scalars(query))


def connection_hubs(staff_id: int) -> set[int]:
    """The hubs where a member of staff has made connections (to follow them live)."""
    query = select(Connection.hub_id).where(Connection.made_by_id == staff_id).distinct()
    return set(db.session.scalars(query))
