"""Find support on the booking site: a family picks a topic and sees the council's
checked services for it, and each service has a public page (the page a QR code or
a shared link opens). A service due for checking is never shown, on either page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from directory.services import is_due
from frontdoor import clock
from frontdoor.demo import load_demo
from frontdoor.extensions import db
from frontdoor.models import Partner, PartnerService
from tests.conftest import DEMO_PASSWORD

NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(app):
    clock.freeze(NOW)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        db.session.commit()
        db.session.remove()


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


def test_a_family_sees_only_checked_services_for_the_topic_they_chose(app, client, council):
    services = _services(app)
    for topic in {s.topic for s in services}:
        page = _page(client, f"/book/riverside/support?topic={topic}")
        for service in services:
            shown = service.topic == topic and not is_due(service, NOW, 6)
            assert (service.oruk_id in page) is shown, (topic, service.name)


def test_a_due_service_has_no_public_page_but_a_checked_one_does(app, client, council):
    services = _services(app)
    due = [s for s in services if is_due(s, NOW, 6)]
    checked = [s for s in services if not is_due(s, NOW, 6)]
    assert due and checked
    for service in due:
        assert client.get(f"/book/support/services/{service.oruk_id}").status_code == 404
    page = _page(client, f"/book/support/services/{checked[0].oruk_id}")
    assert checked[0].name.replace("'", "&#39;") in page


def test_the_service_page_shows_what_it_publishes_for_families_and_not_the_partners_contact(
    app, client, council
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


def test_a_closed_service_or_an_unknown_id_is_not_found(app, client, council):
    with app.app_context():
        service = db.session.scalar(
            select(PartnerService).where(PartnerService.last_checked_at.is_not(None))
        )
        service.last_checked_at, service.status = NOW, "inactive"
        reference = service.oruk_id
        db.session.commit()
    assert client.get(f"/book/support/services/{reference}").status_code == 404
    assert client.get("/book/support/services/1").status_code == 404


def test_find_support_is_in_the_familys_language(app, client, council):
    page = client.get("/book/riverside/support", headers={"Accept-Language": "ar"}).get_data(
        as_text=True
    )
    assert '<html lang="ar"' in page and 'dir="rtl"' in page
    assert "Find support" not in page.split("<main", 1)[1]


def test_an_unknown_topic_shows_the_topics_again(app, client, council):
    page = _page(client, "/book/riverside/support?topic=<script>")
    assert "<script>" not in page
    assert "topic=money" in page


def test_whats_on_links_to_find_support(client, council):
    assert "/book/riverside/support" in _page(client, "/book/riverside/")
