"""Your account: "Where you are signed in" lists one's own open sign-ins (started,
last seen, board display or not; never a token) with "Sign out there" for each
other one, audited (ASVS 7.5.2)."""

from __future__ import annotations

import re

from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import AuditEvent, StaffLogin, StaffUser
from tests.conftest import csrf_from, sign_in
from tests.route_samples import pair_board_display

LEAD = "lead@riverside.example"
ADMIN = "admin@council.example"
_SIGN_OUT_THERE = re.compile(r'action="/admin/account/sign-ins/(\d+)/end"')


def _sign_out_there(client, login_id: str):
    token = csrf_from(client.get("/admin/account").text)
    return client.post(f"/admin/account/sign-ins/{login_id}/end", data={"csrf_token": token})


def _audit(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.staff_id, AuditEvent.detail).filter_by(action="staff.sign_out_there")
        )
        return [tuple(row) for row in rows]


def _id_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).filter_by(email=email))


def test_you_see_where_you_are_signed_in_and_can_sign_out_another_browser(app, client, demo):
    sign_in(client, LEAD)
    other = app.test_client()
    sign_in(other, LEAD)

    page = client.get("/admin/account").text
    assert "Where you are signed in" in page
    assert "This browser" in page and "Another browser" in page
    assert page.count("Sign out there") == 1  # not for this browser
    with app.app_context():
        hashes = db.session.scalars(select(StaffLogin.token_hash)).all()
    for secret in [*hashes, client.get_cookie("frontdoor_session").value]:
        assert secret not in page
    (login_id,) = _SIGN_OUT_THERE.findall(page)

    response = _sign_out_there(client, login_id)
    assert response.headers["Location"] == "/admin/account"
    page = client.get("/admin/account").text
    assert "Another browser" not in page and "You were signed out there" in page
    assert other.get("/admin/").headers["Location"].startswith("/admin/sign-in")
    assert client.get("/admin/").status_code == 200
    assert _audit(app) == [(_id_of(app, LEAD), "Signed out of another browser")]


def test_nobody_signs_out_someone_elses_browser(app, client, demo):
    admin = app.test_client()
    sign_in(admin, ADMIN)
    sign_in(client, LEAD)
    with app.app_context():
        admins_login = db.session.scalar(
            select(StaffLogin.id).filter_by(user_id=_id_of(app, ADMIN), ended_at=None)
        )
    assert _sign_out_there(client, str(admins_login)).status_code == 404
    assert admin.get("/admin/").status_code == 200
    assert _audit(app) == []


def test_a_board_display_you_added_is_listed_and_can_be_signed_out_there(app, client, demo):
    board = app.test_client()
    pair_board_display(board, app)
    assert board.get("/admin/arrivals?hub=riverside").status_code == 200
    sign_in(client, ADMIN)

    page = client.get("/admin/account").text
    assert "Board display: Reception desk" in page
    (login_id,) = _SIGN_OUT_THERE.findall(page)
    _sign_out_there(client, login_id)
    assert board.get("/admin/arrivals?hub=riverside").status_code == 302
    assert _audit(app) == [(_id_of(app, ADMIN), "Signed out of a board display")]
