"""The partner's own check, with no account: every quarter each partner's named
contact is emailed a signed link to a page showing their services, where they say
"still right" or correct them. Either answer checks the services (by "the partner").

The link carries the partner's id and the quarter it was sent for, signed for this
purpose only; it lasts ``LINK_DAYS``. Answering twice is fine: the second answer
checks the services again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from directory.services import (
    ServiceDetails,
    mark_checked,
    service_details,
    update_service,
)
from frontdoor.clock import LONDON
from frontdoor.extensions import db
from frontdoor.models import BY_PARTNER, OutboxMessage, Partner, PartnerService, ServiceStatus
from frontdoor.outbox import Links, Rendered, queue_message, register_template
from frontdoor.scheduler import register_job
from frontdoor.tokens import make_timed_token, read_timed_token

PURPOSE = "frontdoor.partner-check"
LINK_DAYS = 30
TEMPLATE = "partner_check"


def quarter_of(now: datetime) -> str:
    """The quarter ``now`` falls in, London time: "2027-Q1"."""
    local = now.astimezone(LONDON)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def check_link(links: Links, partner_id: int, quarter: str) -> str:
    token = make_timed_token(links.secret_key, PURPOSE, partner_id, quarter)
    return links.url(f"/partners/check/{token}")


def partner_for_link(secret_key: str, token: str) -> Partner | str:
    """The partner a genuine, unexpired check link is for; else the code that says
    why not (``frontdoor.words.staff.link_problem``): ``check_link_expired``, or
    ``check_link_invalid`` (tampered with, made for another purpose, or the partner
    is gone)."""
    found = read_timed_token(secret_key, PURPOSE, token, max_age_seconds=LINK_DAYS * 86400)
    if found == "expired":
        return "check_link_expired"
    if isinstance(found, str):
        return "check_link_invalid"
    partner = db.session.get(Partner, found[0])
    if partner is None or not partner.active:
        return "check_link_invalid"
    return partner


def services_to_check(partner: Partner) -> list[PartnerService]:
    """What a partner is asked about: every service of theirs still running."""
    return [s for s in partner.services if s.status != ServiceStatus.DEFUNCT]


# --- the answers ----------------------------------------------------------------------------


def confirm_all(partner: Partner, *, now: datetime) -> list[PartnerService]:
    """ "Everything is still right": every service asked about is checked now."""
    services = services_to_check(partner)
    for service in services:
        mark_checked(service, now=now, staff_id=None, by=BY_PARTNER)
    return services


# What a partner may correct on their own page; the rest is the hub's to change.
CORRECTABLE = (
    "description",
    "eligibility_description",
    "schedule_description",
    "address",
    "application_process",
    "fees_description",
)


def correct_service(
    service: PartnerService, corrections: dict[str, str], *, now: datetime
) -> list[str]:
    """The partner's corrections to one service, applied (audited) and the service
    checked; returns the fields that changed. Refuses (``ServiceError``) as staff
    changes are refused."""
    wanted: dict[str, Any] = {k: v for k, v in corrections.items() if k in CORRECTABLE}
    details: ServiceDetails = replace(service_details(service), **wanted)
    if "fees_description" in wanted:
        details = replace(details, free=not wanted["fees_description"].strip())
    changed = update_service(service, details, staff_id=None)
    mark_checked(service, now=now, staff_id=None, by=BY_PARTNER)
    return changed


# --- the quarterly email --------------------------------------------------------------------


def ask_partners_to_check(now: datetime) -> int:
    """Queue this quarter's email to each active partner's contact; returns how many
    were queued. The outbox key names the partner and the quarter, so running it
    every day (or twice at once) sends each partner one email a quarter."""
    quarter = quarter_of(now)
    queued = 0
    partners = db.session.scalars(
        select(Partner).where(Partner.active.is_(True), Partner.contact_email != "")
    )
    for partner in partners:
        services = services_to_check(partner)
        if not services:
            continue
        key = f"partner-check:{partner.id}:{quarter}"
        message = queue_message(
            key=key,
            channel="email",
            recipient=partner.contact_email,
            template=TEMPLATE,
            language="en",
            payload={
                "partner_id": partner.id,
                "partner": partner.name,
                "contact": partner.contact_name,
                "quarter": quarter,
                "services": [s.name for s in services],
            },
            now=now,
        )
        if message in db.session.new:
            queued += 1
    return queued


def render_partner_check(message: OutboxMessage, links: Links) -> Rendered:
    """To the partner's contact, in English: which services, and the link."""
    payload = message.payload
    hello = f"Hello {payload['contact']}," if payload.get("contact") else "Hello,"
    services = "\n".join(f"- {name}" for name in payload["services"])
    body = "\n\n".join(
        [
            hello,
            f"Family hub staff tell families about these services from {payload['partner']}:",
            services,
            "Please check that what we say about them is still right, or correct it. "
            "It takes a minute and needs no account:",
            check_link(links, payload["partner_id"], payload["quarter"]),
            f"The link works for {LINK_DAYS} days. A service nobody has checked for a "
            "while is no longer shown to families, so your answer keeps it in front of them.",
        ]
    )
    return Rendered(f"Are your services still right? ({payload['partner']})", body)


def register() -> None:
    register_template(TEMPLATE, render_partner_check)
    register_job(
        "directory.ask_partners",
        ask_partners_to_check,
        daily_at="09:00",
        description="Ask each partner, once a quarter, to check their services",
    )
