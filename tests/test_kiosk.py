"""The foyer kiosk through HTTP: pairing, every flow, kind refusals, double taps,
bad input, and what a shared screen must never keep or show.

Every response the helper sees is checked: never a server error, always
``Cache-Control: no-store``, and no address (redirect, link or form action)
holding anything but a screen's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.contact import Contact, Party
from booking.services import book_session, cancel_booking
from booking.tokens import CHECK_IN
from frontdoor import clock, create_app
from frontdoor.config import load_config
from frontdoor.extensions import db
from frontdoor.models import (
    Booking,
    BookingSource,
    HelpRequest,
    Hub,
    KioskDevice,
    Organisation,
    OutboxMessage,
    Role,
    Room,
    ServiceCategory,
    Session,
    SessionSeries,
    SessionStatus,
    Visit,
)
from frontdoor.staff import create_staff
from frontdoor.timetable import SeriesInput, save_series
from frontdoor.tokens import make_link_token
from kiosk.access import COOKIE
from kiosk.pairing import add_kiosk, pair, revoke
from tests.conftest import csrf_from, sign_in
from tests.route_samples import booking_token

# Tuesday 24 November 2026, 09:30 in London (UTC in winter).
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TODAY = NOW.date()

# Kiosk addresses: a screen's name, a session's number, and what's-on filters.
ADDRESS = re.compile(r"^/kiosk/[a-z0-9/-]*(\?((age|category)=[a-z0-9-]+&?)*)?$")
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')
_LINKS = re.compile(r'(?:href|action)="([^"]*)"')


# --- a hub with a class to book, a drop-in running now, and another hub ------------------


@dataclass
class Place:
    hub_id: int
    other_hub_id: int
    massage: int  # today's Baby Massage (bookable, 10:00 to 11:00, Sensory room, Grace)
    massage_next: int  # next week's
    play: int  # today's Stay and Play (drop-in, 09:00 to 11:30, Main hall, Sam)
    evening: int  # today's Parenting course (bookable, 18:00 to 19:00)
    elsewhere: int  # today's session at the other hub


def _series(hub_id: int, title: str, start: time, end: time, **options) -> int:
    series = SessionSeries()
    save_series(
        series,
        SeriesInput(
            hub_id=hub_id,
            title=title,
            weekdays=[TODAY.weekday()],
            start_date=TODAY,
            start_time=start,
            end_time=end,
            **options,
        ),
        today=TODAY,
    )
    db.session.flush()
    return series.id


def another_drop_in(app: Flask, hub_id: int) -> None:
    """A second drop-in running now (Dads Group, 09:30 to 11:00), so the kiosk asks which."""
    with app.app_context():
        _series(hub_id, "Dads Group", time(9, 30), time(11), capacity=10, booking_mode="drop_in")
        db.session.commit()
        db.session.remove()


def _session_of(series_id: int, day=TODAY) -> int:
    return db.session.scalar(
        select(Session.id).where(Session.series_id == series_id, Session.occurrence_date == day)
    )


@pytest.fixture
def place(app: Flask) -> Place:
    clock.freeze(NOW)
    with app.app_context():
        council = Organisation(name="Test Council", slug="test-council")
        db.session.add(council)
        db.session.flush()
        hub = Hub(organisation_id=council.id, slug="testhub", name="Testhub Family Hub")
        other = Hub(organisation_id=council.id, slug="otherhub", name="Northside Family Hub")
        db.session.add_all([hub, other])
        db.session.flush()
        sensory, hall = Room(hub=hub, name="Sensory room"), Room(hub=hub, name="Main hall")
        far = Room(hub=other, name="Far room")
        feeding = ServiceCategory(organisation_id=council.id, name="Infant feeding", icon="feeding")
        play = ServiceCategory(organisation_id=council.id, name="Stay and play", icon="play")
        db.session.add_all([sensory, hall, far, feeding, play])
        db.session.flush()
        grace = create_staff(
            organisation_id=council.id,
            email="grace@test.example",
            name="Grace Okafor",
            password="a-long-password",
            roles=[(hub.id, Role.SESSION_LEAD)],
        )
        sam = create_staff(
            organisation_id=council.id,
            email="sam@test.example",
            name="Sam Kowalski",
            password="a-long-password",
            roles=[(hub.id, Role.PRACTITIONER)],
        )
        create_staff(
            organisation_id=council.id,
            email="manager@test.example",
            name="Priya Shah",
            password="a-long-password",
            roles=[(hub.id, Role.MANAGER)],
        )
        massage = _series(
            hub.id, "Baby Massage", time(10), time(11), capacity=5, booking_mode="booking",
            room_id=sensory.id, category_id=feeding.id, age_bands=["0-1"], lead_ids=[grace.id],
        )  # fmt: skip
        stay = _series(
            hub.id, "Stay and Play", time(9), time(11, 30), capacity=2, booking_mode="drop_in",
            room_id=hall.id, category_id=play.id, age_bands=["0-1", "1-3"], lead_ids=[sam.id],
        )  # fmt: skip
        evening = _series(
            hub.id, "Parenting course", time(18), time(19), capacity=8, booking_mode="booking",
            age_bands=["parents"],
        )  # fmt: skip
        elsewhere = _series(
            other.id, "Northside Massage", time(10), time(11), capacity=5,
            booking_mode="booking", room_id=far.id,
        )  # fmt: skip
        db.session.commit()
        found = Place(
            hub_id=hub.id,
            other_hub_id=other.id,
            massage=_session_of(massage),
            massage_next=_session_of(massage, TODAY + timedelta(days=7)),
            play=_session_of(stay),
            evening=_session_of(evening),
            elsewhere=_session_of(elsewhere),
        )
        db.session.remove()
    return found


def booked(app: Flask, session_id: int, first="Amira", last="Hassan", **kwargs) -> tuple[int, str]:
    """A booking made on the booking site (two days ago, unless ``at``): (id, reference)."""
    with app.app_context():
        result = book_session(
            session_id,
            Party(kwargs.pop("adults", 1), kwargs.pop("children", ("0-1",))),
            Contact(first, last_name=last, email=f"{first}.{last}@example.com".lower()),
            now=kwargs.pop("at", NOW - timedelta(days=2)),
            source=BookingSource.STAFF,
            **kwargs,
        )
        db.session.commit()
        found = (result.booking.id, result.booking.reference)
        db.session.remove()
    return found


def count(app: Flask, model) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return n


def only(app: Flask, model):
    with app.app_context():
        rows = db.session.scalars(select(model)).all()
        assert len(rows) == 1, rows
        db.session.expunge_all()
        db.session.remove()
    return rows[0]


# --- driving the screen -------------------------------------------------------------------


class Screen:
    """A paired kiosk, tapped as a family would: forms with their CSRF token and
    the screen's nonce, redirects followed, every response checked."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.html = ""
        self.addresses: list[str] = []
        self.status = 200

    def _check(self, response) -> None:
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        assert response.headers.get("Cache-Control") == "no-store", response.request.path
        location = response.headers.get("Location")
        if location:
            assert ADDRESS.match(location), location
            self.addresses.append(location)
        for link in _LINKS.findall(response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            if link.startswith("/kiosk"):
                assert ADDRESS.match(link), link
            self.addresses.append(link)

    def _follow(self, response):
        while response.status_code in (302, 303):
            response = self.client.get(response.headers["Location"])
            self._check(response)
        self.html = response.get_data(as_text=True)
        self.status = response.status_code
        return response

    def open(self, url: str):
        response = self.client.get(url)
        self._check(response)
        return self._follow(response)

    def nonce(self) -> str | None:
        match = _NONCE.search(self.html)
        return match.group(1) if match else None

    def post(self, url: str, data: dict | None = None, *, nonce: str | None = None):
        fields = {"csrf_token": csrf_from(self.html)}
        if nonce or self.nonce():
            fields["nonce"] = nonce or self.nonce()
        fields.update(data or {})
        response = self.client.post(url, data=fields)
        self._check(response)
        return self._follow(response)

    def start(self, flow: str):
        self.open("/kiosk/")
        return self.post("/kiosk/start", {"flow": flow})

    @property
    def text(self) -> str:
        # The page's words, without markup, with runs of space made single; an
        # isolated name (<bdi>) reads as part of its sentence.
        words = re.sub(r"</?bdi>", "", self.html)
        return " ".join(re.sub(r"<[^>]+>", " ", words).split())

    def never_addressed(self, *secrets: str) -> None:
        for secret in secrets:
            assert all(secret.lower() not in a.lower() for a in self.addresses), secret


def pair_screen(app: Flask, client: FlaskClient, hub_id: int) -> int:
    with app.app_context():
        device, code = add_kiosk(hub_id, "Foyer", now=clock.now(), created_by_id=None)
        _, credential = pair(code, now=clock.now())
        db.session.commit()
        device_id = device.id
        db.session.remove()
    client.set_cookie(COOKIE, credential, path="/kiosk")
    return device_id


@pytest.fixture
def screen(app: Flask, client: FlaskClient, place: Place) -> Screen:
    pair_screen(app, client, place.hub_id)
    return Screen(client)


def spaced(text: str) -> str:
    return " ".join(text.split())


# --- pairing and the device rule -------------------------------------------------------------


def test_pairing_is_a_post_and_sets_an_httponly_strict_cookie(app, client, place):
    with app.app_context():
        device, code = add_kiosk(place.hub_id, "Foyer", now=NOW, created_by_id=None)
        db.session.commit()
        device_id = device.id
    screen = Screen(client)
    screen.open(f"/kiosk/pair?code={code}")
    # A link preview or prefetch of the QR code's address must not use the code up.
    assert f'value="{code}"' in screen.html
    assert "Pair this screen" in screen.text
    assert client.get_cookie(COOKIE, path="/kiosk") is None
    with app.app_context():
        assert db.session.get(KioskDevice, device_id).paired_at is None
    response = client.post("/kiosk/pair", data={"code": code, "csrf_token": csrf_from(screen.html)})
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/kiosk" in cookie
    assert "Max-Age=" in cookie and "Secure" not in cookie  # test runs on http
    assert code not in cookie  # the credential is not the code
    screen.open("/kiosk/")
    assert screen.status == 200 and "Testhub Family Hub" in screen.text


def test_a_code_works_once_and_expires_after_ten_minutes(app, client, place):
    with app.app_context():
        _, used = add_kiosk(place.hub_id, "Foyer", now=NOW, created_by_id=None)
        _, late = add_kiosk(place.hub_id, "Desk", now=NOW, created_by_id=None)
        pair(used, now=NOW)
        db.session.commit()
    screen = Screen(client)
    screen.open("/kiosk/pair")
    screen.post("/kiosk/pair", {"code": used})
    assert screen.status == 400 and "did not work" in screen.text
    clock.freeze(NOW + timedelta(minutes=10))
    screen.post("/kiosk/pair", {"code": late})
    assert screen.status == 400 and "has expired" in screen.text
    assert client.get_cookie(COOKIE, path="/kiosk") is None
    assert client.get("/kiosk/").status_code == 403


def test_the_cookie_is_secure_outside_development_and_test(app, place, database_url):
    production = create_app(
        {
            "env": "production",
            "database_url": database_url,
            "secret_key": "another-secret",
            "family_key_secret": "another-family-key-secret",
            "instance_path": app.instance_path,
            "log_level": "WARNING",
        }
    )
    with production.app_context():
        _, code = add_kiosk(place.hub_id, "Foyer", now=NOW, created_by_id=None)
        db.session.commit()
    client = production.test_client()
    page = client.get("/kiosk/pair", base_url="https://localhost").get_data(as_text=True)
    response = client.post(
        "/kiosk/pair",
        data={"code": code, "csrf_token": csrf_from(page)},
        base_url="https://localhost",
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_revoked_screen_stops_at_once(app, client, place):
    device_id = pair_screen(app, client, place.hub_id)
    assert client.get("/kiosk/").status_code == 200
    with app.app_context():
        revoke(db.session.get(KioskDevice, device_id), now=NOW)
        db.session.commit()
    for url in ("/kiosk/", "/kiosk/booking", "/kiosk/ping", "/kiosk/reset"):
        response = client.get(url)
        assert response.status_code == 403
        assert "This screen is not set up yet" in response.get_data(as_text=True)
        assert "Testhub" not in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


def test_a_kiosk_cookie_is_no_way_into_the_staff_side(app, client, place):
    pair_screen(app, client, place.hub_id)
    for url in ("/admin/", "/admin/kiosks", "/admin/hubs", "/admin/timetable"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/sign-in" in response.headers["Location"]


def test_a_manager_adds_a_kiosk_gets_a_one_time_code_and_qr_and_revokes_it(app, client, place):
    sign_in(client, "manager@test.example", "a-long-password")
    listing = client.get("/admin/kiosks").get_data(as_text=True)
    assert "Kiosks" in listing and "No kiosks yet." in listing
    form = client.get("/admin/kiosks/new").get_data(as_text=True)
    response = client.post(
        "/admin/kiosks/new",
        data={"hub_id": str(place.hub_id), "name": "Foyer", "csrf_token": csrf_from(form)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    code = re.search(r'class="fd-pairing-code"[^>]*>([0-9A-Z]{4}) ([0-9A-Z]{4})<', page)
    assert code, page
    code = code.group(1) + code.group(2)
    assert "expires in 10 minutes" in page
    assert "<svg" in page and 'aria-label="QR code to pair Foyer"' in page
    assert f"http://127.0.0.1:5000/kiosk/pair?code={code}" in page

    # "New code": the first stops working.
    with app.app_context():
        device_id = db.session.scalar(select(KioskDevice.id))
    again = client.post(f"/admin/kiosks/{device_id}/code", data={"csrf_token": csrf_from(page)})
    fresh = re.search(r'class="fd-pairing-code"[^>]*>([0-9A-Z]{4}) ([0-9A-Z]{4})<', again.text)
    fresh = fresh.group(1) + fresh.group(2)
    assert fresh != code

    device = app.test_client()
    screen = Screen(device)
    screen.open(f"/kiosk/pair?code={code}")
    screen.post("/kiosk/pair", {"code": code})
    assert screen.status == 400
    screen.post("/kiosk/pair", {"code": fresh})
    assert screen.status == 200 and "I have a booking" in screen.text

    listing = client.get("/admin/kiosks").get_data(as_text=True)
    assert "Paired" in listing and "24 Nov 2026 09:30" in listing  # last seen, local time
    client.post(f"/admin/kiosks/{device_id}/revoke", data={"csrf_token": csrf_from(listing)})
    assert "Revoked" in client.get("/admin/kiosks").get_data(as_text=True)
    assert device.get("/kiosk/").status_code == 403


def test_managers_see_kiosks_in_their_menu_and_others_cannot_open_them(app, demo, client):
    sign_in(client, "manager@riverside.example")
    assert 'href="/admin/kiosks"' in client.get("/admin/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "reception@riverside.example")
    assert 'href="/admin/kiosks"' not in other.get("/admin/").get_data(as_text=True)
    assert other.get("/admin/kiosks").status_code == 403


def test_the_command_line_prints_a_one_time_pairing_link(app, client, place):
    result = app.test_cli_runner().invoke(
        args=["kiosk", "pair", "--hub", "testhub", "--name", "Foyer"]
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"(/kiosk/pair\?code=[0-9A-Z]{8})", result.output).group(1)
    assert "10 minutes" in result.output
    screen = Screen(client)
    screen.open(link)
    assert client.get("/kiosk/").status_code == 403  # opening the link did not pair
    screen.post("/kiosk/pair", {"code": link.rsplit("=", 1)[1]})
    assert "I have a booking" in screen.text
    bad = app.test_cli_runner().invoke(args=["kiosk", "pair", "--hub", "nowhere"])
    assert bad.exit_code != 0 and "no hub" in bad.output


# --- the start screen ------------------------------------------------------------------------


def test_the_start_screen_offers_four_choices_languages_and_display_switches(screen):
    screen.open("/kiosk/")
    for label in (
        "I have a booking",
        "I'm here for a drop-in",
        "What's on",
        "I'd like to talk to someone",
    ):
        assert f'<span class="fd-choice__text">{label}</span>' in screen.html
    assert "Testhub Family Hub" in screen.text
    assert "09:30" in screen.text  # the time, in London
    assert '<html lang="en" dir="ltr"' in screen.html
    assert 'lang="en" dir="ltr"' in screen.html and ">English</button>" in screen.html
    assert "Larger text" in screen.text and "High contrast" in screen.text
    assert 'data-scan="on"' in screen.html  # the barcode scanner works here
    assert 'id="kiosk-scan"' in screen.html
    assert "<script>" not in screen.html  # every script carries the page's nonce


def test_display_switches_stay_on_until_switched_off_and_survive_a_reset(screen):
    screen.open("/kiosk/")
    screen.post("/kiosk/display", {"option": "large"})
    screen.post("/kiosk/display", {"option": "contrast"})
    assert "fd-kiosk--large" in screen.html.split(">")[1]
    assert "fd-kiosk--contrast" in screen.html.split(">")[1]
    assert 'value="large" class="fd-toggle fd-toggle--switch" aria-pressed="true"' in screen.html
    screen.open("/kiosk/reset")
    assert "fd-kiosk--large" in screen.html.split(">")[1]
    screen.post("/kiosk/display", {"option": "large"})
    assert "fd-kiosk--large" not in screen.html.split(">")[1]
    screen.post("/kiosk/display", {"option": "<script>"})
    assert screen.status == 200


def test_the_language_chooser_keeps_a_known_language_only(screen, client):
    screen.open("/kiosk/")
    screen.post("/kiosk/language", {"language": "en"})
    assert '<html lang="en" dir="ltr"' in screen.html
    screen.post("/kiosk/language", {"language": "xx"})
    assert screen.status == 200 and '<html lang="en"' in screen.html


def test_languages_named_in_their_own_script_set_lang_and_direction(screen, monkeypatch):
    from frontdoor.templating import LANGUAGES

    monkeypatch.setitem(LANGUAGES, "ar", {"name": "العربية", "dir": "rtl"})
    screen.open("/kiosk/")
    assert 'value="ar" lang="ar" dir="rtl"' in screen.html and "العربية" in screen.html
    screen.post("/kiosk/language", {"language": "ar"})
    assert '<html lang="ar" dir="rtl"' in screen.html
    assert (
        'value="ar" lang="ar" dir="rtl"\n'
        '          class="fd-language fd-language-name" aria-pressed="true"' in screen.html
    )
    screen.start("talk")
    screen.post("/kiosk/talk", {"topic": "other"})
    assert (
        '<option value="ar" lang="ar" class="fd-language-name" selected>العربية</option>'
        in screen.html
    )
    screen.open("/kiosk/reset")  # the next family starts in English again
    assert '<html lang="en" dir="ltr"' in screen.html


def test_the_qr_code_svg_draws_exactly_the_codes_modules():
    import qrcode

    from frontdoor.qr import QUIET_ZONE, qr_svg

    svg = str(qr_svg("https://example.org/book/x/sessions/1", label="<label>"))
    assert "style=" not in svg and "&lt;label&gt;" in svg
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data("https://example.org/book/x/sessions/1")
    code.make(fit=True)
    matrix = code.get_matrix()
    drawn = [[False] * len(matrix) for _ in matrix]
    for x, y, width in re.findall(r"M(\d+),(\d+)h(\d+)", svg):
        for dx in range(int(width)):
            drawn[int(y) - QUIET_ZONE][int(x) - QUIET_ZONE + dx] = True
    assert drawn == [list(map(bool, row)) for row in matrix]


def test_idle_times_come_from_the_hub_or_the_configuration(app, screen, place, monkeypatch):
    screen.start("talk")
    assert 'data-idle-seconds="60"' in screen.html
    assert 'data-idle-warning-seconds="20"' in screen.html
    with app.app_context():
        hub = db.session.get(Hub, place.hub_id)
        hub.settings_json = {"kiosk_idle_seconds": 90, "kiosk_idle_warning_seconds": 30}
        db.session.commit()
    screen.open("/kiosk/talk")
    assert 'data-idle-seconds="90"' in screen.html
    assert 'data-idle-warning-seconds="30"' in screen.html
    monkeypatch.setattr(app.config["FRONTDOOR"], "kiosk_idle_seconds", 5)
    screen.open("/kiosk/talk")
    assert 'data-idle-seconds="5"' in screen.html
    monkeypatch.setenv("FRONTDOOR_KIOSK_IDLE_SECONDS", "7")
    assert load_config({"instance_path": app.instance_path}).kiosk_idle_seconds == 7


def test_a_reset_ends_the_visit_and_back_leads_only_to_the_start(app, screen, place):
    _, reference = booked(app, place.massage)
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    assert "Who is here today?" in screen.text
    response = screen.client.get("/kiosk/reset")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    # Every screen of the visit, asked for again (Back), is the start screen.
    for url in ("/kiosk/booking/who", "/kiosk/booking", "/kiosk/sorry", "/kiosk/done"):
        screen.open(url)
        assert "I have a booking" in screen.text and "Amira" not in screen.html


# --- "I have a booking" ---------------------------------------------------------------------


def test_check_in_by_reference_reads_look_alike_letters(app, screen, place):
    booking_id, reference = booked(app, place.massage, adults=1, children=("0-1",))
    typed = reference.replace("0", "o").replace("1", "I").lower()
    typed = f"{typed[:4]} {typed[4:]}"
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    assert "Type your booking reference" in screen.text
    screen.post("/kiosk/reference", {"reference": typed})
    assert "Hello, Amira" in screen.text and "Who is here today?" in screen.text
    assert "Baby Massage, 10:00, Sensory room" in screen.text
    assert 'name="adults" value="1"' in screen.html and 'name="c_0-1" value="1"' in screen.html
    screen.post("/kiosk/booking/who", {"adults": "2", "c_0-1": "1", "confirm": "yes"})
    assert "Thank you, Amira." in screen.text
    assert "Grace will come to say hello." in screen.text
    assert "Please wait in Sensory room." in screen.text
    assert 'data-auto-home="10"' in screen.html
    visit = only(app, Visit)
    assert (visit.booking_id, visit.adults, visit.children) == (booking_id, 2, 1)
    assert visit.kiosk_id is not None and visit.nonce
    screen.never_addressed(reference, "Amira", "Hassan")


def test_plus_and_minus_work_without_javascript(app, screen, place):
    _, reference = booked(app, place.massage)
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    screen.post("/kiosk/booking/who", {"adults": "1", "c_0-1": "1", "change": "adults+"})
    assert 'name="adults" value="2"' in screen.html
    screen.post("/kiosk/booking/who", {"adults": "2", "c_0-1": "1", "change": "c_0-1-"})
    screen.post("/kiosk/booking/who", {"adults": "2", "c_0-1": "0", "change": "c_0-1-"})
    assert 'name="c_0-1" value="0"' in screen.html  # never below nothing
    screen.post("/kiosk/booking/who", {"adults": "2", "c_0-1": "0", "change": "bogus+"})
    assert count(app, Visit) == 0
    screen.post("/kiosk/booking/who", {"adults": "2", "c_0-1": "0", "confirm": "yes"})
    assert only(app, Visit).adults == 2


def test_a_scanned_qr_code_checks_in_from_the_start_screen_and_is_never_shown(app, screen, place):
    booking_id, reference = booked(app, place.massage)
    token = booking_token(app, CHECK_IN, booking_id)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": token})
    assert "Hello, Amira" in screen.text
    assert token not in screen.html
    screen.post("/kiosk/booking/who", {"adults": "1", "c_0-1": "1", "confirm": "yes"})
    assert "Thank you, Amira." in screen.text
    screen.never_addressed(token, reference)
    # A link that carries the token works too.
    other_id, _other = booked(app, place.massage, "Ben", "Jones")
    link = "http://127.0.0.1:5000/book/checkin?t=" + booking_token(app, CHECK_IN, other_id)
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": link})
    assert "Hello, Ben" in screen.text


def test_find_me_shows_only_a_first_name_and_initial_the_session_and_time(app, screen, place):
    booked(app, place.massage, "Amira", "Hassan")
    second_id, second_ref = booked(app, place.massage, "Amira", "Jones")
    booked(app, place.massage, "Ben", "Jones")
    screen.start("booking")
    screen.open("/kiosk/booking/find")
    screen.post("/kiosk/find", {"first_name": "  amira "})
    assert "Is this you?" in screen.text
    assert "Amira H. Baby Massage \N{EN DASH} 10:00" in screen.text
    assert "Amira J. Baby Massage \N{EN DASH} 10:00" in screen.text
    for secret in ("Hassan", "Jones", "Ben", "@example.com", second_ref):
        assert secret not in screen.html
    buttons = re.findall(r'name="index" value="(\d)"[^>]*>(.*?)</button>', screen.html, re.S)
    index = next(value for value, words in buttons if "Amira J." in words)
    screen.post("/kiosk/booking/choose", {"index": index})
    assert "Hello, Amira" in screen.text
    screen.post("/kiosk/booking/who", {"adults": "1", "c_0-1": "0", "confirm": "yes"})
    assert only(app, Visit).booking_id == second_id
    screen.never_addressed("amira", "Jones", "Hassan")


def test_find_me_tells_apart_two_families_whose_lines_would_read_the_same(app, screen, place):
    """Three Amira H.s at the 10:00 Baby Massage: the party's size tells one
    apart, and when it was booked the other two. Still no surname, no contact."""
    two_days_ago = NOW - timedelta(days=2)
    booked(app, place.massage, "Amira", "Hassan", at=two_days_ago)
    hughes, _ = booked(app, place.massage, "Amira", "Hughes", children=("0-1", "0-1"))
    booked(app, place.massage, "Amira", "Hill", at=NOW - timedelta(hours=20))
    booked(app, place.massage, "Amira", "Jones")
    screen.start("booking")
    screen.open("/kiosk/booking/find")
    screen.post("/kiosk/find", {"first_name": "Amira"})
    buttons = re.findall(r'name="index" value="(\d)"[^>]*>(.*?)</button>', screen.html, re.S)
    lines = {
        int(value): " ".join(re.sub(r"<[^>]+>", " ", words).split()) for value, words in buttons
    }
    at_ten, dot = "Baby Massage \N{EN DASH} 10:00", " \N{MIDDLE DOT} "
    assert sorted(lines.values()) == sorted(
        [
            f"Amira H. {at_ten}{dot}2 people{dot}booked on Sunday 22 November at 09:30",
            f"Amira H. {at_ten}{dot}3 people",
            f"Amira H. {at_ten}{dot}2 people{dot}booked on Monday 23 November at 13:30",
            f"Amira J. {at_ten}",
        ]
    )
    for secret in ("Hassan", "Hughes", "Hill", "Jones", "@example.com"):
        assert secret not in screen.html
    index = next(i for i, words in lines.items() if "3 people" in words)
    screen.post("/kiosk/booking/choose", {"index": str(index)})
    screen.post("/kiosk/booking/who", {"adults": "1", "c_0-1": "2", "confirm": "yes"})
    assert only(app, Visit).booking_id == hughes


def test_find_me_with_no_booking_today_says_so_kindly(app, screen, place):
    booked(app, place.massage_next, "Zed", "Ward")  # next week's, not today's
    screen.start("booking")
    screen.open("/kiosk/booking/find")
    screen.post("/kiosk/find", {"first_name": "Zed"})
    assert "We could not find a booking for that name today" in screen.text
    assert "Talk to someone" in screen.text and "Ward" not in screen.html
    screen.open("/kiosk/booking/find")
    screen.post("/kiosk/booking/choose", {"index": "0"})
    assert "We could not find that booking" in screen.text


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("too_early", "You can check in from 09:00. Please come back then."),
        ("session_over", "This session has finished"),
        ("session_cancelled", "Sorry, this session has been cancelled"),
        ("not_today", "It is on Tuesday 1 December at 10:00."),
        ("other_hub", "It is at Northside Family Hub."),
        ("cancelled", "This booking was cancelled"),
        ("waiting_list", "You are on the waiting list"),
        ("already_checked_in", "You are already checked in"),
        ("not_found", "We could not find that booking"),
    ],
)
def test_bookings_that_cannot_check_in_get_a_kind_message(app, screen, place, case, words):
    session_id = {"not_today": place.massage_next, "other_hub": place.elsewhere}.get(
        case, place.massage
    )
    booking_id, reference = booked(app, session_id)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        if case == "session_cancelled":
            booking.session.status = SessionStatus.CANCELLED
        elif case == "cancelled":
            cancel_booking(booking, now=NOW, by_staff=True, reason="Asked to")
        elif case == "waiting_list":
            booking.status = "waiting"
        elif case == "already_checked_in":
            booking.checked_in_at = NOW
        db.session.commit()
    clock.freeze(
        {"too_early": NOW - timedelta(minutes=31), "session_over": NOW + timedelta(hours=2)}.get(
            case, NOW
        )
    )
    if case == "not_found":
        reference = "ZZZZ9999"
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    assert words in screen.text
    assert "Talk to someone" in screen.text and "Start again" in screen.text
    assert count(app, Visit) == 0
    screen.never_addressed(reference)


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        "ABCD",
        "x" * 5000,
        "WzEsIkFCQ0QyMzQ1Il0.not-a-real-signature",
        "../../etc/passwd",
        "'; DROP TABLE booking; --",
        "\x01\x1b[2J",
    ],
)
def test_malformed_references_and_codes_get_the_same_calm_message(app, screen, place, typed):
    booked(app, place.massage)
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": typed})
    assert "We could not find that booking" in screen.text
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": typed})
    assert "We could not find that booking" in screen.text
    assert "<script>alert" not in screen.html
    assert count(app, Visit) == 0


def test_codes_from_elsewhere_find_nothing(app, screen, place):
    booking_id, _reference = booked(app, place.massage)
    real = booking_token(app, CHECK_IN, booking_id)
    with app.app_context():
        public_id = db.session.get_one(Booking, booking_id).public_id
    forged = make_link_token("someone-elses-secret", CHECK_IN, public_id, 1)
    wrong_purpose = booking_token(app, "frontdoor.manage", booking_id)
    mismatched = make_link_token(app.config["SECRET_KEY"], CHECK_IN, "no-such-booking", 1)
    # A QR code from before a cancel or a change carries an older version.
    stale = make_link_token(app.config["SECRET_KEY"], CHECK_IN, public_id, 2)
    assert real != stale
    for code in (forged, wrong_purpose, mismatched, stale):
        screen.open("/kiosk/")
        screen.post("/kiosk/scan", {"code": code})
        assert "We could not find that booking" in screen.text
    other_id, _other_ref = booked(app, place.elsewhere, "Ola", "Nowak")
    screen.open("/kiosk/")
    screen.post("/kiosk/scan", {"code": booking_token(app, CHECK_IN, other_id)})
    assert "Your booking is at another family hub" in screen.text
    assert count(app, Visit) == 0


def test_an_empty_reference_asks_again(app, screen, place):
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": "   "})
    assert "Please type your booking reference." in screen.text


# --- "I'm here for a drop-in" -----------------------------------------------------------------


def test_drop_in_check_in_with_party_and_first_time(app, screen, place):
    screen.start("drop_in")
    # The only drop-in running now is not asked about: it heads the next screen.
    assert "Which drop-in are you here for?" not in screen.text
    assert "Who is here today?" in screen.text
    assert (
        "Stay and Play \N{MIDDLE DOT} 09:00\N{EN DASH}11:30 \N{MIDDLE DOT} Main hall" in screen.text
    )
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "0", "change": "c_0-1+"})
    assert 'name="c_0-1" value="1"' in screen.html
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "1", "change": "adults+"})
    screen.post("/kiosk/drop-in/who", {"adults": "2", "c_0-1": "1", "next": "yes"})
    assert "What is your first name?" in screen.text
    screen.post("/kiosk/drop-in/name", {"first_name": "zoë o'neil-smith", "first_time": "yes"})
    assert "Thank you, <bdi>zoë o&#39;neil-smith</bdi>." in screen.html
    assert "Sam will come to say hello." in screen.text
    assert "Please wait in Main hall." in screen.text
    visit = only(app, Visit)
    assert (visit.kind, visit.adults, visit.children, visit.first_time) == ("drop_in", 2, 1, True)
    assert visit.session_id == place.play and visit.first_name == "zoë o'neil-smith"
    screen.never_addressed("zo", "neil")


