""" "Send me this by text", on a family's phone and on the kiosk: one text per press
of the form, in the page's language, with the service's public link; a number that
cannot take a text is told in plain words; too many texts get a calm page; and the
number is gone from the database once the text has gone."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from sqlalchemy import select

from directory.services import is_due
from directory.texts import KIOSK_TEXTS
from frontdoor.channels import DevChannel
from frontdoor.dispatcher import dispatch_outbox, retry_message
from frontdoor.extensions import db
from frontdoor.fields import new_nonce
from frontdoor.models import Hub, OutboxMessage, PartnerService, RecordedMessage
from frontdoor.outbox import Links
from tests.conftest import csrf_from
from tests.message_servers import NotifyRecorder, notify_server
from tests.test_directory import NOW, council  # noqa: F401  (a fixture)
from tests.test_dispatcher import _notify

pytestmark = pytest.mark.usefixtures("council")

MOBILE = "07700 900 982"
STORED = "+447700900982"
NOT_A_MOBILE = "Enter a mobile number, not a landline, like 07700 900 982."
_NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


def _checked_service(app) -> tuple[str, str]:
    """A service families may see (its public id and name), with how to reach it."""
    with app.app_context():
        services = db.session.scalars(select(PartnerService).order_by(PartnerService.id))
        service = next(s for s in services if not is_due(s, NOW, 6))
        service.application_process = "Ring the front desk"
        db.session.commit()
        return service.oruk_id, service.name


def _press(client, url: str, mobile: str = MOBILE, *, page: str | None = None, headers=None):
    """Open the service's page (or use ``page``, as a second press of one form
    would) and send the form."""
    html = page or client.get(url, headers=headers).get_data(as_text=True)
    nonce = _NONCE.search(html)
    assert nonce, "no nonce on the form"
    data = {"csrf_token": csrf_from(html), "nonce": nonce.group(1), "mobile": mobile}
    return client.post(url, data=data, headers=headers), html


def _messages(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return messages


def _links() -> Links:
    return Links("https://hubs.example.gov.uk", current_app.config["SECRET_KEY"])


def _nothing_holds_the_number(app) -> None:
    with app.app_context():
        kept = [m.recipient for m in db.session.scalars(select(OutboxMessage))]
        kept += [m.recipient for m in db.session.scalars(select(RecordedMessage))]
        kept += [str(m.payload) for m in db.session.scalars(select(OutboxMessage))]
    assert not [text for text in kept if "7700900982" in text or "900 982" in text], kept


def test_a_double_press_sends_one_text_in_polish_with_the_services_link_then_forgets_the_number(
    app, client
):
    reference, name = _checked_service(app)
    url = f"/book/support/services/{reference}"
    first, page = _press(client, url, headers={"Accept-Language": "pl"})
    second, _page = _press(client, url, page=page, headers={"Accept-Language": "pl"})
    assert first.status_code == second.status_code == 302
    assert reference in first.headers["Location"] and "7700" not in first.headers["Location"]
    after = client.get(url, headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Wysłaliśmy SMS" in after
    queued = _messages(app)
    assert [(m.channel, m.recipient, m.language) for m in queued] == [("sms", STORED, "pl")]
    with app.app_context(), notify_server() as (base_url, notify):
        channel = _notify(base_url)
        result = dispatch_outbox(NOW, channels={"sms": channel}, links=_links())
    assert result.sent == 1
    (_path, _headers, body), *more = notify.requests
    assert not more and body["phone_number"] == STORED
    text = body["personalisation"]["body"]
    assert f"Od Twojego centrum rodzinnego: {name}" in text
    assert "Jak uzyskać od nich pomoc: Ring the front desk" in text
    assert f"Więcej: https://hubs.example.gov.uk/book/support/services/{reference}" in text
    _nothing_holds_the_number(app)


def test_a_number_that_cannot_take_a_text_is_told_in_plain_words(app, client):
    reference, _name = _checked_service(app)
    url = f"/book/support/services/{reference}"
    for typed in ("01632 960 001", "not a number", ""):
        response, _page = _press(client, url, typed)
        assert response.status_code == 400, typed
        assert NOT_A_MOBILE in response.get_data(as_text=True)
    assert _messages(app) == []


def test_too_many_texts_from_one_browser_get_a_calm_page(app, client):
    reference, name = _checked_service(app)
    url = f"/book/support/services/{reference}"
    for _ in range(5):
        assert _press(client, url)[0].status_code == 302
    over, _page = _press(client, url)
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    page = over.get_data(as_text=True)
    assert "We cannot send any more texts just now" in page
    assert name.replace("'", "&#39;") in page
    assert len(_messages(app)) == 5
    # Another family's phone is not held back by this one.
    other = app.test_client()
    assert _press(other, url)[0].status_code == 302


def test_a_text_the_provider_refuses_forgets_the_number_and_cannot_be_sent_again(app, client):
    reference, _name = _checked_service(app)
    _press(client, f"/book/support/services/{reference}")
    with app.app_context(), notify_server(NotifyRecorder(script=[400])) as (base_url, notify):
        result = dispatch_outbox(NOW, channels={"sms": _notify(base_url)}, links=_links())
        assert result.failed == 1 and len(notify.requests) == 1
        (message,) = db.session.scalars(select(OutboxMessage))
        assert not retry_message(message.id, None, now=NOW)
    _nothing_holds_the_number(app)


# --- on the kiosk -----------------------------------------------------------------------------


@pytest.fixture
def kiosk(app, client):
    from tests.test_kiosk import Screen, pair_screen

    with app.app_context():
        hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
    pair_screen(app, client, hub_id)
    return Screen(client)


def _open_service(kiosk, app) -> tuple[str, str]:
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        services = db.session.scalars(select(PartnerService).order_by(PartnerService.id))
        service = next(
            s
            for s in services
            if not is_due(s, NOW, 6) and s.partner.organisation_id == hub.organisation_id
        )
        reference, name = service.oruk_id, service.name
    kiosk.start("support")
    kiosk.post("/kiosk/support", {"topic": service.topic})
    kiosk.post("/kiosk/support/services", {"service": reference})
    return reference, name


def _tap(kiosk, form: str, mobile: str = MOBILE, nonce: str | None = None) -> None:
    """Press "Send me a text" on the screen ``form`` (the service's screen)."""
    kiosk.html = form
    kiosk.post("/kiosk/support/service/text", {"mobile": mobile}, nonce=nonce)


def test_the_kiosk_texts_a_service_once_and_never_shows_the_number_again(app, kiosk):
    reference, _name = _open_service(kiosk, app)
    form = kiosk.html
    _tap(kiosk, form)
    _tap(kiosk, form)  # a double tap: the same form twice
    assert "We have sent the text" in kiosk.text
    assert [m.recipient for m in _messages(app)] == [STORED]
    assert "900" not in kiosk.text and "7700" not in kiosk.html
    kiosk.never_addressed("7700900982", "900 982")
    with app.app_context():
        dispatch_outbox(NOW, channels={"sms": DevChannel()}, links=_links())
        (recorded,) = db.session.scalars(select(RecordedMessage))
        assert f"/book/support/services/{reference}" in recorded.body
    _nothing_holds_the_number(app)
    # The next family, after a reset, gets an empty form.
    kiosk.open("/kiosk/reset")
    _open_service(kiosk, app)
    assert "We have sent the text" not in kiosk.text and 'name="mobile"' in kiosk.html


def test_the_kiosk_says_in_plain_words_when_a_number_cannot_take_a_text(app, kiosk):
    _open_service(kiosk, app)
    _tap(kiosk, kiosk.html, "01632 960 001")
    assert NOT_A_MOBILE in kiosk.text
    assert "01632" not in kiosk.html
    assert _messages(app) == []


def test_a_kiosk_over_its_limit_shows_a_calm_screen(app, kiosk):
    _open_service(kiosk, app)
    form = kiosk.html
    for _ in range(KIOSK_TEXTS):
        _tap(kiosk, form, nonce=new_nonce())  # each a new family's press
        assert "We have sent the text" in kiosk.text
    _tap(kiosk, form, nonce=new_nonce())
    assert "We cannot send any more texts just now" in kiosk.text
    assert len(_messages(app)) == KIOSK_TEXTS
