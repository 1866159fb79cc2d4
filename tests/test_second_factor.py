"""The second factor: a password alone opens nothing; a code from the app opens
a login once; old, reused and guessed codes are refused; recovery codes work
once; admins reset a lost phone (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select

from frontdoor import clock, totp
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, StaffLogin, StaffSecondFactor, StaffUser
from frontdoor.staff import ThrottleRules
from tests.conftest import DEMO_PASSWORD, csrf_from, sign_in, submit

PRACTITIONER = "practitioner@riverside.example"
ADMIN = "admin@council.example"
# On a 30-second step boundary, so "a step ago" is exact.
T = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def second_factor_on(app: Flask) -> Iterator[None]:
    config = app.config["FRONTDOOR"]
    config.second_factor_required = True
    yield
    config.second_factor_required = False


def enrol(app: Flask, email: str) -> tuple[str, list[str]]:
    """Set up the person's app a minute before ``T``; returns (secret, recovery codes)."""
    at = T - timedelta(minutes=1)
    with app.app_context():
        user = db.session.scalar(select(StaffUser).filter_by(email=email))
        factor = totp.start_enrolment(user, now=at)
        code = pyotp.TOTP(factor.secret).at(at)
        codes = totp.confirm_enrolment(user, code, now=at, rules=ThrottleRules())
        secret = factor.secret
        db.session.commit()
    return secret, codes


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def password(client, email: str = PRACTITIONER):
    return submit(client, "/admin/sign-in", {"email": email, "password": DEMO_PASSWORD})


def enter_code(client, code: str):
    return submit(client, "/admin/sign-in/code", {"code": code})


def logins(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(StaffLogin).where(StaffLogin.ended_at.is_(None))
        )


def test_a_password_alone_reaches_no_staff_page(app, client, demo, second_factor_on):
    enrol(app, PRACTITIONER)
    clock.freeze(T)
    response = password(client)
    assert response.headers["Location"] == "/admin/sign-in/code"
    for page in ("/admin/", "/admin/arrivals", "/admin/account"):
        answer = client.get(page)
        assert answer.status_code == 302, page
        assert answer.headers["Location"].startswith("/admin/sign-in"), page
    assert logins(app) == 0


def test_password_and_code_sign_in(app, client, demo, second_factor_on):
    secret, _ = enrol(app, PRACTITIONER)
    clock.freeze(T + timedelta(seconds=5))
    password(client)
    assert "Enter your code" in client.get("/admin/sign-in/code").get_data(as_text=True)
    response = enter_code(client, code_at(secret, T))
    assert response.status_code == 302
    assert "Hello, " in client.get("/admin/").get_data(as_text=True)
    assert logins(app) == 1


def test_a_code_works_once(app, client, demo, second_factor_on):
    secret, _ = enrol(app, PRACTITIONER)
    clock.freeze(T)
    password(client)
    enter_code(client, code_at(secret, T))
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})

    password(client)
    page = enter_code(client, code_at(secret, T)).get_data(as_text=True)
    assert "Enter the 6-digit code your authenticator app shows now" in page
    assert client.get("/admin/").status_code == 302
    assert logins(app) == 0


def test_the_previous_step_works_and_the_one_before_does_not(app, client, demo, second_factor_on):
    secret, _ = enrol(app, PRACTITIONER)
    clock.freeze(T + timedelta(seconds=10))
    password(client)
    page = enter_code(client, code_at(secret, T - timedelta(seconds=60))).get_data(as_text=True)
    assert "Enter the 6-digit code" in page
    assert logins(app) == 0
    assert enter_code(client, code_at(secret, T - timedelta(seconds=30))).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_guessing_codes_is_paused_after_five_wrong(app, client, demo, second_factor_on):
    secret, _ = enrol(app, PRACTITIONER)
    clock.freeze(T)
    password(client)
    right = code_at(secret, T)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert enter_code(client, wrong).status_code == 200
    response = enter_code(client, right)  # even the right code, until the pause is over
    assert response.status_code == 429
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert logins(app) == 0
    # The count is the account's: a new browser with the password is paused too.
    other = app.test_client()
    password(other)
    assert enter_code(other, right).status_code == 429