def _fill_the_drop_in(app, place, child_bands=()):
    """Two families drop in to Stay and Play, taking its last places."""
    from arrivals.checkin import check_in_drop_in

    with app.app_context():
        for n in range(2):
            check_in_drop_in(
                place.play,
                hub_id=place.hub_id,
                first_name=f"P{n}",
                adults=1,
                child_bands=child_bands,
                now=NOW,
            )
        db.session.commit()


def test_a_full_drop_in_says_when_it_runs_next(app, screen, place):
    _fill_the_drop_in(app, place, child_bands=("1-3",))
    screen.start("drop_in")  # the only drop-in running now
    assert "Sorry, Stay and Play is full right now" in screen.text
    assert "Tuesday 1 December, 09:00" in screen.text
    assert "Talk to someone" in screen.text
    assert count(app, Visit) == 2


def test_with_two_drop_ins_running_the_family_chooses_which(app, screen, place):
    another_drop_in(app, place.hub_id)
    screen.start("drop_in")
    assert "Which drop-in are you here for?" in screen.text
    assert "Stay and Play 09:00\N{EN DASH}11:30 \N{MIDDLE DOT} Main hall" in screen.text
    assert "Dads Group 09:30\N{EN DASH}11:00" in screen.text
    assert "Baby Massage" not in screen.text  # bookable only
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    assert "Who is here today?" in screen.text


