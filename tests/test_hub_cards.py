"""Hub cards through the kiosk and the booking site: a family asks for one, shows it
under the scanner next time, and the visit carries the card's family key."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.family import new_hub_card
from frontdoor.models import Booking, Hub, Organisation, Visit
from tests.conftest import csrf_from
from tests.test_kiosk import booked, only, place, screen  # noqa: F401  (fixtures)

_QR = re.compile(r'<svg class="fd-qr[^"]*"')


def _card_for(app: Flask, hub_id: int, *, other_council: bool = False) -> tuple[str, str]:
    """A hub card (its code and key) from the hub's council, or from another's."""
    with app.app_context():
        council = db.session.get_one(Hub, hub_id).organisation_id
        if other_council:
            other = Organisation(name="Other Council", slug="other-council")
            db.session.add(other)
            db.session.commit()
            council = other.id
        card = new_hub_card(council)
        db.session.remove()
    return card.code, card.family_key


def _drop_in(screen, place, name: str = "Bea") -> None:  # noqa: F811
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "children": "1", "next": "yes"})
    screen.post("/kiosk/drop-in/name", {"first_name": name, "first_time": "no"})


def test_a_card_scanned_at_the_start_gives_the_drop_in_its_key(app, screen, place):  # noqa: F811
    code, key = _card_for(app, place.hub_id)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": code})
    assert "Thank you, we have read your hub card" in screen.text
    screen.post("/kiosk/start", {"flow": "drop_in"})
    _drop_in(screen, place)
    assert "Thank you, Bea." in screen.text
    assert "Get a hub card" not in screen.text  # they have one
    assert only(app, Visit).family_key == key
    screen.never_addressed(code)


def test_a_card_scanned_before_a_booking_names_the_visit_and_booking(app, screen, place):  # noqa: F811
    code, key = _card_for(app, place.hub_id)
    _, reference = booked(app, place.massage)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": code})
    screen.post("/kiosk/start", {"flow": "booking"})
    screen.post("/kiosk/reference", {"reference": reference})
    screen.post("/kiosk/booking/who", {"adults": "1", "children": "1", "confirm": "yes"})
    assert "Thank you, Amira." in screen.text
    assert only(app, Visit).family_key == key
    assert only(app, Booking).family_key == key


def test_the_start_screen_forgets_a_card(app, screen, place):  # noqa: F811
    code, _ = _card_for(app, place.hub_id)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": code})
    screen.start("drop_in")  # the next family, from the start screen
    _drop_in(screen, place, "Cat")
    assert only(app, Visit).family_key is None


def test_another_councils_card_is_refused_kindly(app, screen, place):  # noqa: F811
    code, _ = _card_for(app, place.hub_id, other_council=True)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": code})
    assert screen.status == 200
    assert "This hub card is from another council" in screen.text
    assert "you are very welcome here" in screen.text
    screen.open("/kiosk/?lang=pl")
    screen.post("/kiosk/language", {"language": "pl"})
    screen.post("/kiosk/scan", {"code": code})
    assert "This hub card is from another council" not in screen.text  # in Polish
    assert "innej rady" in screen.text


def test_a_tampered_card_gets_plain_words(app, screen, place):  # noqa: F811
    code, _ = _card_for(app, place.hub_id)
    tampered = code[:-4] + ("AAAA" if not code.endswith("AAAA") else "BBBB")
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": tampered})
    assert screen.status == 200
    assert "We could not read this hub card" in screen.text
    assert "You can check in without it." in screen.text


def test_a_family_gets_a_hub_card_after_a_drop_in_and_their_visit_its_key(app, screen, place):  # noqa: F811
    screen.start("drop_in")
    _drop_in(screen, place)
    assert "Get a hub card" in screen.text
    screen.post("/kiosk/card/new")
    assert "Your hub card" in screen.text and _QR.search(screen.html)
    first = only(app, Visit).family_key
    assert first is not None
    screen.open("/kiosk/done")  # back, and a second press shows the same card
    screen.post("/kiosk/card/new")
    assert only(app, Visit).family_key == first


def test_a_family_gets_a_hub_card_from_their_booking_confirmation(app, client, place):  # noqa: F811
    booking_id, _ = booked(app, place.massage)
    with app.test_request_context():
        from booking.site import manage_token

        booking = db.session.get_one(Booking, booking_id)
        token = manage_token(booking)
        contact_key = booking.family_key
        db.session.remove()
    page = client.get(f"/book/bookings/{token}")
    assert "Get a hub card" in page.get_data(as_text=True)
    card = client.post(
        f"/book/bookings/{token}/hub-card", data={"csrf_token": csrf_from(page.get_data(True))}
    )
    html = card.get_data(as_text=True)
    assert card.status_code == 200 and "Your hub card" in html and _QR.search(html)
    with app.app_context():
        key = db.session.scalar(select(Booking.family_key).where(Booking.id == booking_id))
        db.session.remove()
    assert key and key != contact_key  # the card's key wins


def test_a_card_shown_before_booking_here_names_the_new_booking(app, screen, place):  # noqa: F811
    code, key = _card_for(app, place.hub_id)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": code})
    screen.post("/kiosk/start", {"flow": "whats_on"})
    screen.open(f"/kiosk/whats-on/{place.massage}")
    screen.post("/kiosk/book", {"session": str(place.massage)})
    screen.post("/kiosk/book/who", {"adults": "1", "c_0-1": "1", "next": "yes"})
    screen.post("/kiosk/book/details", {"first_name": "Ola", "mobile": "07700 900123"})
    assert "You're booked, Ola." in screen.text
    assert only(app, Booking).family_key == key  # the card's, not the mobile's
