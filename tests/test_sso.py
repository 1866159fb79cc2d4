"""Council single sign-on against a real OpenID Connect provider (tests/oidc/provider.mjs).

A member of staff the council added signs in with their council account and is
linked on first sign-in; after that they are their provider's subject, not their
email. Every bad answer is refused and nobody is signed in: another tenant's token,
another app's, an expired one, an unsigned one, an old nonce, a state that is not
this browser's, a lost PKCE verifier, a person nobody invited, a deactivated one.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from frontdoor.config import ConfigError, load_config, parse_group_roles
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Hub, Role, StaffUser
from frontdoor.staff import set_active
from tests.conftest import DEMO_PASSWORD, csrf_from
from tests.message_servers import free_port
from tests.oidc_fixtures import LABEL, configure_sso, reasons, start_sso

TOM = "reception@riverside.example"  # Tom Reid, reception at Riverside (the demo)
NOT_INVITED = "Your council account cannot sign in to Front Door"
FAILED = "Signing in with your council account did not work"


def _sign_in(client, provider, subject: str, next_page: str | None = None):
    """The whole round trip: our button, the provider's sign-in, our callback."""
    callback = provider.callback_for(start_sso(client, next_page), subject)
    return client.get(callback)


def _signed_in_as(client) -> str | None:
    response = client.get("/admin/")
    if response.status_code != 200:
        return None
    return response.get_data(as_text=True).split("Hello, ", 1)[1].split("<", 1)[0]


def _refused_with(client, response, words: str) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/sign-in"
    assert words in client.get("/admin/sign-in").get_data(as_text=True)
    assert _signed_in_as(client) is None


def _staff(app, email: str) -> StaffUser:
    with app.app_context():
        user = db.session.scalar(select(StaffUser).filter_by(email=email))
        db.session.expunge(user)
        return user


def _audit(app, action: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.detail).filter_by(action=action)))


def test_an_invited_colleague_signs_in_and_is_linked_to_their_council_account(
    app, demo, client, sso, security_log
):
    subject = sso.account(TOM)
    response = _sign_in(client, sso, subject, next_page="/admin/arrivals")
    assert response.headers["Location"] == "/admin/arrivals"
    assert _signed_in_as(client) == "Tom Reid"
    tom = _staff(app, TOM)
    assert (tom.oidc_issuer, tom.oidc_subject) == (sso.issuer, subject)
    assert tom.last_sign_in_at is not None
    assert _audit(app, "staff.sso_linked") == [
        "Linked to the council's single sign-on at first sign-in"
    ]
    assert security_log == []


def test_a_linked_colleague_is_known_by_their_subject_whatever_their_email_becomes(
    app, demo, client, sso
):
    subject = sso.account(TOM)
    _sign_in(client, sso, subject)
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    sso.set_account(subject, "tom.reid@riverside-council.example")
    _sign_in(client, sso, subject)
    assert _signed_in_as(client) == "Tom Reid"


def test_signing_out_ends_the_single_sign_on_login_on_the_server(app, demo, client, sso):
    _sign_in(client, sso, sso.account(TOM))
    cookie = client.get_cookie("frontdoor_session")
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    client.set_cookie(cookie.key, cookie.value)
    assert _signed_in_as(client) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"claims": {"iss": "https://login.microsoftonline.com/another-tenant/v2.0"}}, "bad_iss"),
        ({"claims": {"aud": "another-councils-app"}}, "bad_aud"),
        ({"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}}, "expired"),
        ({"alg": "none"}, "signature"),
        ({"remove": ("nonce",)}, "bad_nonce"),
    ],
    ids=["another-tenant", "another-audience", "expired", "unsigned", "no-nonce"],
)
def test_a_bad_id_token_signs_nobody_in(app, demo, client, sso, security_log, change, reason):
    subject = sso.account(TOM)
    sso.next_id_token(**change)
    _refused_with(client, _sign_in(client, sso, subject), FAILED)
    assert reasons(security_log) == [reason]
    assert _staff(app, TOM).oidc_subject is None


