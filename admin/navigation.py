"""The staff menu: each item shows only to people whose roles can use it."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_login import current_user

from frontdoor.models import Role
from frontdoor.staff_auth import hubs_for

LEADS = (Role.SESSION_LEAD, Role.MANAGER)
MANAGERS = (Role.MANAGER,)

# (endpoint, label, roles that see it)
MENU = (
    ("admin.arrivals", "Arrivals", tuple(Role)),
    ("admin.timetable", "Timetable", tuple(Role)),
    ("admin.appointments_home", "Appointments", (Role.PRACTITIONER, Role.MANAGER)),
    (
        "admin.booked_appointments",
        "Booked appointments",
        (Role.PRACTITIONER, Role.RECEPTION, Role.MANAGER),
    ),
    (
        "admin.connections_mine",
        "My connections",
        (Role.PRACTITIONER, Role.SESSION_LEAD, Role.MANAGER),
    ),
    ("admin.reports", "Reports", LEADS),
    ("admin.hubs", "Hubs and rooms", MANAGERS),
    ("admin.categories", "Categories", MANAGERS),
    ("admin.directory", "Directory", MANAGERS),
    ("admin.staff_list", "Staff", MANAGERS),
    ("admin.kiosks", "Kiosks", MANAGERS),
    ("admin.board_displays", "Board displays", MANAGERS),
    ("admin.jobs", "Jobs", MANAGERS),
    ("admin.outbox", "Outbox", MANAGERS),
    ("admin.sent_messages", "Sent messages", MANAGERS),
    ("admin.family_records", "Family records", MANAGERS),
    ("admin.audit_log", "Audit log", MANAGERS),
)


def staff_navigation() -> list[dict[str, object]]:
    if not current_user.is_authenticated or current_user.board_hub_id is not None:
        return []  # a reception board display shows its board and nothing else
    items = []
    for endpoint, label, roles in MENU:
        # A page not built yet on this branch is left out rather than breaking every page.
        if endpoint in current_app.view_functions and hubs_for(current_user.user, roles):
            items.append(
                {
                    "href": url_for(endpoint),
                    "text": label,
                    "active": (request.endpoint or "").startswith(endpoint),
                }
            )
    return items
