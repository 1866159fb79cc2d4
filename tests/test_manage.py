"""Managers' pages: hubs and settings, rooms, categories and staff."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Hub,
    Role,
    Room,
    ServiceCategory,
    SessionSeries,
    StaffLogin,
    StaffUser,
)
from frontdoor.staff import create_staff
from tests.conftest import DEMO_PASSWORD, sign_in, submit

ADMIN = "admin@council.example"
MANAGER = "manager@riverside.example"
LEAD = "lead@riverside.example"
PRACTITIONER = "practitioner@riverside.example"
NORTHGATE_LEAD = "lead@northgate.example"
HUB_SETTINGS = {
    "name": "Riverside Family Hub",
    "address": "12 Mill Lane",
    "access_information": "Step-free",
    "active": "y",
    "greeting_escalation_minutes": "7",
    "kiosk_idle_seconds": "90",
    "retention_months": "24",
    "checkin_early_minutes": "30",
    "connection_chase_working_days": "5",
    "waiting_list_fill_gaps": "no",
    "reminder_hours": "2, 48",
}


@contextmanager
def database(app: Flask) -> Iterator[DbSession]:
    """A fresh session for looking at what the requests saved."""
    with app.app_context():
        yield db.session
        db.session.remove()


def hub_id(app: Flask, slug: str) -> int:
    with database(app) as session:
        return session.scalar(select(Hub.id).where(Hub.slug == slug))


def room_id(app: Flask, slug: str, name: str) -> int | None:
    with database(app) as session:
        return session.scalar(select(Room.id).join(Hub).where(Hub.slug == slug, Room.name == name))


def staff_id(app: Flask, email: str) -> int | None:
    with database(app) as session:
        return session.scalar(select(StaffUser.id).where(StaffUser.email == email))


def count(app: Flask, model) -> int:
    with database(app) as session:
        return session.scalar(select(func.count()).select_from(model))


def audit_events(app: Flask, action: str) -> list[AuditEvent]:
    with database(app) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        session.expunge_all()
        return list(events)


def shown_password(response) -> str:
    match = re.search(r"Their password is<br><strong>([a-z0-9-]+)</strong>", response.text)
    assert match, response.text
    return match[1]


def assert_problem(response, *messages: str) -> None:
    assert response.status_code == 200
    assert "There is a problem" in response.text
    for message in messages:
        assert message in response.text


# --- hubs ---------------------------------------------------------------------------------


def test_admin_adds_a_hub(app, signed_in):
    client = signed_in(ADMIN)
    response = submit(
        client,
        "/admin/hubs/new",
        {
            "name": "Eastfield Family Hub",
            "slug": "eastfield",
            "address": "1 High St",
            "access_information": "Ramp at the side door",
        },
    )
    assert response.status_code == 302
    with database(app) as session:
        hub = session.scalar(select(Hub).where(Hub.slug == "eastfield"))
        admin = session.scalar(select(StaffUser).where(StaffUser.email == ADMIN))
        assert hub.name == "Eastfield Family Hub"
        assert hub.access_information == "Ramp at the side door"
        assert hub.organisation_id == admin.organisation_id
        assert hub.active
    page = client.get("/admin/hubs").text
    assert "Eastfield Family Hub added" in page
    assert "Ramp at the side door" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "riverside"}, "A hub with that short name already exists"),
        ({"slug": "Not a slug!"}, "Short name must be 2 to 60 lowercase letters"),
        ({"slug": "x"}, "Short name must be 2 to 60 lowercase letters"),
        ({"slug": "new"}, "Short name must be 2 to 60 lowercase letters"),
        ({"slug": ""}, "Enter a short name for web addresses"),
        ({"name": "   "}, "Enter the hub&#39;s name"),
        ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ({"name": "\u200b\u200d\ufeff"}, "Enter the hub&#39;s name"),
    ],
)
def test_bad_new_hub_shows_errors_and_saves_nothing(app, signed_in, data, message):
    client = signed_in(ADMIN)
    before = count(app, Hub)
    response = submit(client, "/admin/hubs/new", {"name": "Eastfield", "slug": "eastfield", **data})
    assert_problem(response, message)
    assert count(app, Hub) == before


def test_manager_cannot_add_a_hub(app, signed_in):
    client = signed_in(MANAGER)
    assert client.get("/admin/hubs/new").status_code == 403
    token_page = "/admin/hubs/riverside"  # any manage page, for a CSRF token
    response = submit(client, token_page, {"name": "Mine", "slug": "mine"}, "/admin/hubs/new")
    assert response.status_code == 403
    assert hub_id(app, "mine") is None


def test_manager_sees_only_their_hubs(signed_in):
    page = signed_in(MANAGER).get("/admin/hubs").text
    assert "Riverside Family Hub" in page
    assert "Northgate Family Hub" not in page
    assert "Add a hub" not in page


def test_other_staff_cannot_use_manage_pages(signed_in):
    client = signed_in(LEAD)
    for page in ("/admin/hubs", "/admin/categories", "/admin/staff", "/admin/staff/new"):
        assert client.get(page).status_code == 403, page


def test_manager_edits_hub_settings(app, signed_in):
    client = signed_in(MANAGER)
    page = client.get("/admin/hubs/riverside").text
    assert 'value="24, 2"' in page  # the defaults, shown as typed
    response = submit(client, "/admin/hubs/riverside", HUB_SETTINGS)
    assert response.status_code == 302
    with database(app) as session:
        hub = session.scalar(select(Hub).where(Hub.slug == "riverside"))
        settings = hub.settings
        assert hub.address == "12 Mill Lane"
    assert settings.greeting_escalation_minutes == 7
    assert settings.kiosk_idle_seconds == 90
    assert settings.retention_months == 24
    assert settings.checkin_early_minutes == 30
    assert settings.connection_chase_working_days == 5
    assert settings.waiting_list_fill_gaps is False
    assert settings.reminder_hours == (48, 2)
    assert settings.languages == ("en",)  # not on the form, so left alone


def test_invalid_settings_show_errors_and_change_nothing(app, signed_in):
    client = signed_in(MANAGER)
    bad = {
        **HUB_SETTINGS,
        "greeting_escalation_minutes": "0",
        "kiosk_idle_seconds": "ten",
        "retention_months": "85",
        "checkin_early_minutes": "",
        "reminder_hours": "24, 200",
    }
    response = submit(client, "/admin/hubs/riverside", bad)
    assert_problem(
        response,
        "Greeting time must be between 1 and 60",
        "Kiosk reset time must be a whole number",
        "Time to keep records must be between 1 and 84",
        "Enter the earliest check-in time",
        "Reminder times must be up to 5 whole numbers of hours from 1 to 168",
    )
    with database(app) as session:
        hub = session.scalar(select(Hub).where(Hub.slug == "riverside"))
        assert hub.settings_json == {}
        assert hub.address.startswith("12 Mill Lane, Riverside")


def test_reminder_hours_must_be_numbers(signed_in):
    client = signed_in(MANAGER)
    response = submit(client, "/admin/hubs/riverside", {**HUB_SETTINGS, "reminder_hours": "a day"})
    assert_problem(response, "Reminder times must be up to 5 whole numbers")


def test_manager_cannot_edit_another_hub(app, signed_in):
    client = signed_in(MANAGER)
    assert client.get("/admin/hubs/northgate").status_code == 403
    response = submit(client, "/admin/hubs/riverside", HUB_SETTINGS, "/admin/hubs/northgate")
    assert response.status_code == 403
    with database(app) as session:
        assert session.scalar(select(Hub.settings_json).where(Hub.slug == "northgate")) == {}


# --- rooms --------------------------------------------------------------------------------


def test_manager_adds_a_room(app, signed_in):
    client = signed_in(MANAGER)
    data = {"name": "Garden room", "capacity": "25", "description": "Doors to the garden"}
    response = submit(client, "/admin/hubs/riverside/rooms/new", data)
    assert response.status_code == 302
    with database(app) as session:
        room = session.scalar(select(Room).where(Room.name == "Garden room"))
        assert (room.capacity, room.description, room.active) == (25, "Doors to the garden", True)
        assert room.hub_id == hub_id(app, "riverside")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "main hall"}, "That name is already in use. Choose another"),
        ({"name": ""}, "Enter the room&#39;s name"),
        ({"capacity": "lots"}, "Capacity must be a whole number"),
        ({"capacity": "501"}, "Capacity must be between 1 and 500"),
        ({"name": "r" * 121}, "Name must be 120 characters or fewer"),
    ],
)
def test_bad_room_shows_errors_and_saves_nothing(app, signed_in, data, message):
    client = signed_in(MANAGER)
    before = count(app, Room)
    response = submit(client, "/admin/hubs/riverside/rooms/new", {"name": "Attic", **data})
    assert_problem(response, message)
    assert count(app, Room) == before


def test_same_room_name_is_fine_at_another_hub(app, signed_in):
    client = signed_in(ADMIN)
    response = submit(client, "/admin/hubs/northgate/rooms/new", {"name": "Main hall"})
    assert response.status_code == 302
    assert room_id(app, "northgate", "Main hall") is not None


def test_renaming_a_room_to_a_taken_name_is_refused(app, signed_in):
    client = signed_in(MANAGER)
    kitchen = room_id(app, "riverside", "Kitchen")
    response = submit(client, f"/admin/rooms/{kitchen}", {"name": "Quiet room", "active": "y"})
    assert_problem(response, "That name is already in use. Choose another")
    assert room_id(app, "riverside", "Kitchen") == kitchen


def test_room_names_are_stored_and_shown_literally(app, signed_in):
    client = signed_in(MANAGER)
    name = "Salle d'Été <script>alert(1)</script>"
    submit(client, "/admin/hubs/riverside/rooms/new", {"name": name})
    assert room_id(app, "riverside", name) is not None
    page = client.get("/admin/hubs").text
    assert "Salle d&#39;Été &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_unused_room_is_deleted(app, signed_in):
    client = signed_in(MANAGER)
    kitchen = room_id(app, "riverside", "Kitchen")
    response = submit(client, f"/admin/rooms/{kitchen}", {}, f"/admin/rooms/{kitchen}/delete")
    assert response.status_code == 302
    assert room_id(app, "riverside", "Kitchen") is None
    assert "Kitchen deleted" in client.get("/admin/hubs").text


def test_room_in_use_is_not_deleted(app, signed_in):
    client = signed_in(MANAGER)
    hall = room_id(app, "riverside", "Main hall")
    response = submit(client, f"/admin/rooms/{hall}", {}, f"/admin/rooms/{hall}/delete")
    assert_problem(response, "Sessions use this, so it cannot be deleted. Make it inactive instead")
    assert room_id(app, "riverside", "Main hall") == hall


def test_manager_cannot_change_another_hubs_rooms(app, signed_in):
    client = signed_in(MANAGER)
    other = room_id(app, "northgate", "Baby room")
    assert client.get(f"/admin/rooms/{other}").status_code == 403
    assert client.get("/admin/hubs/northgate/rooms/new").status_code == 403
    response = submit(client, "/admin/hubs", {}, f"/admin/rooms/{other}/delete")
    assert response.status_code == 403
    assert room_id(app, "northgate", "Baby room") == other


def test_room_can_be_made_inactive(app, signed_in):
    client = signed_in(MANAGER)
    hall = room_id(app, "riverside", "Main hall")
    response = submit(client, f"/admin/rooms/{hall}", {"name": "Main hall", "capacity": "40"})
    assert response.status_code == 302
    with database(app) as session:
        room = session.get(Room, hall)
        assert (room.active, room.capacity) == (False, 40)


def test_a_duplicate_saved_a_moment_earlier_is_an_error_not_a_crash(app, demo, monkeypatch):
    from frontdoor import hubs

    # As if a colleague saved "Main hall" between our check and our save.
    monkeypatch.setattr(hubs, "_check_room", lambda hub_id, name, capacity, room_id: name)
    with database(app) as session:
        riverside = session.scalar(select(Hub).where(Hub.slug == "riverside"))
        with pytest.raises(ServiceError) as refused:
            hubs.create_room(riverside, name="Main hall")
        assert (refused.value.code, refused.value.field) == ("duplicate_name", "name")
        assert session.scalar(select(func.count()).where(Room.name == "Main hall")) == 1


# --- categories ---------------------------------------------------------------------------


def test_manager_adds_a_category(app, signed_in):
    client = signed_in(MANAGER)
    response = submit(
        client, "/admin/categories/new", {"name": "Speech and language", "icon": "speech"}
    )
    assert response.status_code == 302
    page = client.get("/admin/categories").text
    assert "Speech and language added" in page
    with database(app) as session:
        category = session.scalar(
            select(ServiceCategory).where(ServiceCategory.name == "Speech and language")
        )
        assert category.icon == "speech"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "STAY AND PLAY"}, "That name is already in use. Choose another"),
        ({"name": ""}, "Enter the category&#39;s name"),
        ({"icon": "Not an icon"}, "Icon can only contain lowercase letters"),
    ],
)
def test_bad_category_shows_errors_and_saves_nothing(app, signed_in, data, message):
    client = signed_in(MANAGER)
    before = count(app, ServiceCategory)
    response = submit(client, "/admin/categories/new", {"name": "Speech", **data})
    assert_problem(response, message)
    assert count(app, ServiceCategory) == before


def test_category_in_use_is_not_deleted(app, signed_in):
    client = signed_in(MANAGER)
    with database(app) as session:
        used = session.scalar(select(SessionSeries.category_id).limit(1))
    response = submit(client, "/admin/categories", {}, f"/admin/categories/{used}/delete")
    assert_problem(response, "Sessions use this, so it cannot be deleted. Make it inactive instead")
    with database(app) as session:
        assert session.get(ServiceCategory, used) is not None


def test_unused_category_is_deleted(app, signed_in):
    client = signed_in(MANAGER)
    with database(app) as session:
        unused = session.scalar(
            select(ServiceCategory.id).where(ServiceCategory.name == "Wellbeing")
        )
    response = submit(client, "/admin/categories", {}, f"/admin/categories/{unused}/delete")
    assert response.status_code == 302
    with database(app) as session:
        assert session.get(ServiceCategory, unused) is None


def test_category_can_be_renamed_and_made_inactive(app, signed_in):
    client = signed_in(MANAGER)
    with database(app) as session:
        youth = session.scalar(select(ServiceCategory.id).where(ServiceCategory.name == "Youth"))
    response = submit(client, f"/admin/categories/{youth}", {"name": "Young people", "icon": ""})
    assert response.status_code == 302
    with database(app) as session:
        category = session.get(ServiceCategory, youth)
        assert (category.name, category.icon, category.active) == ("Young people", "", False)


# --- staff --------------------------------------------------------------------------------


def test_manager_adds_staff_with_roles_and_a_password_shown_once(app, signed_in):
    client = signed_in(MANAGER)
    riverside = hub_id(app, "riverside")
    page = client.get("/admin/staff/new").text
    assert "Roles at Riverside Family Hub" in page
    assert "Northgate" not in page
    assert "Council admin" not in page
    response = submit(
        client,
        "/admin/staff/new",
        {
            "name": "Chloé O'Neill",
            "email": "Chloe@Riverside.example",
            f"roles_{riverside}": ["session_lead", "reception"],
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert len(password) >= 10

    with database(app) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == "chloe@riverside.example"))
        assert user.name == "Chloé O'Neill"
        assert user.roles_at(riverside) == {Role.SESSION_LEAD, Role.RECEPTION}
        assert user.hub_ids() == {riverside}
    (event,) = audit_events(app, "staff.create")
    assert event.staff_id == staff_id(app, MANAGER)
    assert (event.hub_id, event.subject_type) == (riverside, "staff_user")
    assert event.subject_id == user.id
    assert "Session lead at Riverside Family Hub" in event.detail
    assert password not in event.detail

    newcomer = app.test_client()
    sign_in(newcomer, "chloe@riverside.example", password)
    # Signed in, and asked first to replace the password the manager saw.
    assert newcomer.get("/admin/").headers["Location"] == "/admin/account/password"
    assert "Chloé O&#39;Neill" in client.get("/admin/staff").text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "LEAD@riverside.example"}, "A staff account with that email already exists"),
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"email": ""}, "Enter their email address"),
        ({"name": ""}, "Enter their full name"),
        ({"name": "n" * 201}, "Full name must be 200 characters or fewer"),
        ({"roles_999": ["manager"]}, None),  # a hub not on the form is ignored
    ],
)
def test_bad_new_staff_shows_errors_and_saves_nothing(app, signed_in, data, message):
    client = signed_in(MANAGER)
    before = count(app, StaffUser)
    response = submit(
        client, "/admin/staff/new", {"name": "New Person", "email": "new@x.example", **data}
    )
    if message is None:
        assert response.status_code == 200
        with database(app) as session:
            user = session.scalar(select(StaffUser).where(StaffUser.email == "new@x.example"))
            assert user.roles == []
        return
    assert_problem(response, message)
    assert count(app, StaffUser) == before


def test_a_role_box_that_was_not_offered_is_refused(app, signed_in):
    client = signed_in(MANAGER)
    riverside = hub_id(app, "riverside")
    response = submit(
        client,
        "/admin/staff/new",
        {"name": "New", "email": "new@x.example", f"roles_{riverside}": ["admin"]},
    )
    assert_problem(response, "Choose only from the roles shown")
    assert staff_id(app, "new@x.example") is None


def test_only_a_council_admin_can_give_the_admin_role(app, signed_in):
    client = signed_in(MANAGER)
    submit(
        client,
        "/admin/staff/new",
        {"name": "Sneaky", "email": "sneaky@x.example", "council_admin": "y"},
    )
    with database(app) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == "sneaky@x.example"))
        assert not user.is_admin()


def test_admin_gives_the_admin_role(app, signed_in):
    client = signed_in(ADMIN)
    assert "Council admin" in client.get("/admin/staff/new").text
    submit(
        client,
        "/admin/staff/new",
        {"name": "Second Admin", "email": "admin2@council.example", "council_admin": "y"},
    )
    with database(app) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == "admin2@council.example"))
        assert user.is_admin()


def test_staff_list_shows_the_managers_hubs_only(signed_in):
    page = signed_in(MANAGER).get("/admin/staff").text
    assert "Grace Okafor" in page
    assert "Session lead at Riverside Family Hub" in page
    assert "Megan Price" not in page  # Northgate's lead
    assert "Alex Morgan" not in page  # the council admin


def test_admin_sees_all_staff(signed_in):
    page = signed_in(ADMIN).get("/admin/staff").text
    for name in ("Grace Okafor", "Megan Price", "Alex Morgan"):
        assert name in page


def test_manager_of_riverside_cannot_change_northgate_staff(app, signed_in):
    client = signed_in(MANAGER)
    other = staff_id(app, NORTHGATE_LEAD)
    assert client.get(f"/admin/staff/{other}").status_code == 403
    response = submit(client, "/admin/staff", {"name": "Renamed"}, f"/admin/staff/{other}")
    assert response.status_code == 403
    response = submit(client, "/admin/staff", {}, f"/admin/staff/{other}/password")
    assert response.status_code == 403
    with database(app) as session:
        assert session.get(StaffUser, other).name == "Megan Price"


def test_manager_cannot_change_a_council_admin(app, signed_in):
    client = signed_in(MANAGER)
    assert client.get(f"/admin/staff/{staff_id(app, ADMIN)}").status_code == 403


def test_editing_keeps_roles_at_other_hubs(app, signed_in):
    riverside, northgate = hub_id(app, "riverside"), hub_id(app, "northgate")
    with database(app) as session:
        organisation = session.scalar(select(Hub.organisation_id).where(Hub.id == riverside))
        both = create_staff(
            organisation_id=organisation,
            email="both@x.example",
            name="Bo Th",
            password=DEMO_PASSWORD,
            roles=[(riverside, Role.PRACTITIONER), (northgate, Role.SESSION_LEAD)],
        )
        session.commit()
        both_id = both.id
    client = signed_in(MANAGER)
    response = submit(
        client,
        f"/admin/staff/{both_id}",
        {"name": "Bo Thomas", f"roles_{riverside}": ["reception"], "active": "y"},
    )
    assert response.status_code == 302
    with database(app) as session:
        user = session.get(StaffUser, both_id)
        assert user.name == "Bo Thomas"
        assert user.roles_at(riverside) == {Role.RECEPTION}
        assert user.roles_at(northgate) == {Role.SESSION_LEAD}
    (event,) = audit_events(app, "staff.update")
    assert event.subject_id == both_id
    assert event.hub_id == riverside
    assert "Name changed from Bo Th to Bo Thomas" in event.detail


def test_deactivating_someone_ends_their_session(app, signed_in):
    colleague = app.test_client()
    sign_in(colleague, PRACTITIONER)
    assert colleague.get("/admin/").status_code == 200

    manager = signed_in(MANAGER)
    practitioner = staff_id(app, PRACTITIONER)
    riverside = hub_id(app, "riverside")
    response = submit(
        manager,
        f"/admin/staff/{practitioner}",
        {"name": "Sam Kowalski", f"roles_{riverside}": ["practitioner"]},
    )
    assert response.status_code == 302

    response = colleague.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")
    assert "Deactivated" in manager.get("/admin/staff").text
    (event,) = audit_events(app, "staff.deactivate")
    assert (event.staff_id, event.subject_id) == (staff_id(app, MANAGER), practitioner)
    with database(app) as session:
        assert (
            session.scalar(
                select(func.count()).where(
                    StaffLogin.user_id == practitioner, StaffLogin.ended_at.is_(None)
                )
            )
            == 0
        )


def test_nobody_deactivates_themselves(app, signed_in):
    client = signed_in(MANAGER)
    me = staff_id(app, MANAGER)
    riverside = hub_id(app, "riverside")
    response = submit(
        client, f"/admin/staff/{me}", {"name": "Priya Shah", f"roles_{riverside}": ["manager"]}
    )
    assert_problem(response, "You cannot deactivate your own account")
    with database(app) as session:
        assert session.get(StaffUser, me).active
    assert client.get("/admin/").status_code == 200


def test_manager_cannot_remove_their_own_manager_role(app, signed_in):
    client = signed_in(MANAGER)
    me = staff_id(app, MANAGER)
    response = submit(client, f"/admin/staff/{me}", {"name": "Priya Shah", "active": "y"})
    assert_problem(response, "You cannot remove your own manager or council admin role")
    with database(app) as session:
        assert Role.MANAGER in session.get(StaffUser, me).roles_at(hub_id(app, "riverside"))


def test_password_reset_ends_sessions_and_the_new_password_works(app, signed_in):
    colleague = app.test_client()
    sign_in(colleague, PRACTITIONER)
    manager = signed_in(MANAGER)
    practitioner = staff_id(app, PRACTITIONER)

    response = submit(
        manager, f"/admin/staff/{practitioner}", {}, f"/admin/staff/{practitioner}/password"
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)

    assert colleague.get("/admin/").status_code == 302
    old = submit(colleague, "/admin/sign-in", {"email": PRACTITIONER, "password": DEMO_PASSWORD})
    assert "Enter a correct email address and password" in old.text
    sign_in(colleague, PRACTITIONER, password)
    assert colleague.get("/admin/").headers["Location"] == "/admin/account/password"

    (event,) = audit_events(app, "staff.reset_password")
    assert (event.staff_id, event.subject_id) == (staff_id(app, MANAGER), practitioner)
    assert password not in event.detail


def test_manager_can_still_change_someone_they_added_without_roles(app, signed_in):
    client = signed_in(MANAGER)
    submit(client, "/admin/staff/new", {"name": "No Roles", "email": "none@x.example"})
    added = staff_id(app, "none@x.example")
    assert client.get(f"/admin/staff/{added}").status_code == 200
    assert "No Roles" in client.get("/admin/staff").text
    other = signed_in("manager@northgate.example")
    assert other.get(f"/admin/staff/{added}").status_code == 403


# --- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "expired-or-forged"])
def test_missing_or_bad_csrf_token_gives_a_plain_400_and_saves_nothing(app, signed_in, token):
    client = signed_in(MANAGER)
    data = {"name": "Sneaky category"}
    if token:
        data["csrf_token"] = token
    response = client.post("/admin/categories/new", data=data)
    assert response.status_code == 400
    assert "Your form had expired" in response.text
    assert "Traceback" not in response.text
    with database(app) as session:
        assert (
            session.scalar(select(ServiceCategory).where(ServiceCategory.name == "Sneaky category"))
            is None
        )
