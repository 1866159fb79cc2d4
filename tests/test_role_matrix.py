"""Every route declares who may use it, and the declaration is what happens.

Walks the app's whole URL map. A new route without ``@staff_required``,
``@public`` or ``@kiosk_required`` fails here; so does a route that lets in a
role it should not, and a kiosk route that works without a paired screen.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    Hub,
    HubClosure,
    KioskDevice,
    Role,
    Room,
    ServiceCategory,
    Session,
    SessionSeries,
    StaffUser,
)
from kiosk.access import COOKIE
from kiosk.pairing import add_kiosk, pair
from tests.conftest import csrf_from, sign_in

# One demo account per role, all at Riverside (the admin is council-wide).
ACCOUNTS = {
    Role.ADMIN: "admin@council.example",
    Role.MANAGER: "manager@riverside.example",
    Role.SESSION_LEAD: "lead@riverside.example",
    Role.PRACTITIONER: "practitioner@riverside.example",
    Role.RECEPTION: "reception@riverside.example",
}


def _rules(app: Flask):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _declared(view) -> bool:
    return bool(
        getattr(view, "public", False)
        or getattr(view, "required_roles", None)
        or getattr(view, "kiosk_device", False)
    )


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        rule.rule for rule in _rules(app) if not _declared(app.view_functions[rule.endpoint])
    ]
    assert undeclared == []


def test_kiosk_routes_need_a_paired_screen_except_pairing(app):
    kiosk_rules = [rule for rule in _rules(app) if rule.rule.startswith("/kiosk")]
    assert kiosk_rules
    for rule in kiosk_rules:
        view = app.view_functions[rule.endpoint]
        if rule.rule == "/kiosk/pair":
            assert getattr(view, "public", False)
        else:
            assert getattr(view, "kiosk_device", False), rule.rule
            assert not getattr(view, "public", False), rule.rule
            assert not getattr(view, "required_roles", None), rule.rule


def test_staff_pages_are_never_public(app):
    public_admin = [
        rule.rule
        for rule in _rules(app)
        if rule.endpoint.startswith("admin.")
        and getattr(app.view_functions[rule.endpoint], "public", False)
    ]
    assert sorted(public_admin) == ["/admin/sign-in", "/admin/sign-out"]


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


def _sample_values(app: Flask) -> dict[str, object]:
    """A real Riverside record for each kind of URL variable."""
    from frontdoor.models import AppointmentType, Availability, AvailabilityException

    practitioner = select(StaffUser.id).filter_by(email="practitioner@riverside.example")
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        return {
            "booking_id": db.session.scalar(select(Booking.id).filter_by(reference="SAMPLE01"))
            or _sample_booking(hub),
            "hub": hub.slug,
            "series_id": db.session.scalar(select(SessionSeries.id).filter_by(hub_id=hub.id)),
            "session_id": db.session.scalar(select(Session.id).filter_by(hub_id=hub.id)),
            "room_id": db.session.scalar(select(Room.id).filter_by(hub_id=hub.id)),
            "category_id": db.session.scalar(select(ServiceCategory.id)),
            "staff_id": db.session.scalar(
                select(StaffUser.id).filter_by(email="practitioner@riverside.example")
            ),
            "device_id": _a_kiosk(hub.id),
            # Days the hub is closed: a year of bank holidays, and one closed day.
            "year": 2027,
            "closure_id": db.session.scalar(select(HubClosure.id).filter_by(hub_id=hub.id)),
            "message_id": _a_message(hub.id),
            "help_id": _a_help_request(hub.id),
            # Appointments: the demo's Riverside type, the practitioner's times and leave.
            "type_id": (
                type_id := db.session.scalar(select(AppointmentType.id).filter_by(hub_id=hub.id))
            ),
            "appointment_id": _sample_appointment(type_id),
            "availability_id": db.session.scalar(
                select(Availability.id).where(Availability.staff_id.in_(practitioner))
            ),
            "exception_id": db.session.scalar(
                select(AvailabilityException.id).where(
                    AvailabilityException.staff_id.in_(practitioner)
                )
            ),
        }


def _a_help_request(hub_id: int) -> int:
    from frontdoor.models import HelpRequest

    found = db.session.scalar(select(HelpRequest.id).filter_by(hub_id=hub_id))
    if found is None:
        asked = HelpRequest(hub_id=hub_id, topic="money", first_name="Sample")
        db.session.add(asked)
        db.session.commit()
        found = asked.id
    return found


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


def _staff_routes(app: Flask):
    for rule in _rules(app):
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", None)
        if roles:
            yield rule, roles


def _url(rule, values) -> str:
    missing = set(rule.arguments) - values.keys()
    assert not missing, f"add a sample value for {missing} used by {rule.rule}"
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_exactly_the_staff_routes_declared_for_it(app, demo, role):
    values = _sample_values(app)
    client = app.test_client()
    sign_in(client, ACCOUNTS[role])
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(select(StaffUser).filter_by(email=ACCOUNTS[role]))
        held = user.roles_at(db.session.scalar(select(Hub.id).filter_by(slug="riverside")))
    wrong = []
    for rule, allowed in _staff_routes(app):
        url = _url(rule, values)
        may = bool(held & allowed)
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if (status == 403) == may or (may and status >= 400):
                wrong.append(f"GET {url}: {status}")
        elif not may:
            # Refused before anything happens; allowed POSTs are exercised elsewhere.
            status = client.post(url, data={"csrf_token": token}).status_code
            if status != 403:
                wrong.append(f"POST {url}: {status}")
    assert wrong == []


def test_signed_out_browsers_are_sent_to_sign_in_from_every_staff_route(app, demo, client):
    values = _sample_values(app)
    token = csrf_from(client.get("/admin/sign-in").get_data(as_text=True))
    for rule, _ in _staff_routes(app):
        url = _url(rule, values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/sign-in"), url


def _kiosk_routes(app: Flask):
    return [rule for rule in _rules(app) if rule.rule.startswith("/kiosk")]


def test_every_kiosk_route_but_pairing_shows_not_set_up_without_a_paired_screen(
    app, demo, signed_in
):
    values = _sample_values(app)
    # Signed in as a manager: a staff sign-in is no way into the kiosk.
    client = signed_in("manager@riverside.example")
    token = csrf_from(client.get("/kiosk/pair").get_data(as_text=True))
    client.set_cookie(COOKIE, "a-guess", path="/kiosk")
    for rule in _kiosk_routes(app):
        if rule.rule == "/kiosk/pair":
            continue
        url = _url(rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            page = response.get_data(as_text=True)
            assert response.status_code == 403, f"{method} {url}"
            assert "This screen is not set up yet" in page, f"{method} {url}"
            assert "Riverside" not in page, f"{method} {url}"


def test_a_paired_kiosk_gives_no_way_into_the_staff_side(app, demo, client):
    values = _sample_values(app)
    with app.app_context():
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
        _, code = add_kiosk(hub_id, "Foyer", now=clock.now(), created_by_id=None)
        _, credential = pair(code, now=clock.now())
        db.session.commit()
    # Sent everywhere, not only to /kiosk, to be sure it grants nothing there.
    client.set_cookie(COOKIE, credential, path="/")
    assert client.get("/kiosk/").status_code == 200
    token = csrf_from(client.get("/admin/sign-in").get_data(as_text=True))
    for rule, _ in _staff_routes(app):
        url = _url(rule, values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/sign-in"), url
