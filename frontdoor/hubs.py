"""Hubs, their rooms and the council's service categories: the rules for changing them.

Plain functions; the caller commits. Each refusal is a coded ``ServiceError`` naming
the field at fault, so a form can show it next to the input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from frontdoor import audit
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, HubSettings, Room, ServiceCategory, SessionSeries
from frontdoor.timetable import rooms_in_use
from frontdoor.translated import translate

SLUG = re.compile(r"[a-z0-9-]{2,60}")
# Slugs that would be shadowed by a fixed page under /admin/hubs/.
# "new" is a staff page; the others are public pages under /book/.
RESERVED_SLUGS = frozenset({"new", "find", "privacy", "accessibility", "bookings"})
ICON = re.compile(r"[a-z0-9-]{1,60}")
MAX_ROOM_CAPACITY = 500

# Lowest and highest value of each number a manager sets on a hub.
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "greeting_escalation_minutes": (1, 60),
    "kiosk_idle_seconds": (20, 600),
    "retention_months": (1, 84),
    "checkin_early_minutes": (0, 180),
    "connection_chase_working_days": (1, 15),
}
REMINDER_HOURS = (1, 168)
MAX_REMINDERS = 5


def _flush_unique(code: str, field: str) -> None:
    """Flush, turning a unique-constraint clash into ``code``.

    The checks before each flush catch duplicates; this catches the one a
    colleague saved a moment earlier. The transaction is rolled back, which is
    safe because each view saves one thing.
    """
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise ServiceError(code, field=field) from error


def _required(text: str, code: str = "name_required") -> str:
    if not text.strip():
        raise ServiceError(code, field="name")
    return text.strip()


# --- hubs ---------------------------------------------------------------------------


def create_hub(
    *,
    organisation_id: int,
    slug: str,
    name: str,
    address: str = "",
    access_information: str = "",
    translations: Mapping[str, Mapping[str, str]] | None = None,
    staff_id: int | None = None,
) -> Hub:
    """A new active hub with default settings, and (if given) its access information
    in other languages. Raises ``invalid_slug``, ``duplicate_slug``, ``name_required``,
    ``language_not_shipped``, ``translation_too_long``."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug) or slug in RESERVED_SLUGS:
        raise ServiceError("invalid_slug", field="slug")
    if db.session.scalar(select(Hub.id).where(Hub.slug == slug)):
        raise ServiceError("duplicate_slug", field="slug")
    hub = Hub(
        organisation_id=organisation_id,
        slug=slug,
        name=_required(name),
        address=address.strip(),
        access_information=access_information.strip(),
        settings_json={},
    )
    languages = translate(hub, translations) if translations else []
    db.session.add(hub)
    _flush_unique("duplicate_slug", "slug")
    _audit("hub.create", hub, staff_id, _added(f"{hub.name} ({hub.slug})", languages))
    return hub


def _added(what: str, languages: list[str]) -> str:
    """The audit log's words for something added, and the languages given with it."""
    return f"Added {what}" + ("; " + ", ".join(languages) if languages else "")


def _audit(action: str, hub: Hub, staff_id: int | None, detail: str) -> None:
    audit.record(
        action,
        staff_id=staff_id,
        subject_type="hub",
        subject_id=hub.id,
        hub_id=hub.id,
        detail=detail,
    )


def settings_problems(settings: HubSettings) -> list[ServiceError]:
    """Every setting out of its range, each against the field of the same name."""
    problems = [
        ServiceError("out_of_range", field=key, low=low, high=high)
        for key, (low, high) in SETTING_LIMITS.items()
        if not low <= getattr(settings, key) <= high
    ]
    low, high = REMINDER_HOURS
    hours = settings.reminder_hours
    if len(hours) > MAX_REMINDERS or not all(low <= h <= high for h in hours):
        problems.append(ServiceError("out_of_range", field="reminder_hours", low=low, high=high))
    return problems


def _described(hub: Hub) -> dict[str, object]:
    """What a manager can change about a hub, for naming changes in the audit log."""
    details = {"name": hub.name, "address": hub.address, "access": hub.access_information}
    return {**details, "active": hub.active, **asdict(hub.settings)}


def update_hub(
    hub: Hub,
    *,
    name: str,
    address: str,
    access_information: str,
    active: bool,
    settings: HubSettings,
    translations: Mapping[str, Mapping[str, str]] | None = None,
    staff_id: int | None = None,
) -> None:
    """Change a hub's details, settings and (if given) its access information in
    other languages (audited, naming what changed). Raises ``name_required``,
    ``out_of_range``, ``language_not_shipped``, ``translation_too_long``."""
    if problems := settings_problems(settings):
        raise problems[0]
    languages = translate(hub, translations) if translations is not None else []
    before = _described(hub)
    hub.name = _required(name)
    hub.address = address.strip()
    hub.access_information = access_information.strip()
    hub.active = active
    hub.settings = settings
    after = _described(hub)
    changed = [key for key in after if before.get(key) != after[key]] + languages
    if changed:
        _audit("hub.update", hub, staff_id, "Changed " + ", ".join(changed))


# --- rooms --------------------------------------------------------------------------