@pytest.mark.parametrize(
    "change",
    [{"claims": {"amr": ["pwd"]}}, {"remove": ("amr",)}],
    ids=["password-only", "no-amr"],
)
def test_a_council_that_requires_mfa_refuses_a_token_without_it(
    app, demo, client, sso, security_log, change
):
    subject = sso.account(TOM)
    sso.next_id_token(**change)
    with configure_sso(app, sso, "http://127.0.0.1", oidc_required_amr="mfa"):
        _refused_with(client, _sign_in(client, sso, subject), FAILED)
    assert reasons(security_log) == ["amr_missing"]
    assert _staff(app, TOM).oidc_subject is None


def test_a_council_that_requires_mfa_signs_in_a_token_that_says_mfa(
    app, demo, client, sso, security_log
):
    subject = sso.account(TOM)
    sso.next_id_token({"amr": ["pwd", "mfa"]})
    with configure_sso(app, sso, "http://127.0.0.1", oidc_required_amr="mfa"):
        _sign_in(client, sso, subject)
        assert _signed_in_as(client) == "Tom Reid"
    assert security_log == []


def test_the_amr_claim_is_not_checked_unless_the_council_asks(app, demo, client, sso):
    subject = sso.account(TOM)
    sso.next_id_token({"amr": ["pwd"]})
    _sign_in(client, sso, subject)
    assert _signed_in_as(client) == "Tom Reid"


def test_an_id_token_with_an_earlier_sign_ins_nonce_is_refused(
    app, demo, client, sso, security_log
):
    subject = sso.account(TOM)
    authorize = start_sso(client)
    with client.session_transaction() as session:
        earlier_nonce = session["sso_pending"]["nonce"]
    client.get(sso.callback_for(authorize, subject))
    assert _signed_in_as(client) == "Tom Reid"
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    sso.next_id_token({"nonce": earlier_nonce})
    _refused_with(client, _sign_in(client, sso, subject), FAILED)
    assert reasons(security_log) == ["bad_nonce"]


def test_an_answer_meant_for_another_browser_or_used_twice_is_refused(
    app, demo, client, sso, security_log
):
    subject = sso.account(TOM)
    callback = sso.callback_for(start_sso(client), subject)
    # Another browser (a sign-in forced on someone: login CSRF): no sign-in started there.
    other = app.test_client()
    _refused_with(other, other.get(callback), FAILED)
    # This browser, but a state that is not the one it sent.
    start_sso(client)
    forged = callback.replace("state=", "state=x")
    _refused_with(client, client.get(forged), FAILED)
    # And the same answer again after it was used.
    callback = sso.callback_for(start_sso(client), subject)
    client.get(callback)
    assert _signed_in_as(client) == "Tom Reid"
    fresh = app.test_client()
    _refused_with(fresh, fresh.get(callback), FAILED)
    assert reasons(security_log) == ["state_mismatch"] * 3


def test_a_sign_in_that_lost_its_pkce_verifier_is_refused(app, demo, client, sso, security_log):
    subject = sso.account(TOM)
    authorize = start_sso(client)
    assert "code_challenge_method=S256" in authorize
    with client.session_transaction() as session:
        pending = dict(session["sso_pending"])
        del pending["verifier"]
        session["sso_pending"] = pending
    _refused_with(client, client.get(sso.callback_for(authorize, subject)), FAILED)
    assert reasons(security_log) == ["pkce_verifier_missing"]


def test_a_colleague_who_cancels_at_the_provider_is_back_at_sign_in(
    app, demo, client, sso, security_log
):
    start_sso(client)
    with client.session_transaction() as session:
        state = session["sso_pending"]["state"]
    answer = client.get("/admin/sign-in/sso/callback", query_string={
        "error": "access_denied", "state": state
    })  # fmt: skip
    _refused_with(client, answer, FAILED)
    assert reasons(security_log) == ["provider_error"]


def test_a_provider_that_is_down_or_names_another_issuer_is_not_used(
    app, client, oidc_provider, security_log
):
    down = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    with configure_sso(app, oidc_provider, "http://127.0.0.1", oidc_discovery_url=down):
        _refused_with(client, client.get("/admin/sign-in/sso"), FAILED)
    other = "https://login.microsoftonline.com/another-tenant/v2.0"
    with configure_sso(app, oidc_provider, "http://127.0.0.1", oidc_issuer=other):
        _refused_with(client, client.get("/admin/sign-in/sso"), FAILED)
    assert reasons(security_log) == ["provider_unavailable", "discovery_issuer"]