def test_a_full_drop_in_is_marked_in_the_list_of_drop_ins(app, screen, place):
    another_drop_in(app, place.hub_id)
    _fill_the_drop_in(app, place)
    screen.start("drop_in")
    assert "Stay and Play 09:00\N{EN DASH}11:30 \N{MIDDLE DOT} Main hall Full" in screen.text


def test_filling_up_while_typing_is_a_kind_message_too(app, screen, place):
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "0", "next": "yes"})
    _fill_the_drop_in(app, place)
    screen.post("/kiosk/drop-in/name", {"first_name": "Late"})
    assert "Sorry, Stay and Play is full right now" in screen.text
    assert count(app, Visit) == 2


def test_no_drop_ins_now_shows_what_is_on_later_today(app, screen, place):
    clock.freeze(NOW.replace(hour=13))
    screen.start("drop_in")
    assert "No drop-ins right now" in screen.text
    assert "There are no more drop-ins today." in screen.text
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    assert "Sorry, that is not available now" in screen.text
    clock.freeze(NOW.replace(hour=7))
    screen.start("drop_in")
    assert "No drop-ins right now" in screen.text
    assert "Later today:" in screen.text and "09:00 Stay and Play" in screen.text


# --- "What's on" and booking ------------------------------------------------------------------


def test_whats_on_lists_this_hub_for_a_week_with_filters(app, screen, place):
    screen.start("whats_on")
    assert "What's on" in screen.html
    assert "Today" in screen.text and "Tuesday 1 December" in screen.text
    assert "Baby Massage" in screen.text and "Stay and Play" in screen.text
    assert "Northside" not in screen.text  # another hub's
    assert "Tuesday 8 December" not in screen.text  # more than a week away
    assert "Infant feeding" in screen.text and "Babies under 1" in screen.text
    assert 'class="fd-icon fd-icon--feeding"' in screen.html
    screen.open("/kiosk/whats-on?age=parents")
    assert "Parenting course" in screen.text and "Baby Massage" not in screen.text
    with app.app_context():
        play = db.session.scalar(select(ServiceCategory.id).filter_by(name="Stay and play"))
    screen.open(f"/kiosk/whats-on?category={play}")
    assert "Stay and Play" in screen.text and "Baby Massage" not in screen.text
    screen.open("/kiosk/whats-on?age=<b>&category=x")  # nonsense filters show everything
    assert "Baby Massage" in screen.text and "Stay and Play" in screen.text
    screen.open(f"/kiosk/whats-on/{place.elsewhere}")
    assert screen.status == 404 and "Sorry, something went wrong" in screen.text
    assert "Traceback" not in screen.html


