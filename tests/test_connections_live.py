"""My connections is live: its stream tells the page when one of the viewer's
connections changes (and nothing else the hub's board hears), a page that
reconnects is told what it missed, and the groups it then fetches are a fragment
for staff only, never stored."""

from __future__ import annotations

from sqlalchemy import select

from arrivals.help_requests import request_help
from frontdoor import clock
from frontdoor.events import bus, latest_event_id
from frontdoor.extensions import db
from frontdoor.models import Hub
from tests.conftest import csrf_from
from tests.test_arrivals_views import _short_streams
from tests.test_connections import _connect, _ids, _partner_path, _signed_in, council  # noqa: F401

STREAM = "/admin/connections/mine/stream"


def _listening(app) -> int:
    with app.app_context():
        events_bus = bus()
        if hasattr(events_bus, "wait_until_listening"):
            assert events_bus.wait_until_listening()
        return latest_event_id(_ids()["hub_id"])


def _accept(app, connection_id: int) -> None:
    partner = app.test_client()
    path = _partner_path(app, connection_id)
    csrf = csrf_from(partner.get(path).get_data(as_text=True))
    partner.post(f"{path}/accept", data={"csrf_token": csrf, "contact_by": "2027-03-12"})


def test_the_stream_tells_of_a_partners_answer_and_not_of_arrivals(app, council):  # noqa: F811
    practitioner = _signed_in(app)
    connection_id = _connect(app)
    _listening(app)
    with _short_streams(app, seconds=5):
        response = practitioner.get(STREAM)
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-store"
        chunks = iter(response.response)
        assert "retry:" in next(chunks).decode()
        with app.app_context():
            request_help(_ids()["hub_id"], topic="money", now=clock.now(), first_name="Bea")
            db.session.commit()
        _accept(app, connection_id)
        received = ""
        while '"status":"accepted"' not in received:
            received += next(chunks).decode()
        response.close()
    assert "event: connections" in received and f'"connection_id":{connection_id}' in received
    assert "help.requested" not in received and "Bea" not in received


def test_a_page_that_reconnects_is_told_only_of_connections_it_missed(app, council):  # noqa: F811
    practitioner = _signed_in(app)
    seen = _listening(app)
    with app.app_context():
        request_help(_ids()["hub_id"], topic="money", now=clock.now(), first_name="Bea")
        db.session.commit()
    connection_id = _connect(app)
    with _short_streams(app, seconds=0.8):
        caught_up = practitioner.get(STREAM, headers={"Last-Event-ID": str(seen)})
    text = caught_up.get_data(as_text=True)
    assert f'"connection_id":{connection_id}' in text and '"status":"sent"' in text
    assert "help.requested" not in text


def test_the_groups_come_as_a_fragment_for_htmx_and_are_never_stored(app, council):  # noqa: F811
    practitioner = _signed_in(app)
    _accept(app, _connect(app))
    fragment = practitioner.get("/admin/connections/mine", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "Accepted (1)" in html and "<html" not in html
    assert fragment.headers["Cache-Control"] == "no-store"
    page = practitioner.get("/admin/connections/mine").get_data(as_text=True)
    assert "<html" in page and 'sse-connect="/admin/connections/mine/stream"' in page


def test_reception_and_signed_out_browsers_get_neither_the_groups_nor_the_stream(app, council):  # noqa: F811
    assert app.test_client().get(STREAM).status_code == 302
    reception = _signed_in(app, "reception@riverside.example")
    for path in (STREAM, "/admin/connections/mine"):
        assert reception.get(path, headers={"HX-Request": "true"}).status_code == 403


def test_the_stream_follows_connections_at_a_hub_the_viewer_does_not_work_at(app, council):  # noqa: F811
    practitioner = _signed_in(app)
    seen = _listening(app)
    with app.app_context():
        other = db.session.scalar(select(Hub.id).where(Hub.slug != "riverside"))
        asked = request_help(other, topic="money", now=clock.now(), first_name="Cai")
        db.session.commit()
        ids = {**_ids(), "hub_id": other, "help_request_id": asked.id}
    connection_id = _connect(app, **ids)
    with _short_streams(app, seconds=0.8):
        caught_up = practitioner.get(STREAM, headers={"Last-Event-ID": str(seen)})
    assert f'"connection_id":{connection_id}' in caught_up.get_data(as_text=True)
