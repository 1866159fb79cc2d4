"""All models, imported here so Alembic and the app see one metadata."""

from frontdoor.models.audit import AuditEvent
from frontdoor.models.base import Base, utcnow
from frontdoor.models.booking import Booking, BookingStatus
from frontdoor.models.hub import Hub, HubSettings, Organisation, Room, ServiceCategory
from frontdoor.models.staff import Role, SignInFailure, StaffLogin, StaffRole, StaffUser
from frontdoor.models.timetable import (
    AGE_BANDS,
    BookingMode,
    CapacityUnit,
    Session,
    SessionSeries,
    SessionStatus,
    series_leads,
)

__all__ = [
    "AGE_BANDS",
    "AuditEvent",
    "Base",
    "Booking",
    "BookingMode",
    "BookingStatus",
    "CapacityUnit",
    "Hub",
    "HubSettings",
    "Organisation",
    "Role",
    "Room",
    "ServiceCategory",
    "Session",
    "SessionSeries",
    "SessionStatus",
    "SignInFailure",
    "StaffLogin",
    "StaffRole",
    "StaffUser",
    "series_leads",
    "utcnow",
]
