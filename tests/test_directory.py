"""The directory of partner services: a service nobody has checked for six months
(a council setting) is flagged to managers and never shown to families; managers
keep partners and services on their pages, every change audited; each quarter a
partner's contact gets a signed link to confirm or correct their services."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from directory.partner_checks import ask_partners_to_check, check_link, quarter_of
from directory.services import (
    PartnerDetails,
    ServiceDetails,
    add_partner,
    add_service,
    due_from,
    is_due,
    services_for_families,
)
from frontdoor import clock
from frontdoor.clock import LONDON
from frontdoor.contact import normalise_phone
from frontdoor.demo import load_demo
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    CouncilSettings,
    Hub,
    Organisation,
    OutboxMessage,
    Partner,
    PartnerService,
    StaffUser,
)
from frontdoor.outbox import Links, render_message
from frontdoor.tokens import make_timed_token
from tests.conftest import DEMO_PASSWORD, csrf_from, sign_in

NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)  # a Wednesday
LINKS = Links("https://hub.example", "test-secret-key")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def council(app):
    """The demo council, loaded under a frozen clock."""
    clock.freeze(NOW)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def manager(app, client, council):
    sign_in(client, "manager@riverside.example")
    return client


def _council_id() -> int:
    return db.session.scalar(select(Organisation.id))


def _staff_id(email: str = "manager@riverside.example") -> int:
    return db.session.scalar(select(StaffUser.id).filter_by(email=email))


def _new_service(checked_at: datetime | None, name: str = "Toddler football") -> PartnerService:
    partner = db.session.scalar(select(Partner).order_by(Partner.id))
    service = add_service(
        partner,
        ServiceDetails(name=name, topic="wellbeing", address="Riverside Park"),
        now=checked_at or NOW,
        staff_id=_staff_id(),
        staff_name="Priya Shah",
    )
    service.last_checked_at = checked_at
    db.session.flush()
    return service


def _family_names(at: datetime) -> set[str]:
    return {s.name for s in services_for_families(_council_id(), at)}


# --- the due rule -----------------------------------------------------------------------------


def test_a_service_checked_on_7_june_is_due_from_the_start_of_7_december(app, council):
    with app.app_context():
        service = _new_service(london(2027, 6, 7, 15, 30))
        the_day_before = london(2027, 12, 6, 23, 59)
        the_day = london(2027, 12, 7, 0, 0)
        assert not is_due(service, the_day_before, 6)
        assert is_due(service, the_day, 6)
        # Families are told the same: shown on the 6th, gone on the 7th.
        assert "Toddler football" in _family_names(the_day_before)
        assert "Toddler football" not in _family_names(the_day)


def test_due_services_are_never_shown_to_families(app, council):
    with app.app_context():
        _new_service(NOW - timedelta(days=200), "Checked long ago")
        _new_service(None, "Never checked")
        _new_service(NOW - timedelta(days=3), "Checked this week")
        shown = _family_names(NOW)
        assert "Checked this week" in shown
        assert "Checked long ago" not in shown
        assert "Never checked" not in shown
        # The demo's own due services too (Housing advice was checked 230 days ago).
        assert "Housing advice" not in shown and "Warm homes advice" not in shown
        assert "Money and debt advice" in shown


def test_a_closed_service_or_an_inactive_partner_is_not_shown_to_families(app, council):
    with app.app_context():
        closed = _new_service(NOW, "Closed for the summer")
        closed.status = "temporarily closed"
        food_bank = db.session.scalar(select(Partner).filter_by(name="Northgate Food Bank"))
        food_bank.active = False
        db.session.flush()
        shown = _family_names(NOW)
        assert "Closed for the summer" not in shown
        assert "Emergency food parcels" not in shown


def test_the_council_can_ask_for_checks_every_three_months(app, council):
    with app.app_context():
        service = _new_service(NOW - timedelta(days=100), "Checked 100 days ago")
        assert not is_due(service, NOW, CouncilSettings().directory_check_months)
        council_row = db.session.get(Organisation, _council_id())
        council_row.settings = CouncilSettings(directory_check_months=3)
        db.session.flush()
        assert "Checked 100 days ago" not in _family_names(NOW)


# --- the managers' pages ----------------------------------------------------------------------


def _form(client, url: str, data: dict, page: str | None = None):
    token = csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


SERVICE = {
    "name": "Dads' breakfast",
    "topic": "family",
    "description": "Bacon rolls & a chat <b>for dads</b>",
    "status": "active",
    "minimum_age": "0",
    "maximum_age": "5",
    "languages": "en, PL",
    "free": "y",
    "hub_id": "",
    "address": "The Old Library, RV1 3CD",
    "schedule_description": "Saturdays 9am",
    "application_process": "Just come along",
}


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def test_a_manager_adds_a_partner_and_a_service_and_both_are_audited(app, manager):
    response = _form(
        manager,
        "/admin/directory/partners/new",
        {
            "name": "Riverside Dads",
            "website": "dads.example.org",
            "contact_name": "Tom Lee",
            "contact_email": "Tom@Dads.example.org",
            "contact_phone": "01632 960 555",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        partner = db.session.scalar(select(Partner).filter_by(name="Riverside Dads"))
        assert partner.website == "https://dads.example.org"
        assert partner.contact_email == "Tom@dads.example.org"
        partner_id = partner.id
        assert [e.subject_id for e in _audit("partner.add")] == [partner_id]
    url = f"/admin/directory/partners/{partner_id}/services/new"
    assert _form(manager, url, SERVICE).status_code == 302
    with app.app_context():
        service = db.session.scalar(select(PartnerService).filter_by(name="Dads' breakfast"))
        assert service.languages == ["en", "pl"]
        assert (service.minimum_age, service.maximum_age) == (0, 5)
        assert service.last_checked_at == NOW and service.last_checked_by == "Priya Shah"
        assert [e.subject_id for e in _audit("partner_service.add")] == [service.id]
        assert _audit("partner_service.add")[0].staff_id == _staff_id()


def test_changing_a_service_is_audited_but_does_not_count_as_checking_it(app, manager):
    with app.app_context():
        service = _new_service(NOW - timedelta(days=300), "Stale group")
        db.session.commit()
        service_id = service.id
    url = f"/admin/directory/services/{service_id}"
    response = _form(manager, url, {**SERVICE, "name": "Fresh group"})
    assert response.status_code == 302
    with app.app_context():
        service = db.session.get(PartnerService, service_id)
        assert service.name == "Fresh group"
        assert service.last_checked_at == NOW - timedelta(days=300)
        (event,) = _audit("partner_service.change")
        assert event.subject_id == service_id and "name" in event.detail


def test_mark_as_checked_records_who_and_when_and_shows_it_to_families_again(app, manager):
    with app.app_context():
        service_id = _new_service(NOW - timedelta(days=300), "Stale group").id
        db.session.commit()
    page = manager.get(f"/admin/directory/services/{service_id}").get_data(as_text=True)
    assert "Due for checking" in page
    clock.freeze(NOW + timedelta(minutes=20))  # later, and still signed in (idle < 30 minutes)
    response = _form(
        manager,
        f"/admin/directory/services/{service_id}/checked",
        {},
        page=f"/admin/directory/services/{service_id}",
    )
    assert response.status_code == 302
    with app.app_context():
        service = db.session.get(PartnerService, service_id)
        assert service.last_checked_at == NOW + timedelta(minutes=20)
        assert service.last_checked_by == "Priya Shah"
        (event,) = _audit("partner_service.checked")
        assert event.staff_id == _staff_id() and event.subject_id == service_id
        assert "Stale group" in _family_names(clock.now())


def test_managers_can_list_only_the_services_due_for_checking_and_by_topic(manager):
    due = manager.get("/admin/directory?due=1").get_data(as_text=True)
    assert "Housing advice" in due and "Warm homes advice" in due
    assert "Money and debt advice" not in due
    feeding = manager.get("/admin/directory?topic=feeding").get_data(as_text=True)
    assert "Breastfeeding peer support group" in feeding
    assert "Youth club" not in feeding
    everything = manager.get("/admin/directory").get_data(as_text=True)
    assert "6 services are due for checking" in everything


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"minimum_age": "12", "maximum_age": "5"}, "The oldest age must be the same as or older"),
        ({"languages": "en, english"}, "Enter language codes like en, pl or ur (english is"),
        ({"free": "", "fees_description": ""}, "Say what it costs, or choose free"),
        ({"address": "", "hub_id": ""}, "Enter an address, choose a hub or say it is online"),
        ({"topic": "in_person"}, "Not a valid choice"),
    ],
)
def test_a_refused_service_is_not_saved_and_the_manager_is_told_why(app, manager, typed, said):
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id).order_by(Partner.id))
    url = f"/admin/directory/partners/{partner_id}/services/new"
    response = _form(manager, url, {**SERVICE, **typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert said in page
    assert 'value="Dads&#39; breakfast"' in page  # what was typed stays
    with app.app_context():
        assert not db.session.scalar(select(PartnerService).filter_by(name="Dads' breakfast"))


def test_html_typed_into_a_description_is_shown_as_text(app, manager):
    with app.app_context():
        partner_id = db.session.scalar(select(Partner.id).order_by(Partner.id))
    description = '<script>alert("hi")</script> <b>Bold</b>'
    url = f"/admin/directory/partners/{partner_id}/services/new"
    assert _form(manager, url, {**SERVICE, "description": description}).status_code == 302
    with app.app_context():
        service = db.session.scalar(select(PartnerService).filter_by(name="Dads' breakfast"))
        assert service.description == description  # kept as typed
        service_id = service.id
    page = manager.get(f"/admin/directory/services/{service_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>Bold</b>" not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt;" in page
    partner_page = _partner_page(app, partner_id)
    assert "<script>alert" not in partner_page and "&lt;b&gt;Bold&lt;/b&gt;" in partner_page


# --- phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07700 900 982", "+447700900982"),
        ("+44 7700 900982", "+447700900982"),
        ("01632 960 001", "01632 960 001"),
        ("(01632) 960-001", "(01632) 960-001"),
        ("+44 (0)1632 960001", "+44 (0)1632 960001"),
        ("0800.123.4567 ext 12", "0800.123.4567 ext 12"),
        ("  0808   223 1133 ", "0808 223 1133"),
        ("", ""),
    ],
)
def test_a_partner_phone_number_is_taken_in_any_format_people_write(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.parametrize("typed", ["call me", "12345", "0163296000112345678", "01632 960 00a"])
def test_text_that_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ServiceError) as refused:
        normalise_phone(typed, field="contact_phone")
    assert (refused.value.code, refused.value.field) == ("invalid_phone", "contact_phone")


def test_a_partner_with_a_bad_phone_number_is_not_saved(app, council):
    with app.app_context(), pytest.raises(ServiceError) as refused:
        add_partner(
            _council_id(),
            PartnerDetails(name="Club", contact_email="a@example.org", contact_phone="ring us"),
            staff_id=_staff_id(),
        )
    assert refused.value.code == "invalid_phone"


# --- the partner's own check ------------------------------------------------------------------


def _link_path(partner_id: int, quarter: str = "2027-Q1") -> str:
    return check_link(LINKS, partner_id, quarter).removeprefix(LINKS.base_url)


def _partner_page(app, partner_id: int) -> str:
    with app.test_client() as partner:
        return partner.get(_link_path(partner_id)).get_data(as_text=True)


def _food_bank(app) -> tuple[int, list[int]]:
    with app.app_context():
        partner = db.session.scalar(select(Partner).filter_by(name="Northgate Food Bank"))
        return partner.id, [s.id for s in partner.services]


def test_a_partner_confirms_their_services_from_the_link_without_an_account(app, council):
    partner_id, service_ids = _food_bank(app)
    partner = app.test_client()
    path = _link_path(partner_id)
    page = partner.get(path).get_data(as_text=True)
    assert "Emergency food parcels" in page and "Holiday lunch club" in page
    assert "Everything is still right" in page
    clock.freeze(NOW + timedelta(days=2))
    response = partner.post(path, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 200
    assert "Your services are marked as checked today" in response.get_data(as_text=True)
    with app.app_context():
        for service_id in service_ids:
            service = db.session.get(PartnerService, service_id)
            assert service.last_checked_at == NOW + timedelta(days=2)
            assert service.last_checked_by == "the partner"
        events = _audit("partner_service.checked")
        assert {e.subject_id for e in events} == set(service_ids)
        assert all(e.staff_id is None for e in events)
        # The Holiday lunch club was due (checked 200 days ago): families see it again.
        assert "Holiday lunch club" in _family_names(clock.now())


def test_answering_twice_confirms_again(app, council):
    partner_id, service_ids = _food_bank(app)
    partner = app.test_client()
    path = _link_path(partner_id)
    for days in (1, 5):
        clock.freeze(NOW + timedelta(days=days))
        token = csrf_from(partner.get(path).get_data(as_text=True))
        assert partner.post(path, data={"csrf_token": token}).status_code == 200
    with app.app_context():
        service = db.session.get(PartnerService, service_ids[0])
        assert service.last_checked_at == NOW + timedelta(days=5)


def test_a_partner_corrects_a_service_and_the_correction_is_applied_and_audited(app, council):
    partner_id, service_ids = _food_bank(app)
    partner = app.test_client()
    url = f"{_link_path(partner_id)}/services/{service_ids[0]}"
    page = partner.get(url).get_data(as_text=True)
    assert "Three days of nutritionally balanced food" in page  # the form starts filled in
    clock.freeze(NOW + timedelta(days=1))
    response = partner.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "description": "Five days of food.",
            "eligibility_description": "Anyone in crisis.",
            "schedule_description": "Tuesdays only, 10am to 1pm",
            "address": "",
            "application_process": "Ask hub staff for a voucher.",
            "fees_description": "",
        },
    )
    assert response.status_code == 200
    assert "Your corrections to Emergency food parcels are saved" in response.get_data(as_text=True)
    with app.app_context():
        service = db.session.get(PartnerService, service_ids[0])
        assert service.description == "Five days of food."
        assert service.schedule_description == "Tuesdays only, 10am to 1pm"
        assert service.hub is not None and service.hub.slug == "northgate"  # kept
        assert service.last_checked_by == "the partner"
        assert service.last_checked_at == NOW + timedelta(days=1)
        (change,) = _audit("partner_service.change")
        assert change.staff_id is None and "description" in change.detail
        assert "the partner" in change.detail


def test_a_tampered_link_gets_plain_words(app, council):
    partner_id, _ = _food_bank(app)
    path = _link_path(partner_id)
    response = app.test_client().get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    # A link made for another purpose (a family's "stop reminders") opens nothing here.
    other = make_timed_token("test-secret-key", "frontdoor.stop-reminders", partner_id, "2027-Q1")
    assert app.test_client().get(f"/partners/check/{other}").status_code == 404


def test_an_expired_link_gets_plain_words_and_changes_nothing(app, council):
    partner_id, service_ids = _food_bank(app)
    partner = app.test_client()
    path = _link_path(partner_id)
    token = csrf_from(partner.get(path).get_data(as_text=True))
    clock.freeze(NOW + timedelta(days=30, seconds=1))
    response = partner.post(path, data={"csrf_token": token})
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PartnerService, service_ids[0]).last_checked_at < NOW


def test_a_link_still_works_on_its_thirtieth_day(app, council):
    partner_id, _ = _food_bank(app)
    path = _link_path(partner_id)
    clock.freeze(NOW + timedelta(days=30))
    assert app.test_client().get(path).status_code == 200


# --- the quarterly email ----------------------------------------------------------------------


def _checks(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).filter_by(template="partner_check")))


def test_each_partner_is_emailed_once_a_quarter_however_often_the_job_runs(app, council):
    with app.app_context():
        partners = db.session.scalar(select(func.count(Partner.id)))
        assert ask_partners_to_check(NOW) == partners
        db.session.commit()
        assert ask_partners_to_check(NOW) == 0
        assert ask_partners_to_check(NOW + timedelta(days=20)) == 0  # still March: Q1
        db.session.commit()
    first = _checks(app)
    assert len(first) == partners
    assert {m.recipient.split("@")[1].endswith("example.org") for m in first} == {True}
    with app.app_context():
        april = london(2027, 4, 1, 9, 0)
        assert quarter_of(april) == "2027-Q2"
        assert ask_partners_to_check(april) == partners
        db.session.commit()
    assert len(_checks(app)) == 2 * partners


def test_an_inactive_partner_or_one_with_no_services_is_not_emailed(app, council):
    with app.app_context():
        db.session.scalar(select(Partner).filter_by(name="Northgate Food Bank")).active = False
        db.session.add(
            Partner(organisation_id=_council_id(), name="New club", contact_email="c@example.org")
        )
        db.session.flush()
        ask_partners_to_check(NOW)
        db.session.commit()
    names = {m.payload["partner"] for m in _checks(app)}
    assert "Northgate Food Bank" not in names and "New club" not in names
    assert "Citizens Advice Riverside" in names


def test_the_email_names_the_services_and_its_link_opens_the_partners_page(app, council):
    with app.app_context():
        ask_partners_to_check(NOW)
        db.session.commit()
        message = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.payload["partner"].as_string() == "Home-Start Riverside and Northgate"
            )
        )
        words = render_message(message, LINKS)
    assert "Home-visiting volunteers" in words.body and "Hello Jenny Clarke," in words.body
    link = re.search(r"https://hub\.example(/partners/check/\S+)", words.body)
    assert link
    page = app.test_client().get(link[1])
    assert page.status_code == 200 and "Family group" in page.get_data(as_text=True)


# --- the demo council -------------------------------------------------------------------------


def test_the_demo_council_has_about_30_services_across_both_hubs_some_due(app, council):
    with app.app_context():
        services = db.session.scalars(select(PartnerService)).all()
        assert 28 <= len(services) <= 35
        hubs = {s.hub.slug for s in services if s.hub}
        assert hubs == {"riverside", "northgate"}
        assert any(s.online for s in services)
        due = [s for s in services if is_due(s, NOW, 6)]
        assert 3 <= len(due) <= 8
        emails = {p.contact_email for p in db.session.scalars(select(Partner))}
        assert all(e.endswith("example.org") for e in emails)
        assert load_demo(password=DEMO_PASSWORD, today=clock.today()) is False
        assert db.session.scalar(select(func.count(PartnerService.id))) == len(services)
        assert db.session.scalar(select(func.count(Hub.id))) == 2


@pytest.mark.parametrize(
    ("checked", "due"),
    [
        (london(2027, 6, 7, 15, 30), london(2027, 12, 7)),
        (london(2027, 8, 31, 9, 0), london(2028, 3, 1)),  # no 31 February: due on 1 March
        (
            london(2027, 3, 31, 23, 30),
            london(2027, 10, 1),
        ),  # late at night, after the clocks change
    ],
)
def test_managers_are_told_the_first_day_a_service_will_be_due(app, council, checked, due):
    with app.app_context():
        service = _new_service(checked)
        assert due_from(service, 6) == due.date()
        assert is_due(service, due, 6)
        assert not is_due(service, due - timedelta(minutes=1), 6)


def test_a_council_admin_changes_how_often_services_are_checked_and_it_is_audited(
    app, client, council
):
    sign_in(client, "admin@council.example")
    response = _form(
        client, "/admin/directory/check-every", {"directory_check_months": "3"}, "/admin/directory"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, _council_id()).settings.directory_check_months == 3
        (event,) = _audit("council.settings")
        assert "after 3 months (was 6)" in event.detail
    page = client.get("/admin/directory").get_data(as_text=True)
    assert "not checked for 3 months is due" in page


def test_a_hub_manager_cannot_change_how_often_services_are_checked(app, manager):
    response = _form(
        manager, "/admin/directory/check-every", {"directory_check_months": "1"}, "/admin/directory"
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Organisation, _council_id()).settings.directory_check_months == 6


def test_a_correction_that_would_leave_a_service_nowhere_is_refused_and_checks_nothing(
    app, council
):
    with app.app_context():
        service = db.session.scalar(select(PartnerService).filter_by(name="Mini kickers"))
        partner_id, service_id, checked = service.partner_id, service.id, service.last_checked_at
    partner = app.test_client()
    url = f"{_link_path(partner_id)}/services/{service_id}"
    page = partner.get(url).get_data(as_text=True)
    response = partner.post(url, data={"csrf_token": csrf_from(page), "address": ""})
    assert response.status_code == 400
    assert "Enter an address, choose a hub or say it is online" in response.get_data(as_text=True)
    with app.app_context():
        service = db.session.get(PartnerService, service_id)
        assert service.address.startswith("Riverside Park pavilion")
        assert service.last_checked_at == checked
        assert not _audit("partner_service.change")
