"""A service described in plain English rows, for the managers' pages and the
partner's check page (families' pages word services in their own language)."""

from __future__ import annotations

from directory.services import language_names
from frontdoor.contact import show_mobile
from frontdoor.models import PartnerService
from frontdoor.topics import TOPIC_LABELS


def ages(service: PartnerService) -> str:
    low, high = service.minimum_age, service.maximum_age
    if low is None and high is None:
        return "Any age"
    if high is None:
        return f"Aged {low} and over"
    if low is None or low == 0:
        return f"Up to {high} years old"
    return f"Aged {low} to {high}"


def where(service: PartnerService) -> str:
    places = [service.address] if service.address else []
    if service.hub is not None:
        places.append(f"at {service.hub.name}")
    if service.online:
        places.append("online")
    return ", ".join(places)


def summary_rows(service: PartnerService) -> list[tuple[str, str]]:
    """(question, answer) rows, as text: templates escape them, so HTML a partner
    typed is shown as the characters they typed, never as markup."""
    who = ages(service)
    if service.eligibility_description:
        who += ". " + service.eligibility_description
    return [
        ("What it is", service.description),
        ("Helps with", str(TOPIC_LABELS.get(service.topic, service.topic))),
        ("Who it is for", who),
        ("Languages", language_names(service.languages) or "Not said"),
        ("Cost", "Free" if service.free else service.fees_description),
        ("Where", where(service)),
        ("When", service.schedule_description),
        ("How to be referred", service.application_process),
    ]


def show_phone(stored: str) -> str:
    return show_mobile(stored)
