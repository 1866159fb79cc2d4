"""The app's routes and a real record for each URL variable, shared by the tests
that walk the whole URL map (who may use each route, and hostile input).

A paired kiosk and a demo account per role come from here too.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Select, select

from booking.tokens import MANAGE
from connections.services import partner_link_token
from directory.partner_checks import PURPOSE as PARTNER_CHECK
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    Connection,
    Hub,
    HubClosure,
    KioskDevice,
    Partner,
    PartnerService,
    Role,
    Room,
    ServiceCategory,
    Session,
    SessionSeries,
    StaffUser,
)
from frontdoor.tokens import make_link_token, make_timed_token
from kiosk.access import COOKIE
from kiosk.pairing import add_kiosk, pair

# One demo account per role, all at Riverside (the admin is council-wide).
ACCOUNTS = {
    Role.ADMIN: "admin@council.example",
    Role.MANAGER: "manager@riverside.example",
    Role.SESSION_LEAD: "lead@riverside.example",
    Role.PRACTITIONER: "practitioner@riverside.example",
    Role.RECEPTION: "reception@riverside.example",
}


def booking_token(app: Flask, purpose: str, booking_id: int) -> str:
    """The booking's manage or check-in token (``booking.tokens``), as its links carry it."""
    with app.app_context():
        booking = db.session.get_one(Booking, booking_id)
        return make_link_token(
            app.config["SECRET_KEY"], purpose, booking.public_id, booking.link_version
        )


def rules(app: Flask):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _sample_booking(hub: Hub) -> int:
    """A family's booking at one of the hub's bookable sessions (the demo has none)."""
    session = db.session.scalar(
        select(Session)
        .join(Session.series)
        .where(Session.hub_id == hub.id, SessionSeries.booking_mode == "booking")
        .order_by(Session.starts_at.desc())
    )
    booking = Booking(
        session_id=session.id,
        reference="SAMPLE01",
        first_name="Sample",
        last_name="Family",
        adults=1,
        people=1,
        children=[],
    )
    db.session.add(booking)
    db.session.commit()
    return booking.id


def _sample_appointment(type_id: int) -> int:
    """A family's appointment at the first free time of the hub's type."""
    from booking.appointments import book_appointment
    from booking.contact import Contact, Party
    from booking.slots import free_slots
    from frontdoor.models import Appointment

    booked = db.session.scalar(select(Appointment.id).filter_by(type_id=type_id))
    if booked is not None:
        return booked
    now = clock.now()
    slots = free_slots(type_id, day_from=clock.today(), days=28, now=now)
    slot = next(slot for day in slots.values() for slot in day)
    result = book_appointment(
        type_id,
        slot.practitioner_id,
        slot.starts_at,
        Party(1, ()),
        Contact("Sample", email="sample@example.com"),
        now=now,
        source="staff",
    )
    db.session.commit()
    return result.booking.appointment_id


def sample_values(app: Flask) -> dict[str, object]:
    """A real Riverside record for each kind of URL variable."""
    from directory.oruk_services import series_id
    from frontdoor.models import AppointmentType, Availability, AvailabilityException

    practitioner = select(StaffUser.id).filter_by(email="practitioner@riverside.example")
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        return {
            "booking_id": (
                booking_id := db.session.scalar(select(Booking.id).filter_by(reference="SAMPLE01"))
                or _sample_booking(hub)
            ),
            # The family's own pages: the booking's manage link.
            "token": booking_token(app, MANAGE, booking_id),
            "hub": hub.slug,
            "series_id": db.session.scalar(select(SessionSeries.id).filter_by(hub_id=hub.id)),
            "session_id": db.session.scalar(select(Session.id).filter_by(hub_id=hub.id)),
            "room_id": db.session.scalar(select(Room.id).filter_by(hub_id=hub.id)),
            "category_id": db.session.scalar(select(ServiceCategory.id)),
            "staff_id": db.session.scalar(
                select(StaffUser.id).filter_by(email="practitioner@riverside.example")
            ),
            "device_id": _a_kiosk(hub.id),
            "display_id": _a_board_display(hub.id),
            "login_id": _a_login(),
            # Days the hub is closed: a year of bank holidays, and one closed day.
            "year": 2027,
            "closure_id": db.session.scalar(select(HubClosure.id).filter_by(hub_id=hub.id)),
            "message_id": _a_message(hub.id),
            "help_id": _a_help_request(hub.id),
            # The Open Referral API: one of Riverside's series, as a service.
            "oruk_id": series_id(db.session.scalar(select(SessionSeries).filter_by(hub_id=hub.id))),
            "visit_id": _a_visit(hub.id),
            # Appointments: the demo's Riverside type, the practitioner's times and leave.
            "type_id": (
                type_id := db.session.scalar(select(AppointmentType.id).filter_by(hub_id=hub.id))
            ),
            "appointment_id": _sample_appointment(type_id),
            "availability_id": db.session.scalar(
                select(Availability.id).where(Availability.staff_id.in_(practitioner))
            ),
            # The directory: a demo partner, one of its services, and its check link.
            "partner_id": (
                partner_id := db.session.scalar(select(Partner.id).order_by(Partner.id))
            ),
            "service_id": db.session.scalar(
                select(PartnerService.id).filter_by(partner_id=partner_id)
            ),
            # A family's Find support page: the most recently checked service.
            "service_ref": db.session.scalar(
                select(PartnerService.oruk_id).order_by(PartnerService.last_checked_at.desc())
            ),
            "partner_token": make_timed_token(
                app.config["SECRET_KEY"], PARTNER_CHECK, partner_id, "sample"
            ),
            # A connection made from the help request, and its partner link.
            "connection_id": (connection := _a_connection(hub.id, practitioner)).id,
            "connection_token": partner_link_token(
                app.config["SECRET_KEY"], connection.id, connection.link_ref
            ),
            "exception_id": db.session.scalar(
                select(AvailabilityException.id).where(
                    AvailabilityException.staff_id.in_(practitioner)
                )
            ),
        }


