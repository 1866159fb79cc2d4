"""Every route declares who may use it, and the declaration is what happens.

Walks the app's whole URL map. A new route without ``@staff_required``,
``@public`` or ``@kiosk_required`` fails here; so does a route that lets in a
role it should not, and a kiosk route that works without a paired screen.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import Hub, Role, StaffUser
from kiosk.access import COOKIE
from tests.conftest import csrf_from, sign_in
from tests.route_samples import (
    ACCOUNTS,
    kiosk_routes,
    pair_board_display,
    pair_kiosk,
    rules,
    sample_values,
    staff_routes,
    url_of,
)


def _declared(view) -> bool:
    return bool(
        getattr(view, "public", False)
        or getattr(view, "required_roles", None)
        or getattr(view, "kiosk_device", False)
    )


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        rule.rule for rule in rules(app) if not _declared(app.view_functions[rule.endpoint])
    ]
    assert undeclared == []


def test_kiosk_routes_need_a_paired_screen_except_pairing(app):
    kiosk_rules = [rule for rule in rules(app) if rule.rule.startswith("/kiosk")]
    assert kiosk_rules
    for rule in kiosk_rules:
        view = app.view_functions[rule.endpoint]
        if rule.rule == "/kiosk/pair":
            assert getattr(view, "public", False)
        else:
            assert getattr(view, "kiosk_device", False), rule.rule
            assert not getattr(view, "public", False), rule.rule
            assert not getattr(view, "required_roles", None), rule.rule


def test_staff_pages_are_never_public(app):
    public_admin = [
        rule.rule
        for rule in rules(app)
        if rule.endpoint.startswith("admin.")
        and getattr(app.view_functions[rule.endpoint], "public", False)
    ]
    # Besides signing in (by password or the council's single sign-on) and out: the
    # code step after a password (it opens nothing without a password checked moments
    # ago, tests/test_second_factor.py) and a board display's pairing (nothing without
    # a manager's one-time code).
    assert sorted(public_admin) == [
        "/admin/board-display/pair",
        "/admin/sign-in",
        "/admin/sign-in/code",
        "/admin/sign-in/sso",
        "/admin/sign-in/sso/callback",
        "/admin/sign-out",
    ]


def test_a_board_display_gets_its_hubs_board_and_no_other_staff_route(app, demo, client):
    """The reception PC's sign-in: every staff route refuses it but the board of
    its own hub (and its live updates); another hub's board refuses it too."""
    values = sample_values(app)
    pair_board_display(client, app, "riverside")
    token = csrf_from(client.get("/admin/arrivals?hub=riverside").get_data(as_text=True))
    board = {"/admin/arrivals", "/admin/arrivals/wall", "/admin/arrivals/stream"}
    wrong = []
    for rule, _ in staff_routes(app):
        url = url_of(rule, values)
        if rule.rule in board:
            assert getattr(app.view_functions[rule.endpoint], "board_display", False)
            for hub, expected in (("riverside", 200), ("northgate", 403)):
                status = client.get(f"{url}?hub={hub}").status_code
                if status != expected:
                    wrong.append(f"GET {url}?hub={hub}: {status}")
            continue
        assert not getattr(app.view_functions[rule.endpoint], "board_display", False), rule.rule
        method = "GET" if "GET" in rule.methods else "POST"
        status = client.open(url, method=method, data={"csrf_token": token}).status_code
        if status != 403:
            wrong.append(f"{method} {url}: {status}")
    assert wrong == []


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_exactly_the_staff_routes_declared_for_it(app, demo, role):
    values = sample_values(app)
    client = app.test_client()
    sign_in(client, ACCOUNTS[role])
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(select(StaffUser).filter_by(email=ACCOUNTS[role]))
        held = user.roles_at(db.session.scalar(select(Hub.id).filter_by(slug="riverside")))
    wrong = []
    for rule, allowed in staff_routes(app):
        url = url_of(rule, values)
        may = bool(held & allowed)
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if (status == 403) == may or (may and status >= 400):
                wrong.append(f"GET {url}: {status}")
        elif not may:
            # Refused before anything happens; allowed POSTs are exercised elsewhere.
            status = client.post(url, data={"csrf_token": token}).status_code
            if status != 403:
                wrong.append(f"POST {url}: {status}")
    assert wrong == []


def test_signed_out_browsers_are_sent_to_sign_in_from_every_staff_route(app, demo, client):
    values = sample_values(app)
    token = csrf_from(client.get("/admin/sign-in").get_data(as_text=True))
    for rule, _ in staff_routes(app):
        url = url_of(rule, values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/sign-in"), url


def test_every_kiosk_route_but_pairing_shows_not_set_up_without_a_paired_screen(
    app, demo, signed_in
):
    values = sample_values(app)
    # Signed in as a manager: a staff sign-in is no way into the kiosk.
    client = signed_in("manager@riverside.example")
    token = csrf_from(client.get("/kiosk/pair").get_data(as_text=True))
    client.set_cookie(COOKIE, "a-guess", path="/kiosk")
    for rule in kiosk_routes(app):
        if rule.rule == "/kiosk/pair":
            continue
        url = url_of(rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            page = response.get_data(as_text=True)
            assert response.status_code == 403, f"{method} {url}"
            assert "This screen is not set up yet" in page, f"{method} {url}"
            assert "Riverside" not in page, f"{method} {url}"


def test_a_paired_kiosk_gives_no_way_into_the_staff_side(app, demo, client):
    values = sample_values(app)
    # Sent everywhere, not only to /kiosk, to be sure it grants nothing there.
    pair_kiosk(client, app, path="/")
    assert client.get("/kiosk/").status_code == 200
    token = csrf_from(client.get("/admin/sign-in").get_data(as_text=True))
    for rule, _ in staff_routes(app):
        url = url_of(rule, values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/sign-in"), url