def test_book_here_and_book_on_your_phone(app, screen, place):
    screen.start("whats_on")
    screen.open(f"/kiosk/whats-on/{place.massage}")
    assert "Book here" in screen.text and "Book on your phone" in screen.text
    assert "5 places left." in screen.text
    assert 'aria-label="A QR code to book Baby Massage on your phone"' in screen.html
    screen.post("/kiosk/book", {"session": str(place.massage)})
    assert "Who is coming?" in screen.text and "Children: Babies under 1" in screen.text
    screen.post("/kiosk/book/who", {"adults": "1", "c_0-1": "0", "change": "c_0-1+"})
    assert 'name="c_0-1" value="1"' in screen.html
    screen.post("/kiosk/book/who", {"adults": "1", "c_0-1": "1", "next": "yes"})
    assert "Your details" in screen.text
    screen.post("/kiosk/book/details", {"first_name": "Ola", "mobile": "07700 900123"})
    booking = only(app, Booking)
    assert "You're booked, Ola." in screen.text
    assert f"{booking.reference[:4]} {booking.reference[4:]}" in screen.text
    assert "We will send it to your mobile in a text." in screen.text
    assert "07700" not in screen.html
    assert 'data-auto-home="10"' in screen.html
    assert (booking.source, booking.adults, booking.children) == ("kiosk", 1, ["0-1"])
    assert booking.mobile == "+447700900123" and booking.idempotency_key
    assert count(app, OutboxMessage) == 1  # the text with the reference
    screen.never_addressed("Ola", "07700", booking.reference)


