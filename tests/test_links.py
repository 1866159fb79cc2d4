"""A booking's manage and check-in links: no number a neighbour could count on from,
a link sent before a cancel or a change stops opening, every link stops once the
booking is over, and a link that stopped says kindly how to get a new one."""

# ruff: noqa: F811  (pytest fixtures imported from other test modules)
from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from frontdoor import clock
from frontdoor.channels import DevChannel
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.extensions import db
from frontdoor.models import Booking, RecordedMessage
from frontdoor.outbox import Links
from tests.conftest import csrf_from
from tests.test_booking_site import (  # noqa: F401  (site is a fixture)
    book_url,
    bookings,
    post_booking,
    session_id_of,
    site,
    text_of,
)

EXPIRED = "This link has expired"


def _book(app, client) -> str:
    url = book_url("riverside", session_id_of(app, "Baby Massage"))
    response = post_booking(client, url)
    assert response.status_code == 302
    return response.headers["Location"]


def _payload(token: str) -> str:
    """What anyone holding the link can read of it (the part before the signature)."""
    part = token.split(".")[0]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def _no_booking_number_in(token: str, booking: Booking) -> None:
    readable = json.loads(_payload(token))
    # The one number is the links' version (1 for a new booking), not the booking's id.
    assert [part for part in readable if isinstance(part, int)] == [booking.link_version]
    assert booking.reference not in json.dumps(readable)


def test_links_show_no_booking_number_or_reference(site, client):
    location = _book(site, client)
    [booking] = bookings(site)
    from booking.site import check_in_token

    with site.test_request_context():
        check_in = check_in_token(db.session.get_one(Booking, booking.id))
    for token in (location.rsplit("/", 1)[1], check_in):
        _no_booking_number_in(token, booking)


def test_the_confirmation_email_carries_a_link_that_opens_the_booking(site, client):
    _book(site, client)
    with site.app_context():
        dispatch_outbox(
            clock.now(),
            channels={"email": DevChannel()},
            links=Links("https://hubs.example", current_app.config["SECRET_KEY"]),
        )
        db.session.commit()
        body = db.session.scalars(select(RecordedMessage.body)).first()
    link = re.search(r"https://hubs\.example(/book/bookings/[^\s]+)", body).group(1)
    [booking] = bookings(site)
    _no_booking_number_in(link.rsplit("/", 1)[1], booking)
    page = client.get(link)
    assert page.status_code == 200 and "Your booking" in text_of(page)


def test_a_link_from_before_a_cancel_no_longer_opens(site, client):
    old = _book(site, client)
    manage = client.get(f"{old}/manage").get_data(as_text=True)
    cancelled = client.post(f"{old}/cancel", data={"csrf_token": csrf_from(manage)})
    assert cancelled.status_code == 302
    new = cancelled.headers["Location"]
    assert new != old and "This booking was cancelled" in text_of(client.get(new))
    refused = client.get(old)
    assert refused.status_code == 410
    assert EXPIRED in text_of(refused) and "Find your booking" in text_of(refused)
    assert client.get(f"{old}/manage").status_code == 410


def test_a_link_from_before_a_change_no_longer_opens(site, client):
    old = _book(site, client)
    manage = client.get(f"{old}/manage").get_data(as_text=True)
    changed = client.post(
        f"{old}/party", data={"csrf_token": csrf_from(manage), "adults": "2", "child_1": "0-1"}
    )
    new = changed.headers["Location"]
    assert new != old and "Your booking has been changed" in text_of(client.get(new))
    assert client.get(old).status_code == 410
    assert EXPIRED in text_of(client.get(old))


def test_a_link_stops_opening_once_the_booking_is_over(site, client):
    location = _book(site, client)
    clock.freeze(datetime(2026, 11, 24, 14, 30, tzinfo=UTC))  # the session's end
    assert "This session has finished" in text_of(client.get(location))
    clock.freeze(datetime(2026, 11, 24, 17, 0, tzinfo=UTC))  # hours later
    refused = client.get(location)
    assert refused.status_code == 410 and EXPIRED in text_of(refused)
    assert "Ana" not in text_of(refused)
