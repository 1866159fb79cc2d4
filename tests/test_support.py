"""Find support on the booking site: a family picks a topic and sees the council's
checked services for it, and each service has a public page (the page a QR code or
a shared link opens). A service due for checking is never shown, on either page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.services import is_due
from frontdoor.extensions import db
from frontdoor.models import Partner, PartnerService
from tests.test_directory import NOW, council  # noqa: F401  (a fixture)

# Every test here runs in the demo council, under the directory tests' frozen clock.
pytestmark = pytest.mark.usefixtures("council")


def _services(app) -> list[PartnerService]:
    with app.app_context():
        services = db.session.scalars(select(PartnerService).order_by(PartnerService.id)).all()
        for service in services:
            service.partner  # noqa: B018  (loaded while the session is open)
        db.session.expunge_all()
        return list(services)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_family_sees_only_checked_services_for_the_topic_they_chose(app, client):
    services = _services(app)
    for topic in {s.topic for s in services}:
        page = _page(client, f"/book/riverside/support?topic={topic}")
        for service in services:
            shown = service.topic == topic and not is_due(service, NOW, 6)
            assert (service.oruk_id in page) is shown, (topic, service.name)


def test_a_due_service_has_no_public_page_but_a_checked_one_does(app, client):
    services = _services(app)
    due = [s for s in services if is_due(s, NOW, 6)]
    checked = [s for s in services if not is_due(s, NOW, 6)]
    assert due and checked
    for service in due:
        assert client.get(f"/book/support/services/{service.oruk_id}").status_code == 404
    page = _page(client, f"/book/support/services/{checked[0].oruk_id}")
    assert checked[0].name.replace("'", "&#39;") in page


def test_the_service_page_shows_what_it_publishes_for_families_and_not_the_partners_contact(
    app, client
):
    with app.app_context():
        service = db.session.scalar(
            select(PartnerService).where(PartnerService.last_checked_at.is_not(None))
        )
        service.last_checked_at = NOW
        service.application_process = "Ring & ask for <b>Sam</b>"
        partner = db.session.get(Partner, service.partner_id)
        contact, reference = partner.contact_email, service.oruk_id
        db.session.commit()
    page = _page(client, f"/book/support/services/{reference}")
    assert "Ring &amp; ask for &lt;b&gt;Sam&lt;/b&gt;" in page
    assert contact not in page
    assert "How to get help from them" in page


def test_a_closed_service_or_an_unknown_id_is_not_found(app, client):
    with app.app_context():
        service = db.session.scalar(
            select(PartnerService).where(PartnerService.last_checked_at.is_not(None))
        )
        service.last_checked_at, service.status = NOW, "inactive"
        reference = service.oruk_id
        db.session.commit()
    assert client.get(f"/book/support/services/{reference}").status_code == 404
    assert client.get("/book/support/services/1").status_code == 404


def test_find_support_is_in_the_familys_language(app, client):
    page = client.get("/book/riverside/support", headers={"Accept-Language": "ar"}).get_data(
        as_text=True
    )
    assert '<html lang="ar"' in page and 'dir="rtl"' in page
    assert "Find support" not in page.split("<main", 1)[1]


def test_an_unknown_topic_shows_the_topics_again(app, client):
    page = _page(client, "/book/riverside/support?topic=<script>")
    assert "<script>" not in page
    assert "topic=money" in page


def test_whats_on_links_to_find_support(client):
    assert "/book/riverside/support" in _page(client, "/book/riverside/")


# --- on the kiosk -----------------------------------------------------------------------------


@pytest.fixture
def kiosk(app, client):
    from frontdoor.models import Hub
    from tests.test_kiosk import Screen, pair_screen

    with app.app_context():
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
    pair_screen(app, client, hub_id)
    return Screen(client)


def _a_topic_with_a_due_service(services: list[PartnerService]) -> str:
    return next(s.topic for s in services if is_due(s, NOW, 6))


def test_the_kiosk_shows_only_checked_services_for_the_topic_chosen_by_picture(app, kiosk):
    services = _services(app)
    topic = _a_topic_with_a_due_service(services)
    kiosk.start("support")
    assert "Find support" in kiosk.text and f'value="{topic}"' in kiosk.html
    kiosk.post("/kiosk/support", {"topic": topic})
    for service in services:
        shown = service.topic == topic and not is_due(service, NOW, 6)
        assert (service.oruk_id in kiosk.html) is shown, service.name
    kiosk.never_addressed(topic)


def test_a_family_takes_a_service_away_as_a_qr_code_of_its_public_page(app, kiosk, client):
    services = _services(app)
    chosen = next(s for s in services if not is_due(s, NOW, 6))
    kiosk.start("support")
    kiosk.post("/kiosk/support", {"topic": chosen.topic})
    kiosk.post("/kiosk/support/services", {"service": chosen.oruk_id})
    assert chosen.name.replace("'", "&#39;") in kiosk.html
    assert "<svg" in kiosk.html and "Take this with you" in kiosk.text
    assert chosen.partner.contact_email not in kiosk.html
    kiosk.never_addressed(chosen.oruk_id, chosen.topic)
    # The QR code's page, on a phone.
    assert chosen.name.replace("'", "&#39;") in _page(
        client, f"/book/support/services/{chosen.oruk_id}"
    )


def test_a_due_service_cannot_be_opened_on_the_kiosk_even_by_a_forged_form(app, kiosk):
    services = _services(app)
    due = next(s for s in services if is_due(s, NOW, 6))
    kiosk.start("support")
    kiosk.post("/kiosk/support", {"topic": due.topic})
    kiosk.post("/kiosk/support/services", {"service": due.oruk_id})
    assert due.name.replace("'", "&#39;") not in kiosk.html
    assert "<svg" not in kiosk.html or "Take this with you" not in kiosk.text


def test_after_a_reset_nothing_the_family_chose_is_on_the_screen(app, kiosk):
    services = _services(app)
    chosen = next(s for s in services if not is_due(s, NOW, 6))
    kiosk.start("support")
    kiosk.post("/kiosk/support", {"topic": chosen.topic})
    kiosk.post("/kiosk/support/services", {"service": chosen.oruk_id})
    kiosk.open("/kiosk/reset")
    for url in ("/kiosk/support/service", "/kiosk/support/services", "/kiosk/support"):
        kiosk.open(url)  # Back, after the reset
        assert "Welcome" in kiosk.text and chosen.oruk_id not in kiosk.html, url
