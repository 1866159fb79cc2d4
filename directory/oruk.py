"""Open Referral UK 3.0, in and out: what Front Door reads from a council's feed and
what its read-only API publishes. Pure code: no database, no Flask.

Version followed: the Open Referral UK profile of HSDS 3.0 ("ORUK 3.0"), as published
in github.com/OpenReferralUK/uk-profile (schema/*.json and schema/openapi.json, v3.0
of October 2024). Where the UK profile leaves out an HSDS 3.0 field Front Door still
needs (a contact's email and phones, a language's name and code, the service's
``eligibility_description``, address line 2), the field is read and written exactly
as HSDS 3.0 defines it (github.com/openreferral/specification, schema/*.json): the
profile's schemas allow properties they do not list.

Validator. ``hsds-validator`` 0.1.2 (PyPI) was checked and is not used: it needs
Python 3.13 (Front Door runs on 3.11 and pip refuses to install it), it models
HSDS 3.1, not the UK 3.0 profile (its models require ``additional_urls`` and
``additional_websites``, which ORUK 3.0 does not have), and it validates a folder of
files named after one object type against schemas the caller supplies, not an API
response. The ORUK 3.0 rules the output relies on are written out, each with where
it comes from, in tests/oruk_rules.py, and every test of the output runs them.

Reading a feed (``parse_feed``): a page of ``/services`` (``contents``), a bare list
of services, or one service. The whole feed is refused, with a coded
``ServiceError`` worded in ``frontdoor.words.staff``, when it is too large (checked
before anything is parsed; ``read_feed`` stops reading a stream at the limit), not
JSON, not services, or another version of the standard. One bad service is skipped
and reported with its id and the reason; the rest import. Text keeps its words and
loses any markup (the standard library's ``html.parser``: the project has no HTML
sanitiser, and plain text is all Front Door shows). Phone numbers are kept as given,
and shown in the UK's usual groups (``OrukPhone.display``).

Ids. ORUK ids are UUIDs. A service id that is not one (some councils publish
numbers) is turned into a UUID with ``uuid5``, the same every time, so a second
import still matches on it; child objects without an id get one the same way.

Times in schedules are wall-clock times at the place the service runs (Europe/London),
written without an offset: a fixed offset would be an hour wrong for half the year,
and ORUK 3.0 has no time zone field. ``schedule_for_weekly`` writes a hub's series so.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import IO, Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from frontdoor.errors import ServiceError
from frontdoor.fields import clean_line, clean_text
from frontdoor.timetable import Recurrence

ORUK_VERSION = "3.0"
# Front Door's own namespace for the ids it derives (uuid5), so they never collide.
ID_NAMESPACE = uuid.UUID("5b2f1c3e-8a47-4d0e-9f61-0d6c2b7e4a10")
MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MEGABYTE

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
FREQUENCIES = ("WEEKLY", "MONTHLY")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # ISO weekday order, 0 = Monday
_BYDAY = re.compile(r"^(?:[+-]?\d{1,2})?(?:MO|TU|WE|TH|FR|SA|SU)$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
# Keys only the first Open Referral UK (before 3.0) used: its pages had ``content`` and
# ``totalElements``, its services these collections. A feed with them is that one.
_ORUK_1_SERVICE_KEYS = frozenset(
    {"regular_schedules", "service_taxonomys", "eligibilitys", "holiday_schedules", "fundings"}
)
_ORUK_1 = "the first Open Referral UK standard (before 3.0)"


# --- what Front Door keeps ------------------------------------------------------------


@dataclass(frozen=True)
class OrukOrganization:
    id: str
    name: str
    description: str = ""
    website: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class OrukPhone:
    id: str
    number: str  # as the publisher wrote it
    description: str = ""

    @property
    def display(self) -> str:
        return display_phone(self.number)


@dataclass(frozen=True)
class OrukContact:
    id: str
    name: str = ""
    title: str = ""
    email: str | None = None
    phones: tuple[OrukPhone, ...] = ()


@dataclass(frozen=True)
class OrukLocation:
    """Where the service runs: one ``service_at_location`` and its first address."""

    id: str
    service_at_location_id: str
    name: str = ""
    kind: str = "physical"  # ORUK's location_type: physical, postal or virtual
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    county: str = ""  # ORUK's ``state_province``
    postcode: str = ""
    country: str = "GB"
    latitude: float | None = None
    longitude: float | None = None

    @property
    def address_id(self) -> str:
        return derived_id(self.id, "address")

    @property
    def address_lines(self) -> tuple[str, ...]:
        lines = (self.address_1, self.address_2, self.city, self.postcode)
        return tuple(line for line in lines if line)


@dataclass(frozen=True)
class OrukSchedule:
    """When: an iCalendar-style rule. ``opens_at``/``closes_at`` are wall-clock times
    at the service (Europe/London), so 10:00 stays 10:00 across the clock changes."""

    id: str
    freq: str | None = None
    interval: int | None = None
    byday: str = ""
    bymonthday: str = ""
    opens_at: time | None = None
    closes_at: time | None = None
    dtstart: date | None = None
    until: date | None = None
    description: str = ""


@dataclass(frozen=True)
class OrukEligibility:
    minimum_age: int | None = None
    maximum_age: int | None = None
    description: str = ""


@dataclass(frozen=True)
class OrukLanguage:
    id: str
    name: str = ""
    code: str = ""  # ISO 639-1 or 639-3, lower case


@dataclass(frozen=True)
class OrukCostOption:
    id: str
    option: str = ""
    amount: float | None = None
    amount_description: str = ""


@dataclass(frozen=True)
class OrukTopic:
    """A taxonomy term the service is tagged with (ORUK ``attributes``)."""

    id: str
    name: str
    description: str = ""
    taxonomy: str = ""


@dataclass(frozen=True)
class OrukService:
    id: str
    name: str
    status: str = "active"
    description: str = ""
    url: str | None = None
    email: str | None = None
    organization: OrukOrganization | None = None
    contacts: tuple[OrukContact, ...] = ()
    phones: tuple[OrukPhone, ...] = ()
    locations: tuple[OrukLocation, ...] = ()
    schedules: tuple[OrukSchedule, ...] = ()
    eligibility: OrukEligibility = OrukEligibility()
    languages: tuple[OrukLanguage, ...] = ()
    cost_options: tuple[OrukCostOption, ...] = ()
    topics: tuple[OrukTopic, ...] = ()
    last_modified: datetime | None = None  # aware, UTC
    assured_date: date | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """The services that can be imported, in feed order, and why the others cannot.

    Each refusal is a ``ServiceError`` (``oruk_missing_id``, ``oruk_duplicate_id``,
    ``oruk_bad_field``) whose details say which service (``position``, 1-based, and
    ``service_id`` when it had one): ``frontdoor.words.staff.for_staff`` words it."""

    services: tuple[OrukService, ...]
    skipped: tuple[ServiceError, ...]
    total_items: int | None = None  # from a page's header, when the feed is a page
    total_pages: int | None = None
    page_number: int | None = None


# --- ids, text, phones ------------------------------------------------------------------


def derived_id(*parts: object) -> str:
    """A UUID made from ``parts``: the same parts always give the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts)))


