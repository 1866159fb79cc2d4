"""All models, imported here so Alembic and the app see one metadata."""

from frontdoor.models.appointments import (
    Appointment,
    AppointmentType,
    Availability,
    AvailabilityException,
    type_practitioners,
)
from frontdoor.models.areas import AreaDeprivation, AreaPostcode
from frontdoor.models.arrivals import ArrivalAction, ArrivalEvent, Duty, DutyAssignment
from frontdoor.models.audit import AuditEvent
from frontdoor.models.base import Base, utcnow
from frontdoor.models.booking import LIVE_STATUSES, Booking, BookingSource, BookingStatus
from frontdoor.models.closure import HubClosure
from frontdoor.models.connections import (
    FINAL_STATUSES,
    Connection,
    ConnectionStatus,
    ContactMethod,
)
from frontdoor.models.directory import BY_PARTNER, Partner, PartnerService, ServiceStatus
from frontdoor.models.hub import (
    CouncilSettings,
    Hub,
    HubSettings,
    Organisation,
    Room,
    ServiceCategory,
)
from frontdoor.models.kiosk import KioskDevice
from frontdoor.models.outbox import MessageStatus, OutboxMessage, RecordedMessage
from frontdoor.models.reach import (
    ReachFamilyDay,
    ReachFirstSeen,
    ReachMonthTotal,
    ReachPeriodFirst,
    ReachTotal,
)
from frontdoor.models.scheduler import JobRun, JobRunStatus, SchedulerHeartbeat, apscheduler_jobs
from frontdoor.models.second_factor import BoardDisplay, StaffRecoveryCode, StaffSecondFactor
from frontdoor.models.staff import Role, SignInFailure, StaffLogin, StaffRole, StaffUser
from frontdoor.models.timetable import (
    AGE_BANDS,
    CHILD_BANDS,
    BookingMode,
    CapacityUnit,
    Delivery,
    Session,
    SessionSeries,
    SessionStatus,
    series_leads,
)
from frontdoor.models.visit import FOR_A_BOOKING, HelpRequest, Visit, VisitKind, VisitStatus

__all__ = [
    "AGE_BANDS",
    "BY_PARTNER",
    "CHILD_BANDS",
    "FINAL_STATUSES",
    "FOR_A_BOOKING",
    "LIVE_STATUSES",
    "Appointment",
    "AppointmentType",
    "AreaDeprivation",
    "AreaPostcode",
    "ArrivalAction",
    "ArrivalEvent",
    "AuditEvent",
    "Availability",
    "AvailabilityException",
    "Base",
    "BoardDisplay",
    "Booking",
    "BookingMode",
    "BookingSource",
    "BookingStatus",
    "CapacityUnit",
    "Connection",
    "ConnectionStatus",
    "ContactMethod",
    "CouncilSettings",
    "Delivery",
    "Duty",
    "DutyAssignment",
    "HelpRequest",
    "Hub",
    "HubClosure",
    "HubSettings",
    "JobRun",
    "JobRunStatus",
    "KioskDevice",
    "MessageStatus",
    "Organisation",
    "OutboxMessage",
    "Partner",
    "PartnerService",
    "ReachFamilyDay",
    "ReachFirstSeen",
    "ReachMonthTotal",
    "ReachPeriodFirst",
    "ReachTotal",
    "RecordedMessage",
    "Role",
    "Room",
    "SchedulerHeartbeat",
    "ServiceCategory",
    "ServiceStatus",
    "Session",
    "SessionSeries",
    "SessionStatus",
    "SignInFailure",
    "StaffLogin",
    "StaffRecoveryCode",
    "StaffRole",
    "StaffSecondFactor",
    "StaffUser",
    "Visit",
    "VisitKind",
    "VisitStatus",
    "apscheduler_jobs",
    "series_leads",
    "type_practitioners",
    "utcnow",
]