def _a_connection(hub_id: int, practitioner: Select) -> Connection:
    """A family connected (from the help request) to the first demo service."""
    found = db.session.scalar(select(Connection).filter_by(hub_id=hub_id))
    if found is None:
        staff_id = db.session.scalar(practitioner)
        found = Connection(
            hub_id=hub_id, help_request_id=_a_help_request(hub_id), made_by_id=staff_id,
            service_id=db.session.scalar(select(PartnerService.id).order_by(PartnerService.id)),
            consent_asked_by_id=staff_id, consent_at=clock.now(), shared_first_name="Sample",
            shared_contact_method="through_hub", link_ref="sample",
        )  # fmt: skip
        db.session.add(found)
        db.session.commit()
    return found


def _a_visit(hub_id: int) -> int:
    from frontdoor.models import Visit

    found = db.session.scalar(select(Visit.id).filter_by(hub_id=hub_id))
    if found is None:
        arrived = Visit(hub_id=hub_id, kind="walk_in", first_name="Sample", last_name="Visitor")
        db.session.add(arrived)
        db.session.commit()
        found = arrived.id
    return found


def _a_help_request(hub_id: int) -> int:
    from frontdoor.models import HelpRequest

    found = db.session.scalar(select(HelpRequest.id).filter_by(hub_id=hub_id))
    if found is None:
        asked = HelpRequest(hub_id=hub_id, topic="money", first_name="Sample")
        db.session.add(asked)
        db.session.commit()
        found = asked.id
    return found


def _a_board_display(hub_id: int) -> int:
    from frontdoor.models import BoardDisplay
    from frontdoor.staff_sessions import add_board_display

    display = db.session.scalar(select(BoardDisplay).filter_by(hub_id=hub_id))
    if display is None:
        manager = db.session.scalar(select(StaffUser).filter_by(email=ACCOUNTS[Role.MANAGER]))
        display, _ = add_board_display(manager, hub_id, "Reception", now=clock.now())
        db.session.commit()
    return display.id


def _a_login() -> int:
    """An open sign-in of the practitioner's ("Sign out there" on Your account)."""
    from frontdoor.models import StaffLogin
    from frontdoor.staff import open_login

    user = db.session.scalar(select(StaffUser).filter_by(email=ACCOUNTS[Role.PRACTITIONER]))
    login_id = db.session.scalar(select(StaffLogin.id).filter_by(user_id=user.id))
    if login_id is None:
        now = clock.now()
        open_login(user, now=now, expires_at=now + timedelta(hours=12))
        db.session.commit()
        login_id = db.session.scalar(select(StaffLogin.id).filter_by(user_id=user.id))
    return login_id


def pair_board_display(client: FlaskClient, app: Flask, hub_slug: str = "riverside") -> str:
    """Sign ``client`` in as a new reception board display for one hub; returns
    where the display was sent."""
    from frontdoor.staff_sessions import add_board_display

    with app.app_context():
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug=hub_slug))
        manager = db.session.scalar(select(StaffUser).filter_by(email=ACCOUNTS[Role.ADMIN]))
        _, code = add_board_display(manager, hub_id, "Reception desk", now=clock.now())
        db.session.commit()
    from tests.conftest import csrf_from

    page = client.get(f"/admin/board-display/pair?code={code}").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post("/admin/board-display/pair", data={"code": code, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _a_kiosk(hub_id: int) -> int:
    device = db.session.scalar(select(KioskDevice).filter_by(hub_id=hub_id))
    if device is None:
        device, _ = add_kiosk(hub_id, "Foyer", now=clock.now(), created_by_id=None)
        db.session.commit()
    return device.id


def _a_message(hub_id: int) -> int:
    """A failed message at the hub (the outbox's retry button)."""
    from frontdoor.models import OutboxMessage

    message = db.session.scalar(select(OutboxMessage).filter_by(hub_id=hub_id))
    if message is None:
        message = OutboxMessage(
            idempotency_key="sample:message",
            hub_id=hub_id,
            channel="email",
            recipient="family@example.com",
            template="booked",
            payload={},
            status="failed",
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        )
        db.session.add(message)
        db.session.commit()
    return message.id


def staff_routes(app: Flask):
    for rule in rules(app):
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", None)
        if roles:
            yield rule, roles


def url_of(rule, values) -> str:
    missing = set(rule.arguments) - values.keys()
    assert not missing, f"add a sample value for {missing} used by {rule.rule}"
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def kiosk_routes(app: Flask):
    return [rule for rule in rules(app) if rule.rule.startswith("/kiosk")]


def pair_kiosk(client: FlaskClient, app: Flask, path: str = "/kiosk") -> None:
    """Pair ``client`` as a new Riverside kiosk (its cookie sent under ``path``)."""
    with app.app_context():
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
        _, code = add_kiosk(hub_id, "Foyer", now=clock.now(), created_by_id=None)
        _, credential = pair(code, now=clock.now())
        db.session.commit()
    client.set_cookie(COOKIE, credential, path=path)