def test_the_phone_qr_code_points_at_the_session_on_the_booking_site(app, screen, place):
    from kiosk.browse import phone_link

    with app.app_context():
        session = db.session.get(Session, place.massage)
        assert phone_link(session) == f"http://127.0.0.1:5000/book/testhub/sessions/{place.massage}"


def test_booking_here_is_open_until_the_session_starts_and_then_not(app, screen, place):
    clock.freeze(NOW + timedelta(minutes=25))  # five minutes before: the site has closed
    screen.start("whats_on")
    screen.open(f"/kiosk/whats-on/{place.massage}")
    screen.post("/kiosk/book", {"session": str(place.massage)})
    screen.post("/kiosk/book/who", {"adults": "1", "c_0-1": "0", "next": "yes"})
    clock.freeze(NOW + timedelta(minutes=31))
    screen.post("/kiosk/book/details", {"first_name": "Ola"})
    assert "Sorry, it is too late to book this session" in screen.text
    assert count(app, Booking) == 0


def test_book_here_checks_names_mobiles_and_parties(app, screen, place):
    screen.start("whats_on")
    screen.open(f"/kiosk/whats-on/{place.massage}")
    screen.post("/kiosk/book", {"session": str(place.massage)})
    screen.post("/kiosk/book/who", {"adults": "0", "c_0-1": "0", "next": "yes"})
    assert "at least 1 person" in screen.text
    screen.post("/kiosk/book/who", {"adults": "99", "c_0-1": "0", "next": "yes"})
    assert "at least 1 person" in screen.text
    screen.post("/kiosk/book/who", {"adults": "1", "c_0-1": "0", "next": "yes"})
    screen.post("/kiosk/book/details", {"first_name": "Ola", "mobile": "12345"})
    assert "Enter a mobile number, not a landline, like 07700 900 982." in screen.text
    screen.post("/kiosk/book/details", {"first_name": "", "mobile": ""})
    assert "Enter your first name." in screen.text
    assert count(app, Booking) == 0
    screen.post("/kiosk/book/details", {"first_name": "Ola", "mobile": ""})
    assert "Please write it down or take a photo of it." in screen.text
    assert count(app, Booking) == 1


