"""Signatures use HMAC-SHA-256 (ASVS 11.4.1): the session cookie and the links'
tokens. One signed by the same secret with SHA-1 (the libraries' default) is refused."""

from __future__ import annotations

import hashlib

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from booking.tokens import CHECK_IN, MANAGE
from frontdoor.tokens import (
    make_link_token,
    make_timed_link_token,
    make_token,
    read_link_token,
    read_timed_link_token,
    read_token,
)
from tests.conftest import sign_in

LEAD = "lead@riverside.example"
COOKIE = "frontdoor_session"
SECRET = "test-secret-key"
SHA256 = {"digest_method": hashlib.sha256}


def _sha1_copy_of_the_session(app, cookie: str) -> str:
    data = app.session_interface.get_signing_serializer(app).loads(cookie)
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)


def test_a_session_cookie_signed_with_sha1_signs_nobody_in(app, client, demo):
    sign_in(client, LEAD)
    cookie = client.get_cookie(COOKIE).value
    client.set_cookie(COOKIE, _sha1_copy_of_the_session(app, cookie))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


def test_the_apps_session_cookie_verifies_with_sha256(app, client, demo):
    sign_in(client, LEAD)
    cookie = client.get_cookie(COOKIE).value
    by_hand = URLSafeTimedSerializer(
        app.secret_key,
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", **SHA256},
    )
    assert by_hand.loads(cookie)  # raises BadSignature if signed any other way
    assert "Hello, Grace Okafor" in client.get("/admin/").get_data(as_text=True)


def test_a_link_token_signed_with_sha1_opens_nothing():
    sha1 = URLSafeSerializer(SECRET, salt=CHECK_IN)
    assert read_token(SECRET, CHECK_IN, sha1.dumps([42, "ABCD2345"])) is None
    assert (
        read_link_token(SECRET, MANAGE, URLSafeSerializer(SECRET, salt=MANAGE).dumps(["p", 1]))
        is None
    )
    timed = URLSafeTimedSerializer(SECRET, salt=MANAGE).dumps(["p", 1])
    assert read_timed_link_token(SECRET, MANAGE, timed, max_age_seconds=60) == "invalid"


def test_the_apps_link_tokens_verify_with_sha256():
    untimed = URLSafeSerializer(SECRET, salt=CHECK_IN, signer_kwargs=SHA256)
    assert untimed.loads(make_token(SECRET, CHECK_IN, 42, "ABCD2345")) == [42, "ABCD2345"]
    manage = URLSafeSerializer(SECRET, salt=MANAGE, signer_kwargs=SHA256)
    assert manage.loads(make_link_token(SECRET, MANAGE, "p", 1)) == ["p", 1]
    timed = URLSafeTimedSerializer(SECRET, salt=MANAGE, signer_kwargs=SHA256)
    assert timed.loads(make_timed_link_token(SECRET, MANAGE, "p", 1)) == ["p", 1]
