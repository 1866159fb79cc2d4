"""Staff sign-in: sessions that end on the server, throttling, cookies, CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import func, select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import SignInFailure, StaffLogin, StaffUser
from frontdoor.staff import set_active, set_password
from tests.conftest import DEMO_PASSWORD, csrf_from, sign_in, submit

LEAD = "lead@riverside.example"


def test_signed_out_staff_pages_send_you_to_sign_in(client, demo):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


def test_sign_in_with_right_password_shows_home(client, demo):
    sign_in(client, LEAD)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Hello, Grace Okafor" in page
    assert "Riverside Family Hub" in page


def test_email_is_not_case_sensitive(client, demo):
    sign_in(client, "Lead@Riverside.Example")
    assert client.get("/admin/").status_code == 200


def test_wrong_password_says_so_in_plain_words(client, demo):
    response = submit(client, "/admin/sign-in", {"email": LEAD, "password": "wrong-password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    assert client.get("/admin/").status_code == 302


def test_unknown_email_reads_the_same_as_a_wrong_password(client, demo):
    response = submit(client, "/admin/sign-in", {"email": "nobody@x.example", "password": "x"})
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_empty_form_gets_an_error_summary(client, demo):
    page = submit(client, "/admin/sign-in", {"email": "", "password": ""}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_sign_in_gives_a_new_session_identifier(client, demo):
    client.get("/admin/sign-in")
    before = client.get_cookie("frontdoor_session").value
    sign_in(client, LEAD)
    after = client.get_cookie("frontdoor_session").value
    assert before != after


def test_session_cookie_is_httponly_and_lax(client, demo):
    response = submit(client, "/admin/sign-in", {"email": LEAD, "password": DEMO_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    from frontdoor.config import load_config

    config = load_config(
        {
            "env": "production",
            "secret_key": "x" * 40,
            "family_key_secret": "y" * 40,
            "database_url": "sqlite://",
            "instance_path": tmp_path,
        }
    )
    assert config.flask_settings()["SESSION_COOKIE_SECURE"] is True


def test_sign_out_ends_the_session_on_the_server(app, client, demo):
    sign_in(client, LEAD)
    stolen = client.get_cookie("frontdoor_session").value
    html = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(html)})
    assert client.get("/admin/").status_code == 302

    # A copy of the cookie taken before sign-out no longer works either.
    thief = app.test_client()
    thief.set_cookie("frontdoor_session", stolen)
    assert thief.get("/admin/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(StaffLogin.ended_at.is_(None))) == 0


def test_deactivation_ends_every_session_of_that_person(app, client, demo):
    sign_in(client, LEAD)
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        set_active(db.session.scalar(select(StaffUser).filter_by(email=LEAD)), False)
        db.session.commit()
    assert client.get("/admin/").status_code == 302
    response = submit(client, "/admin/sign-in", {"email": LEAD, "password": DEMO_PASSWORD})
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_password_change_ends_sessions_and_new_password_works(app, client, demo):
    sign_in(client, LEAD)
    with app.app_context():
        set_password(db.session.scalar(select(StaffUser).filter_by(email=LEAD)), "a-new-long-pass")
        db.session.commit()
    assert client.get("/admin/").status_code == 302
    sign_in(client, LEAD, "a-new-long-pass")


def _fail(client, email=LEAD, address="10.0.0.1"):
    return submit(
        client,
        "/admin/sign-in",
        {"email": email, "password": "nope"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_repeated_failures_pause_that_email_from_that_address(client, demo):
    clock.freeze(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    for _ in range(5):
        assert _fail(client).status_code == 200
    paused = submit(
        client,
        "/admin/sign-in",
        {"email": LEAD, "password": DEMO_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert paused.status_code == 429
    assert "Too many attempts" in paused.get_data(as_text=True)


def test_a_pause_cannot_lock_a_colleague_out(client, app, demo):
    clock.freeze(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    for _ in range(8):
        _fail(client, address="203.0.113.9")  # someone elsewhere guessing
    # The colleague at the hub's own address signs in as usual.
    ok = submit(
        client,
        "/admin/sign-in",
        {"email": LEAD, "password": DEMO_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert ok.status_code == 302


def test_pause_is_short_and_ends_by_itself(client, demo):
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    clock.freeze(start)
    for _ in range(5):
        _fail(client)
    clock.freeze(start + timedelta(minutes=2))
    ok = submit(
        client,
        "/admin/sign-in",
        {"email": LEAD, "password": DEMO_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert ok.status_code == 302


def test_failures_store_no_email_or_address(app, client, demo):
    _fail(client)
    with app.app_context():
        stored = db.session.scalars(select(SignInFailure.key_hash)).all()
    assert stored and all(LEAD not in key and "10.0.0.1" not in key for key in stored)


def test_forms_without_csrf_token_are_refused(client, demo):
    response = client.post("/admin/sign-in", data={"email": LEAD, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "Your form had expired" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_htmx_requests_need_the_csrf_header_too(client, demo):
    sign_in(client, LEAD)
    response = client.post("/admin/sign-out", headers={"HX-Request": "true"})
    assert response.status_code == 400
    html = client.get("/admin/").get_data(as_text=True)
    token = csrf_from(html)
    assert f'"X-CSRFToken": "{token}"' in unescape(html)  # what htmx sends with every request
    response = client.post("/admin/sign-out", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_next_only_goes_to_our_own_pages(client, demo):
    html = client.get("/admin/sign-in").get_data(as_text=True)
    response = client.post(
        "/admin/sign-in?next=//evil.example/x",
        data={"email": LEAD, "password": DEMO_PASSWORD, "csrf_token": csrf_from(html)},
    )
    assert response.headers["Location"] == "/admin/"