# --- "I'd like to talk to someone" --------------------------------------------------------------

TOPIC_WORDS = {
    "feeding": ("feeding",),
    "development": ("development", "SEND", "special needs"),
    "money": ("Money", "money", "bills"),
    "housing": ("Housing", "housing"),
    "wellbeing": ("low", "worried"),
    "family": ("relationships", "Family and"),
    "other": ("Something else",),
    "in_person": ("in person",),
}


@pytest.mark.parametrize("topic", list(TOPIC_WORDS))
def test_talk_to_someone_never_shows_the_topic_again(app, screen, place, topic):
    screen.start("talk")
    assert "What would you like to talk about?" in screen.text
    screen.post("/kiosk/talk", {"topic": topic})
    assert "Nearly done" in screen.text
    screen.post("/kiosk/talk/details", {"first_name": "Hana", "language": "en", "private": "yes"})
    assert "Thank you, Hana." in screen.text
    assert "Someone from the team will come to see you soon." in screen.text
    for word in (*TOPIC_WORDS[topic], "private", "urgent", "Private"):
        assert word not in screen.text, word
    request = only(app, HelpRequest)
    assert (request.topic, request.first_name, request.private_room, request.urgent) == (
        topic,
        "Hana",
        True,
        False,
    )
    assert request.language == "en" and request.kiosk_id is not None
    screen.never_addressed(topic.replace("_", "-"), "Hana")


