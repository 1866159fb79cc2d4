"""What the browser is told to do: use HTTPS only, keep staff pages out of every
cache, name cookies so no other site on the domain can set them, and forget
everything at staff sign-out and at the kiosk's "start again"."""

from __future__ import annotations

import pytest
from flask import Flask

from frontdoor import create_app
from kiosk.access import COOKIE
from tests.conftest import DEMO_PASSWORD, csrf_from, sign_in, submit
from tests.route_samples import pair_kiosk, sample_values, staff_routes, url_of

MANAGER = "manager@riverside.example"
HTTPS = "https://localhost"


@pytest.fixture
def production(app: Flask, database_url: str) -> Flask:
    return create_app(
        {
            "env": "production",
            "database_url": database_url,
            "secret_key": "another-secret",
            "family_key_secret": "another-family-key-secret",
            "instance_path": app.instance_path,
            "log_level": "WARNING",
        }
    )


def test_production_tells_browsers_to_use_https_for_a_year_and_subdomains(production):
    response = production.test_client().get("/admin/sign-in", base_url=HTTPS)
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts


def test_development_sends_no_hsts(client):
    # A developer's browser must not be told to refuse plain http://localhost for a year.
    assert "Strict-Transport-Security" not in client.get("/admin/sign-in").headers


def test_production_session_cookie_is_host_only_secure_and_for_the_whole_site(production, demo):
    client = production.test_client()
    response = submit(
        client,
        "/admin/sign-in",
        {"email": MANAGER, "password": DEMO_PASSWORD},
        base_url=HTTPS,
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-frontdoor_session=")
    assert "Secure" in cookie and "Path=/;" in cookie + ";" and "Domain=" not in cookie


def test_production_csrf_token_lives_in_the_host_only_session_cookie(production):
    # Flask-WTF keeps its secret in the session, so the __Host- session cookie covers it.
    client = production.test_client()
    response = client.get("/admin/sign-in", base_url=HTTPS)
    assert csrf_from(response.get_data(as_text=True))
    names = [c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")]
    assert names == ["__Host-frontdoor_session"]


def test_no_staff_page_may_be_kept_by_a_browser_or_proxy(app, demo, client):
    values = sample_values(app)
    sign_in(client, MANAGER)
    cached = []
    for rule, _ in staff_routes(app):
        if "GET" not in rule.methods:
            continue
        url = url_of(rule, values)
        response = client.get(url)
        if response.status_code < 400 and "no-store" not in response.headers.get(
            "Cache-Control", ""
        ):
            cached.append(url)
    assert cached == []
    assert "no-store" in client.get("/admin/sign-in").headers["Cache-Control"]


def test_sign_out_tells_the_browser_to_forget_the_site(client, demo):
    sign_in(client, MANAGER)
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    response = client.post("/admin/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_kiosk_start_again_forgets_the_visit_but_keeps_the_screen_paired(app, demo, client):
    pair_kiosk(client, app)
    response = client.get("/kiosk/reset")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    # "cookies" would also delete the screen's pairing cookie: it must still work.
    assert client.get_cookie(COOKIE, path="/kiosk") is not None
    assert client.get("/kiosk/").status_code == 200


def test_the_privacy_notice_names_the_session_cookie_as_sent(production, client):
    assert "“__Host-frontdoor_session”" in production.test_client().get("/book/privacy").text
    assert "“frontdoor_session”" in client.get("/book/privacy").text