def test_a_person_nobody_invited_is_refused_and_nothing_personal_is_logged(
    app, demo, client, sso, security_log
):
    subject = sso.account("stranger@riverside-council.example")
    _refused_with(client, _sign_in(client, sso, subject), NOT_INVITED)
    assert reasons(security_log) == ["unknown_person"]
    assert "stranger" not in security_log[0] and subject not in security_log[0]


def test_an_email_the_provider_has_not_verified_links_nobody(app, demo, client, sso, security_log):
    _refused_with(client, _sign_in(client, sso, sso.account(TOM, verified=False)), NOT_INVITED)
    assert reasons(security_log) == ["email_unverified"]
    assert _staff(app, TOM).oidc_subject is None


def test_a_deactivated_colleague_is_refused_before_and_after_linking(
    app, demo, client, sso, security_log
):
    subject = sso.account(TOM)
    _sign_in(client, sso, subject)  # linked
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    practitioner = "practitioner@riverside.example"
    with app.app_context():
        for email in (TOM, practitioner):
            set_active(db.session.scalar(select(StaffUser).filter_by(email=email)), False)
        db.session.commit()
    _refused_with(client, _sign_in(client, sso, subject), NOT_INVITED)
    _refused_with(client, _sign_in(client, sso, sso.account(practitioner)), NOT_INVITED)
    assert reasons(security_log) == ["deactivated", "deactivated"]
    assert (
        _audit(app, "staff.sso_refused")
        == ["Single sign-on refused: the account is deactivated"] * 2
    )
    assert _staff(app, practitioner).oidc_subject is None


def test_the_same_email_under_another_subject_is_refused_once_linked(
    app, demo, client, sso, security_log
):
    _sign_in(client, sso, sso.account(TOM))
    client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    _refused_with(client, _sign_in(client, sso, sso.account(TOM)), NOT_INVITED)
    assert reasons(security_log) == ["linked_elsewhere"]
    assert _audit(app, "staff.sso_refused") == [
        "Single sign-on refused: the account is linked to another sign-in"
    ]


def test_a_council_group_gives_and_takes_away_the_role_it_is_mapped_to(app, demo, client, sso):
    app.config["FRONTDOOR"].oidc_group_roles = parse_group_roles(
        "g-leads=session_lead@riverside, g-ignored=reception@no-such-hub"
    )
    try:
        subject = sso.account(TOM, groups=("g-leads", "g-other"))
        _sign_in(client, sso, subject)
        with app.app_context():
            riverside = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
        assert _staff(app, TOM).roles_at(riverside) == {Role.RECEPTION, Role.SESSION_LEAD}
        client.post("/admin/sign-out", data={"csrf_token": csrf_from(client.get("/admin/").text)})
        sso.set_account(subject, TOM, groups=())
        _sign_in(client, sso, subject)
        # Reception was given in Front Door, not by a group: it stays.
        assert _staff(app, TOM).roles_at(riverside) == {Role.RECEPTION}
        assert len(_audit(app, "staff.sso_roles")) == 2
    finally:
        app.config["FRONTDOOR"].oidc_group_roles = ()