def test_i_need_help_now_is_urgent_and_says_nothing_different(app, screen, place):
    screen.start("talk")
    assert "I need help now" in screen.text
    screen.post("/kiosk/talk", {"urgent": "yes"})
    request = only(app, HelpRequest)
    assert request.urgent is True and request.topic == "in_person"
    assert "Thank you." in screen.text
    assert "Someone from the team will come to see you soon." in screen.text
    for word in ("urgent", "now", "emergency", "in person"):
        assert word not in screen.text.lower().replace("know", ""), word


def test_talk_details_are_optional_and_checked(app, screen, place):
    screen.start("talk")
    screen.post("/kiosk/talk", {"topic": "<b>"})
    assert "Please choose one of the pictures." in screen.text
    screen.post("/kiosk/talk", {"topic": "housing"})
    screen.post("/kiosk/talk/details", {"first_name": "<b>Bob</b>", "language": "en"})
    assert "Please use letters only." in screen.text and "<b>Bob" not in screen.html
    assert count(app, HelpRequest) == 0
    screen.post("/kiosk/talk/details", {"first_name": "", "language": "other"})
    request = only(app, HelpRequest)
    assert request.first_name == "" and request.language == "other"
    assert request.private_room is False


# --- double taps and bad input -------------------------------------------------------------------


def _tap_twice(screen: Screen, url: str, data: dict) -> tuple[str, str]:
    """Two taps of one screen, the second sent before the first's answer came back:
    both with the screen's nonce and the session as it was."""
    nonce = screen.nonce()
    token = csrf_from(screen.html)
    before = screen.client.get_cookie("frontdoor_session").value
    first = screen.client.post(url, data={"csrf_token": token, "nonce": nonce, **data})
    screen._check(first)
    first_page = screen._follow(first).get_data(as_text=True)
    screen.client.set_cookie("frontdoor_session", before)
    second = screen.client.post(url, data={"csrf_token": token, "nonce": nonce, **data})
    screen._check(second)
    second_page = screen._follow(second).get_data(as_text=True)
    # And a third tap, after the answer: the same result again.
    third = screen.client.post(url, data={"csrf_token": token, "nonce": nonce, **data})
    screen._check(third)
    third_page = screen._follow(third).get_data(as_text=True)
    assert _heading(third_page) == _heading(first_page)
    # As read: an isolated name (<bdi>) is part of its sentence.
    return re.sub(r"</?bdi>", "", first_page), re.sub(r"</?bdi>", "", second_page)


def _heading(page: str) -> str:
    return page.split("<h1")[1].split("</h1>")[0]


def test_a_double_tap_checks_in_once(app, screen, place):
    _, reference = booked(app, place.massage)
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    first, second = _tap_twice(
        screen, "/kiosk/booking/who", {"adults": "1", "c_0-1": "1", "confirm": "yes"}
    )
    assert "Thank you, Amira." in first and _heading(first) == _heading(second)
    assert count(app, Visit) == 1


def test_a_double_tap_at_a_drop_in_makes_one_visit(app, screen, place):
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "1", "next": "yes"})
    first, second = _tap_twice(screen, "/kiosk/drop-in/name", {"first_name": "Kai"})
    assert "Thank you, Kai." in first and _heading(first) == _heading(second)
    assert count(app, Visit) == 1


