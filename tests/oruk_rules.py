"""The Open Referral UK 3.0 rules Front Door's output is checked against.

``hsds-validator`` (PyPI, 0.1.2) does not cover ORUK 3.0 on Python 3.11 (see
directory/oruk.py), so the rules are written here. Sources:

- [P] the ORUK 3.0 profile, github.com/OpenReferralUK/uk-profile, schema/*.json
  (commit ecdfabf, October 2024): which fields each object has, which are required,
  their types, formats (``uuid``, ``uri``, ``email``, ``date-time``) and enums;
- [A] the same repository's schema/openapi.json (version "3.0"): the ``Page`` header
  of list endpoints (``total_items`` ... ``empty``, then ``contents``);
- [H] HSDS 3.0, github.com/openreferral/specification schema/*.json, for fields the UK
  profile leaves out but allows (its schemas do not forbid other properties):
  contact ``email``/``phones``, language ``name``/``code`` (ISO 639), service
  ``phones``/``eligibility_description``, address ``address_2``, schedule ``until``;
- [R] RFC 5545 (iCalendar) for ``freq``/``byday``/``bymonthday``, which HSDS 3.0 says
  schedules follow; [I] ISO 8601 / RFC 3339 for dates, times and date-times.

Each rule names its source. A key that is in neither [P] nor [H] is a problem too, so
a typo in our output cannot pass unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

VERSION = "Open Referral UK 3.0 (HSDS 3.0 UK profile)"

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_BYDAY = re.compile(r"^(?:[+-]?\d{1,2})?(?:MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class Obj:
    required: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict)


# Field kinds: a string naming a format, ("enum", ...), ("array", object name), ("object", name).
STR, NUM, INT, BOOL = "string", "number", "integer", "boolean"
UUID, URI, EMAIL, DATE, TIME, DATETIME = "uuid", "uri", "email", "date", "time", "date-time"
BYDAY, BYMONTHDAY, LANG = "byday", "bymonthday", "language-code"

OBJECTS: dict[str, Obj] = {
    # [P] service.json: required id, name, status; status enum; formats.
    "service": Obj(
        ("id", "name", "status"),
        {
            "id": UUID,
            "organization_id": UUID,
            "name": STR,
            "description": STR,
            "url": URI,
            "email": EMAIL,
            "status": ("enum", "active", "inactive", "defunct", "temporarily closed"),
            "fees": STR,
            "accreditations": STR,
            "minimum_age": NUM,
            "maximum_age": NUM,
            "assured_date": DATE,  # [P] string; [I] a date
            "assurer_email": EMAIL,
            "alert": STR,
            "last_modified": DATETIME,
            "eligibility_description": STR,  # [H]
            "schedules": ("array", "schedule"),
            "service_areas": ("array", "any"),
            "service_at_locations": ("array", "service_at_location"),
            "languages": ("array", "language"),
            "organization": ("object", "organization"),
            "funding": ("array", "any"),
            "cost_options": ("array", "cost_option"),
            "contacts": ("array", "contact"),
            "phones": ("array", "phone"),  # [H]
            "attributes": ("array", "attribute"),
        },
    ),
    # [P] organization.json (as compiled into service.json): id, name, description.
    "organization": Obj(
        ("id", "name", "description"),
        {
            "id": UUID,
            "name": STR,
            "description": STR,
            "email": EMAIL,
            "website": URI,
            "logo": STR,
            "uri": URI,
            "parent_organization_id": UUID,
            "organization_identifiers": ("array", "any"),
        },
    ),
    # [P] contact.json requires id; [H] adds email and phones.
    "contact": Obj(
        ("id",),
        {
            "id": UUID,
            "service_id": UUID,
            "name": STR,
            "title": STR,
            "email": EMAIL,
            "phones": ("array", "phone"),
            "attributes": ("array", "attribute"),
        },
    ),
    # [P] phone.json: id and number required.
    "phone": Obj(
        ("id", "number"),
        {
            "id": UUID,
            "contact_id": UUID,
            "number": STR,
            "description": STR,
            "languages": ("array", "language"),
        },
    ),
    # [P] service_at_location.json requires id; location.json requires id, location_type.
    "service_at_location": Obj(
        ("id",),
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "location": ("object", "location"),
        },
    ),
    "location": Obj(
        ("id", "location_type"),
        {
            "id": UUID,
            "location_type": ("enum", "physical", "postal", "virtual"),
            "name": STR,
            "description": STR,
            "latitude": NUM,
            "longitude": NUM,
            "external_identifier": STR,
            "external_identifier_type": STR,
            "addresses": ("array", "address"),
            "accessibility": ("array", "any"),
            "attributes": ("array", "attribute"),
        },
    ),
    # [P] address.json: seven required fields; address_type enum. [H] address_2.
    "address": Obj(
        ("id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
        {
            "id": UUID,
            "location_id": UUID,
            "attention": STR,
            "address_1": STR,
            "address_2": STR,
            "city": STR,
            "region": STR,
            "state_province": STR,
            "postal_code": STR,
            "country": STR,
            "address_type": ("enum", "physical", "postal", "virtual"),
        },
    ),
    # [P] schedule.json requires id; freq enum WEEKLY/MONTHLY. [R] byday, bymonthday.
    # [H] until. [I] dates and times.
    "schedule": Obj(
        ("id",),
        {
            "id": UUID,
            "service_id": UUID,
            "service_at_location_id": UUID,
            "valid_from": DATE,
            "valid_to": DATE,
            "dtstart": DATE,
            "until": DATE,
            "freq": ("enum", "WEEKLY", "MONTHLY"),
            "interval": NUM,
            "byday": BYDAY,
            "bymonthday": BYMONTHDAY,
            "description": STR,
            "opens_at": TIME,
            "closes_at": TIME,
            "schedule_link": URI,
            "attending_type": STR,
            "notes": STR,
        },
    ),
    # [P] language.json requires id; [H] name, code (ISO 639-1 or 639-3).
    "language": Obj(
        ("id",),
        {"id": UUID, "service_id": UUID, "phone_id": UUID, "name": STR, "code": LANG},
    ),
    # [P] cost_option.json requires id.
    "cost_option": Obj(
        ("id",),
        {
            "id": UUID,
            "service_id": UUID,
            "valid_from": DATE,
            "valid_to": DATE,
            "option": STR,
            "amount": NUM,
            "amount_description": STR,
        },
    ),
    # [P] attribute.json requires id; its taxonomy_term requires id, name, description.
    "attribute": Obj(
        ("id",),
        {
            "id": UUID,
            "link_id": UUID,
            "taxonomy_term_id": UUID,
            "link_type": STR,
            "taxonomy_term": ("object", "taxonomy_term"),
        },
    ),
    "taxonomy_term": Obj(
        ("id", "name", "description"),
        {
            "id": UUID,
            "name": STR,
            "description": STR,
            "parent_id": UUID,
            "taxonomy": STR,
            "taxonomy_id": UUID,
            "term_uri": URI,
            "term": STR,
        },
    ),
    # [A] the Page header, then contents.
    "page": Obj(
        (
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ),
        {
            "total_items": INT,
            "total_pages": INT,
            "page_number": INT,
            "size": INT,
            "first_page": BOOL,
            "last_page": BOOL,
            "empty": BOOL,
            "contents": ("array", "service"),
        },
    ),
}


def _format_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` is not of ``kind``, or None."""
    if kind in (NUM, INT):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and (kind == NUM or isinstance(value, int))
        return None if ok else f"is not a {kind}"
    if kind == BOOL:
        return None if isinstance(value, bool) else "is not a boolean"
    if not isinstance(value, str):
        return "is not a string"
    checks = {
        UUID: lambda v: bool(_UUID.match(v)),
        URI: lambda v: urlsplit(v).scheme in ("http", "https") and bool(urlsplit(v).netloc),
        EMAIL: _is_email,
        DATE: lambda v: bool(_DATE.match(v)) and _parses(date.fromisoformat, v),
        TIME: lambda v: bool(_TIME.match(v)) and _parses(time.fromisoformat, v),
        DATETIME: lambda v: bool(_DATETIME.match(v)) and _parses(datetime.fromisoformat, v),
        BYDAY: lambda v: all(_BYDAY.match(code) for code in v.split(",")),
        BYMONTHDAY: lambda v: all(
            p.lstrip("+-").isdigit() and 1 <= abs(int(p)) <= 31 for p in v.split(",")
        ),
        LANG: lambda v: bool(re.match(r"^[a-z]{2,3}$", v)),
    }
    check = checks.get(kind)
    if check is not None and not check(value):
        return f"is not a valid {kind}"
    return None