def _check_room(hub_id: int, name: str, capacity: int | None, room_id: int | None) -> str:
    name = _required(name)
    if capacity is not None and not 1 <= capacity <= MAX_ROOM_CAPACITY:
        raise ServiceError("capacity_range", field="capacity", low=1, high=MAX_ROOM_CAPACITY)
    # Case-insensitive, so "Main hall" and "main hall" are not two rooms.
    same = select(Room.id).where(Room.hub_id == hub_id, func.lower(Room.name) == name.lower())
    if room_id is not None:
        same = same.where(Room.id != room_id)
    if db.session.scalar(same):
        raise ServiceError("duplicate_name", field="name")
    return name


def _audit_room(action: str, room: Room, staff_id: int | None, detail: str) -> None:
    audit.record(
        action,
        staff_id=staff_id,
        subject_type="room",
        subject_id=room.id,
        hub_id=room.hub_id,
        detail=detail,
    )


def create_room(
    hub: Hub,
    *,
    name: str,
    capacity: int | None = None,
    description: str = "",
    staff_id: int | None = None,
) -> Room:
    """A new active room. Raises ``name_required``, ``duplicate_name``, ``capacity_range``."""
    room = Room(
        hub_id=hub.id,
        name=_check_room(hub.id, name, capacity, None),
        capacity=capacity,
        description=description.strip(),
    )
    db.session.add(room)
    _flush_unique("duplicate_name", "name")
    _audit_room("room.create", room, staff_id, f"Added {room.name}")
    return room


def update_room(
    room: Room,
    *,
    name: str,
    capacity: int | None,
    description: str,
    active: bool,
    staff_id: int | None = None,
) -> None:
    room.name = _check_room(room.hub_id, name, capacity, room.id)
    room.capacity = capacity
    room.description = description.strip()
    room.active = active
    _flush_unique("duplicate_name", "name")
    _audit_room("room.update", room, staff_id, f"Changed {room.name}")


def delete_room(room: Room, *, staff_id: int | None = None) -> None:
    """Delete a room no session or series has used. Raises ``in_use``."""
    if rooms_in_use(room):
        raise ServiceError("in_use", field="active")
    _audit_room("room.delete", room, staff_id, f"Deleted {room.name}")
    db.session.delete(room)


# --- service categories -----------------------------------------------------------


def _check_category(organisation_id: int, name: str, icon: str, category_id: int | None) -> str:
    name = _required(name)
    if icon and not ICON.fullmatch(icon):
        raise ServiceError("invalid_icon", field="icon")
    same = select(ServiceCategory.id).where(
        ServiceCategory.organisation_id == organisation_id,
        func.lower(ServiceCategory.name) == name.lower(),
    )
    if category_id is not None:
        same = same.where(ServiceCategory.id != category_id)
    if db.session.scalar(same):
        raise ServiceError("duplicate_name", field="name")
    return name


def _audit_category(
    action: str, category: ServiceCategory, staff_id: int | None, detail: str
) -> None:
    audit.record(
        action,
        staff_id=staff_id,
        subject_type="service_category",
        subject_id=category.id,
        detail=detail,
    )


def create_category(
    *,
    organisation_id: int,
    name: str,
    icon: str = "",
    translations: Mapping[str, Mapping[str, str]] | None = None,
    staff_id: int | None = None,
) -> ServiceCategory:
    """A new active category, and (if given) its name in other languages. Raises
    ``name_required``, ``duplicate_name``, ``invalid_icon``, ``language_not_shipped``,
    ``translation_too_long``."""
    icon = icon.strip()
    category = ServiceCategory(
        organisation_id=organisation_id,
        name=_check_category(organisation_id, name, icon, None),
        icon=icon,
    )
    languages = translate(category, translations) if translations else []
    db.session.add(category)
    _flush_unique("duplicate_name", "name")
    _audit_category("category.create", category, staff_id, _added(category.name, languages))
    return category


def update_category(
    category: ServiceCategory,
    *,
    name: str,
    icon: str,
    active: bool,
    translations: Mapping[str, Mapping[str, str]] | None = None,
    staff_id: int | None = None,
) -> None:
    """Change a category, and (if given) its name in other languages (audited).
    Raises ``name_required``, ``duplicate_name``, ``invalid_icon``,
    ``language_not_shipped``, ``translation_too_long``."""
    icon = icon.strip()
    category.name = _check_category(category.organisation_id, name, icon, category.id)
    languages = translate(category, translations) if translations is not None else []
    category.icon = icon
    category.active = active
    _flush_unique("duplicate_name", "name")
    detail = f"Changed {category.name}" + ("; " + ", ".join(languages) if languages else "")
    _audit_category("category.update", category, staff_id, detail)


def delete_category(category: ServiceCategory, *, staff_id: int | None = None) -> None:
    """Delete a category no session series uses. Raises ``in_use``."""
    used = select(func.count()).where(SessionSeries.category_id == category.id)
    if db.session.scalar(used):
        raise ServiceError("in_use", field="active")
    _audit_category("category.delete", category, staff_id, f"Deleted {category.name}")
    db.session.delete(category)