def test_a_double_tap_books_once(app, screen, place):
    screen.start("whats_on")
    screen.open(f"/kiosk/whats-on/{place.massage}")
    screen.post("/kiosk/book", {"session": str(place.massage)})
    screen.post("/kiosk/book/who", {"adults": "1", "c_0-1": "1", "next": "yes"})
    first, second = _tap_twice(
        screen, "/kiosk/book/details", {"first_name": "Ola", "mobile": "07700900123"}
    )
    assert "You're booked, Ola." in first
    assert re.findall(r'fd-reference">([^<]+)<', first) == re.findall(
        r'fd-reference">([^<]+)<', second
    )
    assert count(app, Booking) == 1 and count(app, OutboxMessage) == 1


def test_a_double_tap_asks_for_help_once(app, screen, place):
    screen.start("talk")
    screen.post("/kiosk/talk", {"topic": "money"})
    first, second = _tap_twice(screen, "/kiosk/talk/details", {"first_name": "Hana"})
    assert "Thank you, Hana." in first and _heading(first) == _heading(second)
    assert count(app, HelpRequest) == 1
    screen.start("talk")
    _tap_twice(screen, "/kiosk/talk", {"urgent": "yes"})
    assert count(app, HelpRequest) == 2


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("x" * 500, "Names must be 50 characters or fewer."),
        ("<script>alert(1)</script>", "Please use letters only"),
        ("Robert'); DROP TABLE visit;--", "Please use letters only"),
        ("\u200b\u200d\ufeff", "Enter your first name."),  # only invisible characters
        ("   ", "Enter your first name."),
        ("https://evil.example", "Please use letters only"),
    ],
)
def test_bad_names_get_a_calm_message_and_record_nothing(app, screen, place, name, words):
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "0", "next": "yes"})
    screen.post("/kiosk/drop-in/name", {"first_name": name})
    assert words in screen.text
    assert "<script>alert" not in screen.html
    assert count(app, Visit) == 0
    screen.open("/kiosk/booking/find")
    screen.post("/kiosk/find", {"first_name": name})
    assert words in screen.text


@pytest.mark.parametrize(
    ("adults", "children"),
    [("0", "0"), ("-1", "2"), ("11", "0"), ("10", "11"), ("abc", "1"), ("", ""), ("1.5", "0")],
)
def test_parties_out_of_range_are_asked_again(app, screen, place, adults, children):
    _, reference = booked(app, place.massage)
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    screen.post("/kiosk/booking/who", {"adults": adults, "c_0-1": children, "confirm": "y"})
    assert "at least 1 person, and no more than 20" in screen.text
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": adults, "c_0-1": children, "next": "yes"})
    assert "at least 1 person, and no more than 20" in screen.text
    assert count(app, Visit) == 0


def test_scanner_input_in_the_middle_of_another_task_is_calm(app, screen, place):
    booking_id, _reference = booked(app, place.massage)
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "0", "next": "yes"})
    # The scanner types into the name box and presses Enter.
    token = booking_token(app, CHECK_IN, booking_id)
    screen.post("/kiosk/drop-in/name", {"first_name": token})
    # A check-in code is longer than any name, and not letters: asked for a name.
    assert "Names must be 50 characters or fewer." in screen.text
    assert token not in screen.html
    # Or the screen's scanner form sends it: it starts checking in for the booking.
    screen.post("/kiosk/scan", {"code": token})
    assert "Hello, Amira" in screen.text
    screen.start("talk")
    screen.post("/kiosk/scan", {"code": "garbage-from-a-scanner"})
    assert "We could not find that booking" in screen.text
    assert count(app, Visit) == 0 and count(app, HelpRequest) == 0


def test_forms_from_an_old_screen_after_a_reset_record_nothing(app, screen, place):
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "0", "next": "yes"})
    stale = screen.html
    screen.open("/kiosk/reset")
    screen.html = stale
    screen.post("/kiosk/drop-in/name", {"first_name": "Kai"})
    assert "I have a booking" in screen.text
    assert count(app, Visit) == 0


def test_made_up_ids_and_methods_are_refused_calmly(app, screen, place):
    screen.start("drop_in")
    for session in ("999999", "-1", "abc", str(place.evening), str(place.elsewhere), "9" * 40):
        screen.post("/kiosk/drop-in", {"session": session})
        assert "Sorry, that is not available now" in screen.text
    screen.start("whats_on")
    screen.open(f"/kiosk/whats-on/{place.massage}")
    for session in ("999999", str(place.elsewhere), "x"):
        screen.post("/kiosk/book", {"session": session})
        assert "Sorry, that is not available now" in screen.text
    screen.open("/kiosk/whats-on/999999")
    assert screen.status == 404 and "Start again" in screen.text
    screen.open("/kiosk/no-such-screen")
    assert screen.status == 404 and "Sorry, something went wrong" in screen.text
    response = screen.client.get("/kiosk/scan")
    assert response.status_code == 405 and response.headers["Cache-Control"] == "no-store"
    screen.open("/kiosk/")
    screen.post("/kiosk/start", {"flow": "admin"})
    assert "I have a booking" in screen.text
    assert count(app, Visit) == 0 and count(app, Booking) == 0


def test_an_expired_form_on_the_kiosk_is_a_calm_kiosk_page(app, screen, place):
    screen.open("/kiosk/")
    response = screen.client.post("/kiosk/start", data={"flow": "talk", "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    assert "Sorry, something went wrong" in page and "Start again" in page
    assert 'data-reset-url="/kiosk/reset"' in page  # still a working screen: it resets
    assert "Traceback" not in page


def test_ping_answers_without_a_body(screen):
    response = screen.client.get("/kiosk/ping")
    assert response.status_code == 204 and response.get_data() == b""
    assert response.headers["Cache-Control"] == "no-store"


def test_every_kiosk_page_is_never_stored(app, client, place):
    for url in ("/kiosk/", "/kiosk/pair", "/kiosk/booking", "/kiosk/nothing"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    pair_screen(app, client, place.hub_id)
    screen = Screen(client)
    for flow in ("booking", "drop_in", "whats_on", "talk"):
        screen.start(flow)  # Screen checks no-store on every response
    for url in ("/kiosk/booking/reference", "/kiosk/booking/find", "/kiosk/reset"):
        screen.open(url)
    assert client.get("/book/").headers.get("Cache-Control") != "no-store"  # only the kiosk