def _parses(reader: Any, value: str) -> bool:
    try:
        reader(value)
    except ValueError:
        return False
    return True


def _is_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def problems(value: Any, kind: str = "service", where: str = "") -> list[str]:
    """Every way ``value`` breaks the ORUK 3.0 rules for a ``kind`` (``service``,
    ``page``, ...); empty when it follows them."""
    where = where or kind
    if kind == "any":
        return [] if isinstance(value, dict) else [f"{where} is not an object"]
    spec = OBJECTS[kind]
    if not isinstance(value, dict):
        return [f"{where} is not an object"]
    found = [f"{where}.{name} is required" for name in spec.required if name not in value]
    for name, item in value.items():
        path = f"{where}.{name}"
        rule = spec.fields.get(name)
        if rule is None:
            found.append(f"{path} is not a field of {kind} in ORUK 3.0 or HSDS 3.0")
        elif item is None:
            found.append(f"{path} is null (ORUK 3.0 types it; leave it out instead)")
        elif isinstance(rule, tuple) and rule[0] == "enum":
            if item not in rule[1:]:
                found.append(f"{path} is not one of {rule[1:]}")
        elif isinstance(rule, tuple) and rule[0] == "array":
            if not isinstance(item, list):
                found.append(f"{path} is not an array")
            else:
                for n, each in enumerate(item):
                    found += problems(each, rule[1], f"{path}[{n}]")
        elif isinstance(rule, tuple) and rule[0] == "object":
            found += problems(item, rule[1], path)
        elif (problem := _format_problem(rule, item)) is not None:
            found.append(f"{path} {problem}")
    return found


def page_problems(page: Any) -> list[str]:
    """The Page header's own rules as well as its fields' ([A]): the counts agree."""
    found = problems(page, "page")
    if found:
        return found
    pages = page["total_pages"]
    if page["size"] != len(page["contents"]):
        found.append("page.size is not the number of services on the page")
    if page["empty"] != (not page["contents"]):
        found.append("page.empty does not say whether the page is empty")
    if page["first_page"] != (page["page_number"] == 1):
        found.append("page.first_page does not match page_number")
    if page["last_page"] != (page["page_number"] >= pages):
        found.append("page.last_page does not match page_number and total_pages")
    if page["page_number"] < 1 or page["total_items"] < len(page["contents"]):
        found.append("page.page_number or total_items is impossible")
    return found