def test_with_password_sign_in_off_only_the_council_button_is_offered(
    app, demo, client, sso, security_log
):
    # A form from before the council switched passwords off, still open in a tab.
    token = csrf_from(client.get("/admin/sign-in").get_data(as_text=True))
    app.config["FRONTDOOR"].password_sign_in = False
    try:
        page = client.get("/admin/sign-in").get_data(as_text=True)
        assert LABEL in page
        assert 'type="password"' not in page
        refused = client.post(
            "/admin/sign-in", data={"email": TOM, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert refused.status_code == 403
        assert _signed_in_as(client) is None
        assert reasons(security_log) == ["password_sign_in_off"]
    finally:
        app.config["FRONTDOOR"].password_sign_in = True


def test_the_sign_in_page_offers_single_sign_on_beside_the_password_when_both_are_on(client, sso):
    page = client.get("/admin/sign-in?next=/admin/arrivals").get_data(as_text=True)
    assert LABEL in page and 'type="password"' in page
    assert "/admin/sign-in/sso?next=/admin/arrivals" in page


def test_without_single_sign_on_there_is_no_button_and_no_route(client, app):
    assert "/admin/sign-in/sso" not in client.get("/admin/sign-in").get_data(as_text=True)
    assert client.get("/admin/sign-in/sso").status_code == 404
    assert client.get("/admin/sign-in/sso/callback?code=x&state=y").status_code == 404


_SSO = {
    "FRONTDOOR_OIDC_CLIENT_ID": "client",
    "FRONTDOOR_OIDC_CLIENT_SECRET": "secret",
    "FRONTDOOR_OIDC_ISSUER": "https://login.microsoftonline.com/1111-2222/v2.0",
}


def _load(monkeypatch, tmp_path, **env: str):
    monkeypatch.setenv("FRONTDOOR_INSTANCE_PATH", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_config()


@pytest.mark.parametrize("tenant", ["common", "organizations", "consumers"])
def test_entras_multi_tenant_endpoints_are_refused_in_configuration(monkeypatch, tmp_path, tenant):
    url = f"https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"
    with pytest.raises(ConfigError, match="never Entra's multi-tenant 'common'"):
        _load(monkeypatch, tmp_path, FRONTDOOR_OIDC_DISCOVERY_URL=url, **_SSO)


def test_a_tenants_own_discovery_address_is_accepted(monkeypatch, tmp_path):
    url = "https://login.microsoftonline.com/1111-2222/v2.0/.well-known/openid-configuration"
    config = _load(
        monkeypatch,
        tmp_path,
        FRONTDOOR_OIDC_DISCOVERY_URL=url,
        FRONTDOOR_PASSWORD_SIGN_IN="off",
        FRONTDOOR_OIDC_GROUP_ROLES="aaa-111=reception@riverside, bbb-222=admin",
        **_SSO,
    )
    assert config.single_sign_on and not config.password_sign_in
    assert config.oidc_group_roles == (
        ("aaa-111", "reception", "riverside"),
        ("bbb-222", "admin", ""),
    )


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"FRONTDOOR_PASSWORD_SIGN_IN": "off"}, "PASSWORD_SIGN_IN=off needs single sign-on"),
        (
            {
                "FRONTDOOR_OIDC_DISCOVERY_URL": "https://idp.example/.well-known/openid-configuration"
            },
            "FRONTDOOR_OIDC_CLIENT_ID must be set",
        ),
        ({"FRONTDOOR_OIDC_GROUP_ROLES": "g=reception"}, "group=role@hub-slug"),
        ({"FRONTDOOR_OIDC_GROUP_ROLES": "g=admin@riverside"}, "group=role@hub-slug"),
        ({"FRONTDOOR_OIDC_GROUP_ROLES": "g=boss@riverside"}, "group=role@hub-slug"),
    ],
    ids=["password-off-alone", "no-client", "role-without-hub", "admin-at-a-hub", "no-such-role"],
)
def test_single_sign_on_settings_that_cannot_work_are_refused(monkeypatch, tmp_path, env, words):
    with pytest.raises(ConfigError, match=words):
        _load(monkeypatch, tmp_path, **env)


def test_a_single_sign_on_login_is_not_asked_for_front_doors_own_second_factor(
    app, demo, client, sso
):
    """Where a second factor is required, the council's provider has asked for its own:
    a sign-in through it reaches the staff pages; a password sign-in still must set one
    up (tests/test_second_factor.py)."""
    app.config["FRONTDOOR"].second_factor_required = True
    try:
        _sign_in(client, sso, sso.account(TOM))
        response = client.get("/admin/arrivals?hub=riverside")
        assert response.status_code == 200
        assert _signed_in_as(client) == "Tom Reid"
    finally:
        app.config["FRONTDOOR"].second_factor_required = False


def test_the_required_amr_is_read_from_the_environment(monkeypatch, tmp_path):
    assert _load(monkeypatch, tmp_path).oidc_required_amr == ""
    assert (
        _load(monkeypatch, tmp_path, FRONTDOOR_OIDC_REQUIRED_AMR="mfa").oidc_required_amr == "mfa"
    )