def oruk_id(given: str) -> str:
    """``given`` as an ORUK id: a UUID in lower case, or the UUID derived from it."""
    lowered = given.strip().lower()
    return lowered if _UUID.match(lowered) else derived_id("id", given.strip())


class _Text(HTMLParser):
    """The words of an HTML fragment: tags dropped, scripts and styles dropped with
    their content, entities decoded, block ends as line breaks."""

    # Only elements whose content is code, never words (the parser reads them raw).
    _SILENT = frozenset({"script", "style"})
    _BREAKS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SILENT:
            self._silent += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SILENT:
            self._silent = max(0, self._silent - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._silent:
            self.parts.append(data)


def _strip_markup_once(value: str) -> str:
    parser = _Text()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def plain_text(value: str, *, lines: bool = True) -> str:
    """``value`` with its markup gone: the words stay, tags and scripts do not.

    Stripped again until nothing changes, so text that decodes to something that
    looks like a tag (``&lt;b&gt;``) cannot come back as markup on a later import:
    reading our own output gives the same text."""
    text = value
    for _ in range(10):  # each pass that changes anything makes the text shorter
        # Text with no tag or entity in it skips the parser: most of a feed is plain.
        stripped = _strip_markup_once(text) if "<" in text or "&" in text else text
        if lines:
            stripped = re.sub(r"[ \t]+", " ", clean_text(stripped))
            stripped = re.sub(r"\n{3,}", "\n\n", re.sub(r" ?\n ?", "\n", stripped))
        else:
            stripped = clean_line(stripped)
        if stripped == text:
            break
        text = stripped
    return text


def display_phone(number: str) -> str:
    """A phone number as people in the UK write it (``0113 496 0000``, ``07700 900982``);
    anything that is not a UK number, or has an extension, is shown as given."""
    compact = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    if compact.startswith("+44"):
        compact = "0" + compact[3:].removeprefix("0")
    elif compact.startswith("0044"):
        compact = "0" + compact[4:].removeprefix("0")
    if not (compact.isdigit() and compact.startswith("0") and len(compact) == 11):
        return clean_line(number)
    if compact.startswith(("020", "023", "024", "028", "029")):
        return f"{compact[:3]} {compact[3:7]} {compact[7:]}"
    # Non-geographic (03, 08, 09) and the big cities' 011x and 01x1 (Leeds 0113,
    # Manchester 0161) are 4-3-4; mobiles (07) and most areas (01xxx) are 5-6.
    city = compact.startswith("01") and "1" in (compact[2], compact[3])
    if city or compact.startswith(("03", "08", "09")):
        return f"{compact[:4]} {compact[4:7]} {compact[7:]}"
    return f"{compact[:5]} {compact[5:]}"


def normalise_postcode(typed: str) -> str:
    """A UK postcode in capitals with one space before the last three characters;
    anything else as given."""
    line = clean_line(typed).upper()
    match = _POSTCODE.match(line)
    return f"{match.group(1)} {match.group(2)}" if match else line


# --- reading ------------------------------------------------------------------------------


def read_feed(stream: IO[bytes], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a feed from a file or a response, never reading more than one
    byte past ``max_bytes``: a 50 MB feed is refused at the limit, not after 50 MB.
    Reads in pieces, since a network stream may return less than it is asked for."""
    pieces: list[bytes] = []
    size = 0
    while size <= max_bytes:
        piece = stream.read(min(MEGABYTE, max_bytes + 1 - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    if size > max_bytes:
        raise _too_large(max_bytes)
    return b"".join(pieces)


def _too_large(max_bytes: int) -> ServiceError:
    return ServiceError("oruk_too_large", field="feed", limit=_size(max_bytes))


def _size(count: int) -> str:
    if count >= MEGABYTE:
        return f"{count / MEGABYTE:g} MB"
    return f"{count:,} bytes"


def parse_feed(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedFeed:
    """The ORUK 3.0 services in ``data``; raises ``oruk_too_large``, ``oruk_not_json``,
    ``oruk_version`` or ``oruk_not_feed`` for the whole feed. A service with the id of
    one before it is reported, and the first one stands."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ServiceError("oruk_not_json", field="feed") from error
    items, header = _items(document)
    services: list[OrukService] = []
    skipped: list[ServiceError] = []
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        given = _given_id(item)
        try:
            service = _service(item)
        except ServiceError as bad:  # this service only: say which, and go on
            bad.details.update(position=position, service_id=given, field=bad.field)
            skipped.append(bad)
            continue
        if service.id in seen:
            skipped.append(
                ServiceError("oruk_duplicate_id", field="id", position=position, service_id=given)
            )
            continue
        seen.add(service.id)
        services.append(service)
    return ParsedFeed(
        tuple(services),
        tuple(skipped),
        total_items=header.get("total_items"),
        total_pages=header.get("total_pages"),
        page_number=header.get("page_number"),
    )


def _items(document: object) -> tuple[list[Any], dict[str, int | None]]:
    """The list of services in a page, a bare list or one service, and the page's header."""
    _refuse_other_version(document)
    if isinstance(document, list):
        return document, {}
    if not isinstance(document, dict):
        raise ServiceError("oruk_not_feed", field="feed")
    if isinstance(document.get("contents"), list):
        header = {
            key: value if isinstance(value, int) and not isinstance(value, bool) else None
            for key, value in (
                ("total_items", document.get("total_items")),
                ("total_pages", document.get("total_pages")),
                ("page_number", document.get("page_number")),
            )
        }
        return document["contents"], header
    if "id" in document and "name" in document:
        return [document], {}
    raise ServiceError("oruk_not_feed", field="feed")


def _refuse_other_version(document: object) -> None:
    """A feed that says, or shows by its shape, that it follows another version."""
    first = document[0] if isinstance(document, list) and document else None
    if isinstance(document, dict):
        stated = document.get("version") or document.get("hsds_version")
        if stated is not None and not str(stated).strip().startswith(ORUK_VERSION):
            raise ServiceError("oruk_version", field="feed", version=clean_line(str(stated))[:40])
        if "totalElements" in document or isinstance(document.get("content"), list):
            raise ServiceError("oruk_version", field="feed", version=_ORUK_1)
        contents = document.get("contents")
        first = contents[0] if isinstance(contents, list) and contents else document
    if isinstance(first, dict) and _ORUK_1_SERVICE_KEYS & first.keys():
        raise ServiceError("oruk_version", field="feed", version=_ORUK_1)


def _given_id(item: object) -> str | None:
    """The service's id as the publisher wrote it, short enough to show, or None."""
    if not isinstance(item, dict):
        return None
    value = item.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool):
        return clean_line(str(value))[:100] or None
    return None


def _service(item: object) -> OrukService:
    if not isinstance(item, dict):
        raise ServiceError("oruk_bad_field", "service")
    given = _given_id(item)
    if given is None:
        raise ServiceError("oruk_missing_id", "id")
    service_id = oruk_id(given)
    name = _text(item, "name", lines=False)
    if not name:
        raise ServiceError("oruk_bad_field", "name")
    status = _text(item, "status", lines=False).lower()
    if status not in STATUSES:
        raise ServiceError("oruk_bad_field", "status")
    return OrukService(
        id=service_id,
        name=name,
        status=status,
        description=_text(item, "description"),
        url=_url(item, "url"),
        email=_email(item, "email"),
        organization=_organization(item.get("organization"), service_id),
        contacts=tuple(_contact(c, service_id, n) for n, c in enumerate(_list(item, "contacts"))),
        phones=tuple(
            _phone(p, service_id, "phone", n) for n, p in enumerate(_list(item, "phones"))
        ),
        locations=tuple(
            _location(s, service_id, n)
            for n, s in enumerate(_list(item, "service_at_locations"))
            if isinstance(s, dict) and isinstance(s.get("location"), dict)
        ),
        schedules=tuple(
            _schedule(s, service_id, n) for n, s in enumerate(_list(item, "schedules"))
        ),
        eligibility=OrukEligibility(
            minimum_age=_age(item, "minimum_age"),
            maximum_age=_age(item, "maximum_age"),
            description=_text(item, "eligibility_description"),
        ),
        languages=tuple(
            _language(x, service_id, n) for n, x in enumerate(_list(item, "languages"))
        ),
        cost_options=tuple(
            _cost(x, service_id, n) for n, x in enumerate(_list(item, "cost_options"))
        ),
        topics=tuple(
            topic
            for n, x in enumerate(_list(item, "attributes"))
            if (topic := _topic(x, service_id, n)) is not None
        ),
        last_modified=_moment(item, "last_modified"),
        assured_date=_date(item, "assured_date"),
    )


def _object(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ServiceError("oruk_bad_field", field)
    return value


def _list(item: Mapping[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ServiceError("oruk_bad_field", key)
    return value


def _child_id(item: Mapping[str, Any], *parts: object) -> str:
    given = item.get("id")
    if isinstance(given, str | int) and not isinstance(given, bool) and str(given).strip():
        return oruk_id(str(given))
    return derived_id(*parts)


def _text(item: Mapping[str, Any], key: str, *, lines: bool = True) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError("oruk_bad_field", key)
    return plain_text(value, lines=lines)


def _url(item: Mapping[str, Any], key: str) -> str | None:
    text = _text(item, key, lines=False)
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise ServiceError("oruk_bad_field", key)
    return text


def _email(item: Mapping[str, Any], key: str) -> str | None:
    text = _text(item, key, lines=False)
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ServiceError("oruk_bad_field", key) from error


def _number(item: Mapping[str, Any], key: str) -> float | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ServiceError("oruk_bad_field", key)
    return float(value)


def _age(item: Mapping[str, Any], key: str) -> int | None:
    value = _number(item, key)
    if value is None:
        return None
    if not 0 <= value <= 130 or value != int(value):
        raise ServiceError("oruk_bad_field", key)
    return int(value)


def _date(item: Mapping[str, Any], key: str) -> date | None:
    """A date; a date-time (some feeds write midnight) gives its date."""
    text = _text(item, key, lines=False)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError as error:
        raise ServiceError("oruk_bad_field", key) from error


def _moment(item: Mapping[str, Any], key: str) -> datetime | None:
    """A date-time as an aware UTC datetime; one without an offset is taken as UTC."""
    text = _text(item, key, lines=False)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ServiceError("oruk_bad_field", key) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _clock(item: Mapping[str, Any], key: str) -> time | None:
    """A wall-clock time; an offset, if the publisher wrote one, is dropped (see above)."""
    text = _text(item, key, lines=False)
    if not text:
        return None
    try:
        return time.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError as error:
        raise ServiceError("oruk_bad_field", key) from error


def _organization(value: object, service_id: str) -> OrukOrganization | None:
    if value is None:
        return None
    item = _object(value, "organization")
    name = _text(item, "name", lines=False)
    if not name:
        raise ServiceError("oruk_bad_field", "organization.name")
    return OrukOrganization(
        id=_child_id(item, service_id, "organization"),
        name=name,
        description=_text(item, "description"),
        website=_url(item, "website"),
        email=_email(item, "email"),
    )


def _phone(value: object, parent: str, kind: str, n: int) -> OrukPhone:
    item = _object(value, "phones")
    number = _text(item, "number", lines=False)
    if not number:
        raise ServiceError("oruk_bad_field", "phones.number")
    return OrukPhone(
        id=_child_id(item, parent, kind, n),
        number=number,
        description=_text(item, "description", lines=False),
    )


def _contact(value: object, service_id: str, n: int) -> OrukContact:
    item = _object(value, "contacts")
    contact_id = _child_id(item, service_id, "contact", n)
    return OrukContact(
        id=contact_id,
        name=_text(item, "name", lines=False),
        title=_text(item, "title", lines=False),
        email=_email(item, "email"),
        phones=tuple(
            _phone(p, contact_id, "phone", i) for i, p in enumerate(_list(item, "phones"))
        ),
    )


def _location(at: dict[str, Any], service_id: str, n: int) -> OrukLocation:
    place = at["location"]
    location_id = _child_id(place, service_id, "location", n)
    addresses = [a for a in _list(place, "addresses") if isinstance(a, dict)]
    # The first physical address, else the first: Front Door keeps one per place.
    address = next(
        (a for a in addresses if a.get("address_type") == "physical"),
        addresses[0] if addresses else {},
    )
    kind = _text(place, "location_type", lines=False).lower() or "physical"
    if kind not in LOCATION_TYPES:
        raise ServiceError("oruk_bad_field", "location.location_type")
    return OrukLocation(
        id=location_id,
        service_at_location_id=_child_id(at, service_id, "service_at_location", n),
        name=_text(place, "name", lines=False),
        kind=kind,
        address_1=_text(address, "address_1", lines=False),
        address_2=_text(address, "address_2", lines=False),
        city=_text(address, "city", lines=False),
        county=_text(address, "state_province", lines=False),
        postcode=normalise_postcode(_text(address, "postal_code", lines=False)),
        country=_text(address, "country", lines=False).upper() or "GB",
        latitude=_number(place, "latitude"),
        longitude=_number(place, "longitude"),
    )


def _schedule(value: object, service_id: str, n: int) -> OrukSchedule:
    item = _object(value, "schedules")
    freq = _text(item, "freq", lines=False).upper() or None
    if freq is not None and freq not in FREQUENCIES:
        raise ServiceError("oruk_bad_field", "schedules.freq")
    byday = _text(item, "byday", lines=False).upper().replace(" ", "")
    if byday and not all(_BYDAY.match(code) for code in byday.split(",")):
        raise ServiceError("oruk_bad_field", "schedules.byday")
    bymonthday = _text(item, "bymonthday", lines=False).replace(" ", "")
    if bymonthday and not all(
        part.lstrip("+-").isdigit() and 1 <= abs(int(part)) <= 31 for part in bymonthday.split(",")
    ):
        raise ServiceError("oruk_bad_field", "schedules.bymonthday")
    interval = _number(item, "interval")
    if interval is not None and (interval < 1 or interval != int(interval)):
        raise ServiceError("oruk_bad_field", "schedules.interval")
    return OrukSchedule(
        id=_child_id(item, service_id, "schedule", n),
        freq=freq,
        interval=int(interval) if interval is not None else None,
        byday=byday,
        bymonthday=bymonthday,
        opens_at=_clock(item, "opens_at"),
        closes_at=_clock(item, "closes_at"),
        # HSDS 3.0 names the rule's ends dtstart/until; the UK profile keeps
        # valid_from/valid_to. Either is read; both are written.
        dtstart=_date(item, "dtstart") or _date(item, "valid_from"),
        until=_date(item, "until") or _date(item, "valid_to"),
        description=_text(item, "description"),
    )


def _language(value: object, service_id: str, n: int) -> OrukLanguage:
    item = _object(value, "languages")
    code = _text(item, "code", lines=False).lower()
    if code and not _LANGUAGE_CODE.match(code):
        raise ServiceError("oruk_bad_field", "languages.code")
    return OrukLanguage(
        id=_child_id(item, service_id, "language", n),
        name=_text(item, "name", lines=False),
        code=code,
    )


def _cost(value: object, service_id: str, n: int) -> OrukCostOption:
    item = _object(value, "cost_options")
    return OrukCostOption(
        id=_child_id(item, service_id, "cost_option", n),
        option=_text(item, "option", lines=False),
        amount=_number(item, "amount"),
        amount_description=_text(item, "amount_description", lines=False),
    )


def _topic(value: object, service_id: str, n: int) -> OrukTopic | None:
    """The taxonomy term of one attribute; an attribute without a named term says
    nothing Front Door can show, so it is left out."""
    item = _object(value, "attributes")
    term = item.get("taxonomy_term")
    if not isinstance(term, dict):
        return None
    name = _text(term, "name", lines=False) or _text(term, "term", lines=False)
    if not name:
        return None
    return OrukTopic(
        id=_child_id(term, service_id, "topic", n),
        name=name,
        description=_text(term, "description") or name,  # ORUK requires one
        taxonomy=_text(term, "taxonomy", lines=False),
    )


# --- writing ------------------------------------------------------------------------------


def _without_empty(fields: Mapping[str, Any]) -> dict[str, Any]:
    """ORUK types optional fields as strings or numbers, never null: leave them out."""
    return {key: value for key, value in fields.items() if value not in (None, "")}


def _clock_text(value: time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


def _date_text(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _phone_json(phone: OrukPhone) -> dict[str, Any]:
    return _without_empty(
        {"id": phone.id, "number": phone.number, "description": phone.description}
    )


def _location_json(location: OrukLocation, service_id: str) -> dict[str, Any]:
    place = _without_empty(
        {
            "id": location.id,
            "location_type": location.kind,
            "name": location.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    )
    if any((location.address_1, location.address_2, location.city, location.postcode)):
        address = {
            "id": location.address_id,
            "location_id": location.id,
            "address_1": location.address_1,
            "city": location.city,
            "state_province": location.county,
            "postal_code": location.postcode,
            "country": location.country,
            "address_type": "physical",
        }
        if location.address_2:
            address["address_2"] = location.address_2
        place["addresses"] = [address]
    return {
        "id": location.service_at_location_id,
        "service_id": service_id,
        "location_id": location.id,
        "location": place,
    }


def _schedule_json(schedule: OrukSchedule, service_id: str) -> dict[str, Any]:
    return _without_empty(
        {
            "id": schedule.id,
            "service_id": service_id,
            "freq": schedule.freq,
            "interval": schedule.interval,
            "byday": schedule.byday,
            "bymonthday": schedule.bymonthday,
            "opens_at": _clock_text(schedule.opens_at),
            "closes_at": _clock_text(schedule.closes_at),
            "dtstart": _date_text(schedule.dtstart),
            "valid_from": _date_text(schedule.dtstart),
            "until": _date_text(schedule.until),
            "valid_to": _date_text(schedule.until),
            "description": schedule.description,
        }
    )


def service_json(service: OrukService) -> dict[str, Any]:
    """One service as ORUK 3.0 JSON (the body of ``/services/{id}``)."""
    sid = service.id
    body = _without_empty(
        {
            "id": sid,
            "organization_id": service.organization.id if service.organization else None,
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "minimum_age": service.eligibility.minimum_age,
            "maximum_age": service.eligibility.maximum_age,
            "eligibility_description": service.eligibility.description,
            "assured_date": _date_text(service.assured_date),
            "last_modified": (
                service.last_modified.astimezone(UTC).isoformat() if service.last_modified else None
            ),
        }
    )
    if service.organization is not None:
        org = service.organization
        body["organization"] = _without_empty(
            {
                "id": org.id,
                "name": org.name,
                "description": org.description,
                "website": org.website,
                "email": org.email,
            }
        )
        body["organization"].setdefault("description", "")  # required by ORUK 3.0
    body["contacts"] = [
        _without_empty(
            {
                "id": contact.id,
                "service_id": sid,
                "name": contact.name,
                "title": contact.title,
                "email": contact.email,
            }
        )
        | ({"phones": [_phone_json(p) for p in contact.phones]} if contact.phones else {})
        for contact in service.contacts
    ]
    body["phones"] = [_phone_json(phone) for phone in service.phones]
    body["service_at_locations"] = [_location_json(x, sid) for x in service.locations]
    body["schedules"] = [_schedule_json(x, sid) for x in service.schedules]
    body["languages"] = [
        _without_empty({"id": x.id, "service_id": sid, "name": x.name, "code": x.code})
        for x in service.languages
    ]
    body["cost_options"] = [
        _without_empty(
            {
                "id": x.id,
                "service_id": sid,
                "option": x.option,
                "amount": x.amount,
                "amount_description": x.amount_description,
            }
        )
        for x in service.cost_options
    ]
    body["attributes"] = [
        {
            "id": derived_id(sid, "attribute", topic.id),
            "link_id": sid,
            "link_type": "service",
            "taxonomy_term_id": topic.id,
            "taxonomy_term": _without_empty(
                {
                    "id": topic.id,
                    "name": topic.name,
                    "description": topic.description,
                    "taxonomy": topic.taxonomy,
                }
            ),
        }
        for topic in service.topics
    ]
    return body


def page_json(
    services: Sequence[OrukService], *, page: int, size: int, total: int
) -> dict[str, Any]:
    """A page of ``/services`` as the ORUK 3.0 API pages it: ``services`` are the ones
    on page ``page`` (from 1) of ``size`` a page, out of ``total`` in all. ``size`` in
    the answer is, as the ORUK OpenAPI says, how many are on this page."""
    if page < 1 or size < 1 or total < 0 or len(services) > size:
        raise ValueError("page and size start at 1, and a page holds at most size services")
    total_pages = math.ceil(total / size)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(services),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not services,
        "contents": [service_json(service) for service in services],
    }


def api_meta(profile_url: str, openapi_url: str) -> dict[str, str]:
    """The ORUK API's ``/`` answer: which version and profile this API follows."""
    return {"version": ORUK_VERSION, "profile": profile_url, "openapi_url": openapi_url}


# --- a hub's own series as a schedule --------------------------------------------------------


def schedule_for_weekly(
    recurrence: Recurrence,
    *,
    opens_at: time,
    closes_at: time,
    key: str,
    description: str = "",
) -> OrukSchedule:
    """A weekly series (``frontdoor.timetable.Recurrence``: ISO weekdays, every N weeks,
    from a start date until a date or for a number of sessions) as one ORUK schedule.

    ``opens_at``/``closes_at`` are the series' wall-clock times at the hub (Europe/
    London), written as they are: a session at 10:00 is at 10:00 in January and in
    July, and an iCalendar reader expanding the rule in Europe/London gets 10:00 GMT
    and 10:00 BST. ``dtstart`` is the first date the rule gives, as iCalendar needs;
    ``until`` is the end date, or the last session's date for a count. ORUK's rule
    cannot skip bank holidays: say so in ``description``. ``key`` names the series
    (``"series:12"``) so its schedule keeps the same id."""
    if not recurrence.weekdays:
        raise ServiceError("no_weekdays", field="weekdays")
    if closes_at <= opens_at:
        raise ServiceError("ends_before_start", field="end_time")
    every_week = replace(recurrence, skip_bank_holidays=False, count=None, until_date=None)
    first = recurrence.start_date
    rule_dates = every_week.dates(first, first + timedelta(weeks=recurrence.interval_weeks + 1))
    until = recurrence.until_date
    if recurrence.count is not None:
        # Each week on the rule holds a session; bank holidays skipped add a few more.
        weeks = recurrence.interval_weeks * (recurrence.count + 10)
        held = recurrence.dates(first, first + timedelta(weeks=weeks))
        until = held[-1] if held else None
    return OrukSchedule(
        id=derived_id("schedule", key),
        freq="WEEKLY",
        interval=recurrence.interval_weeks,
        byday=",".join(DAY_CODES[day] for day in sorted(set(recurrence.weekdays))),
        opens_at=opens_at.replace(tzinfo=None, second=0, microsecond=0),
        closes_at=closes_at.replace(tzinfo=None, second=0, microsecond=0),
        dtstart=rule_dates[0] if rule_dates else first,
        until=until,
        description=plain_text(description),
    )