def test_a_recovery_code_works_once(app, client, demo, second_factor_on):
    _, codes = enrol(app, PRACTITIONER)
    assert len(codes) == 10 and len(set(codes)) == 10
    clock.freeze(T)
    password(client)
    assert enter_code(client, codes[0].upper()).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})

    password(client)
    assert "Enter the 6-digit code" in enter_code(client, codes[0]).get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    with app.app_context():
        used = db.session.scalars(
            select(AuditEvent.detail).filter_by(action="second_factor.recovery_code")
        ).all()
        assert used == ["Used a recovery code (9 left)"]
        stored = db.session.scalars(select(StaffSecondFactor.secret)).all()
        assert all(code not in stored for code in codes)


def test_the_password_checked_state_lasts_five_minutes(app, client, demo, second_factor_on):
    secret, _ = enrol(app, PRACTITIONER)
    clock.freeze(T)
    password(client)
    page = client.get("/admin/sign-in/code").get_data(as_text=True)
    clock.freeze(T + timedelta(minutes=5, seconds=1))
    token = csrf_from(page)
    code = code_at(secret, clock.now())
    response = client.post("/admin/sign-in/code", data={"code": code, "csrf_token": token})
    assert response.headers["Location"] == "/admin/sign-in"
    assert logins(app) == 0


def test_no_app_yet_means_setting_it_up_before_any_staff_page(app, client, demo, second_factor_on):
    clock.freeze(T)
    password(client)
    page = client.get("/admin/sign-in/code").get_data(as_text=True)
    assert "Set up your second factor" in page
    assert logins(app) == 0
    secret = page.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    response = enter_code(client, code_at(secret, T))
    shown = response.get_data(as_text=True)
    assert "Your recovery codes" in shown
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        enrolled = (
            select(func.count()).select_from(AuditEvent).filter_by(action="second_factor.enrol")
        )
        assert db.session.scalar(enrolled) == 1
        assert (
            totp.recovery_codes_left(
                db.session.scalar(select(StaffUser.id).filter_by(email=PRACTITIONER))
            )
            == 10
        )


def test_a_login_from_before_the_rule_is_sent_to_set_it_up(app, client, demo, second_factor_on):
    app.config["FRONTDOOR"].second_factor_required = False
    sign_in(client, PRACTITIONER)
    app.config["FRONTDOOR"].second_factor_required = True
    response = client.get("/admin/arrivals")
    assert response.headers["Location"] == "/admin/account/second-factor"
    assert "Set up your second factor" in client.get("/admin/account/second-factor").text


def test_an_admin_resets_a_lost_phone(app, client, demo, second_factor_on):
    secret, _ = enrol(app, PRACTITIONER)
    admin_secret, _ = enrol(app, ADMIN)
    clock.freeze(T)
    password(client)
    enter_code(client, code_at(secret, T))
    assert client.get("/admin/").status_code == 200

    admin = app.test_client()
    with app.app_context():
        person = db.session.scalar(select(StaffUser.id).filter_by(email=PRACTITIONER))
    password(admin, ADMIN)
    enter_code(admin, code_at(admin_secret, T))
    page = f"/admin/staff/{person}"
    response = submit(admin, page, {}, action=f"{page}/second-factor/reset")
    assert response.status_code == 302

    assert client.get("/admin/").status_code == 302  # signed out everywhere
    password(client)
    assert "Set up your second factor" in client.get("/admin/sign-in/code").text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(action="second_factor.reset"))
        assert event.subject_id == person


def test_required_in_production_and_off_in_test_unless_set(tmp_path):
    from frontdoor.config import load_config

    base = {"database_url": "sqlite://", "instance_path": tmp_path}
    secrets = {"secret_key": "x" * 40, "family_key_secret": "y" * 40}
    assert load_config({**base, **secrets, "env": "production"}).second_factor_required is True
    assert load_config({**base, "env": "test"}).second_factor_required is False
    on = load_config({**base, "env": "development", "second_factor_required": True})
    assert on.second_factor_required is True
