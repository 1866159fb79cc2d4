"""Sessions that end: after 30 quiet minutes, after 12 hours whatever happens, at
the end of a board display's working day; and ended on purpose (change of
password, sign out everywhere, an admin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, StaffLogin, StaffUser
from tests.conftest import csrf_from, sign_in, submit
from tests.route_samples import pair_board_display

PRACTITIONER = "practitioner@riverside.example"
ADMIN = "admin@council.example"
T = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT in December)


def at(**later: float) -> None:
    clock.freeze(T + timedelta(**later))


def signed_in_at_t(app: Flask, email: str = PRACTITIONER):
    clock.freeze(T)
    client = app.test_client()
    sign_in(client, email)
    return client


def audit_count(app: Flask, action: str) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).filter_by(action=action)
        return db.session.scalar(query)


def test_thirty_quiet_minutes_sign_you_out(app, demo):
    client = signed_in_at_t(app)
    at(minutes=29, seconds=59)
    assert client.get("/admin/").status_code == 200
    at(minutes=59, seconds=58)  # 29:59 after the last request
    assert client.get("/admin/").status_code == 200
    at(minutes=89, seconds=59)  # 30:01 after it
    response = client.get("/admin/")
    assert response.headers["Location"].startswith("/admin/sign-in")
    with app.app_context():
        assert db.session.scalar(select(StaffLogin.ended_at)) == T + timedelta(
            minutes=89, seconds=59
        )
    at(minutes=90)
    assert client.get("/admin/").status_code == 302  # ended for good, not just refused once


def test_a_request_within_the_minute_is_not_lost_time(app, demo):
    # last_seen_at is written at most once a minute: a request 30 seconds after
    # signing in is not written, so the quiet time is counted from sign-in and
    # the session never lasts more than 30 quiet minutes.
    client = signed_in_at_t(app)
    at(seconds=30)
    assert client.get("/admin/").status_code == 200
    at(minutes=30, seconds=1)
    assert client.get("/admin/").status_code == 302


def test_an_open_board_stream_does_not_keep_you_signed_in(app, demo):
    client = signed_in_at_t(app)
    at(minutes=20)
    assert client.get("/admin/arrivals/stream?hub=riverside").status_code == 200
    at(minutes=30, seconds=1)
    assert client.get("/admin/").status_code == 302


def test_twelve_hours_end_a_session_however_busy(app, demo):
    client = signed_in_at_t(app)
    for minutes in range(20, 12 * 60, 20):
        at(minutes=minutes)
        assert client.get("/admin/").status_code == 200, minutes
    at(hours=12)
    assert client.get("/admin/").status_code == 302


def test_the_settings_change_the_times(app, demo):
    config = app.config["FRONTDOOR"]
    config.staff_idle_minutes = 5
    try:
        client = signed_in_at_t(app)
        at(minutes=5, seconds=1)
        assert client.get("/admin/").status_code == 302
    finally:
        config.staff_idle_minutes = 30


def test_a_board_display_shows_all_day_and_ends_at_seven(app, demo):
    clock.freeze(T)
    board = app.test_client()
    pair_board_display(board, app, "riverside")
    shown = board.get("/admin/arrivals?hub=riverside").get_data(as_text=True)
    assert "Arrivals" in shown and "Board display" in shown
    assert "Check someone in" not in shown  # it shows the board; it does not act
    at(hours=9, minutes=59)  # 18:59, nobody touched it for hours
    assert board.get("/admin/arrivals?hub=riverside").status_code == 200
    at(hours=10)  # 19:00 in London
    response = board.get("/admin/arrivals?hub=riverside")
    assert response.headers["Location"].startswith("/admin/sign-in")


def test_a_removed_board_display_stops_at_once(app, demo):
    clock.freeze(T)
    board = app.test_client()
    pair_board_display(board, app, "riverside")
    manager = app.test_client()
    sign_in(manager, "manager@riverside.example")
    page = manager.get("/admin/board-displays").get_data(as_text=True)
    assert "Showing the board" in page
    from frontdoor.models import BoardDisplay

    with app.app_context():
        shown = db.session.scalar(select(BoardDisplay.id).filter_by(name="Reception desk"))
    manager.post(f"/admin/board-displays/{shown}/remove", data={"csrf_token": csrf_from(page)})
    assert board.get("/admin/arrivals?hub=riverside").status_code == 302


def test_a_pairing_code_works_once(app, demo, client):
    sign_in(client, "manager@riverside.example")
    page = submit(client, "/admin/board-displays/new", {"name": "Desk", "hub_id": _riverside(app)})
    code = page.get_data(as_text=True).split('id="pairing-code">')[1].split("<")[0]
    first, second = app.test_client(), app.test_client()
    assert submit(first, "/admin/board-display/pair", {"code": code}).status_code == 302
    refused = submit(second, "/admin/board-display/pair", {"code": code}).get_data(as_text=True)
    assert "Enter the pairing code shown on the manager" in refused
    assert second.get("/admin/arrivals?hub=riverside").status_code == 302
    assert audit_count(app, "board_display.create") == 1
    assert audit_count(app, "board_display.pair") == 1


def _riverside(app: Flask) -> int:
    from frontdoor.models import Hub

    with app.app_context():
        return db.session.scalar(select(Hub.id).filter_by(slug="riverside"))


def test_change_password_keeps_this_browser_and_signs_out_the_others(app, demo):
    here = signed_in_at_t(app)
    elsewhere = signed_in_at_t(app)
    page = "/admin/account/password"
    wrong = submit(
        here, page, {"current": "not-it", "new": "a-new-long-pass", "again": "a-new-long-pass"}
    )
    assert "Enter your current password correctly" in wrong.get_data(as_text=True)
    differ = submit(
        here,
        page,
        {"current": "demo-password", "new": "a-new-long-pass", "again": "other-long-pass"},
    )
    assert "The new passwords do not match" in differ.get_data(as_text=True)
    short = submit(here, page, {"current": "demo-password", "new": "short", "again": "short"})
    assert "Password must be at least 10 characters" in short.get_data(as_text=True)
    assert elsewhere.get("/admin/").status_code == 200  # nothing changed yet

    done = submit(
        here,
        page,
        {"current": "demo-password", "new": "a-new-long-pass", "again": "a-new-long-pass"},
    )
    assert done.headers["Location"] == "/admin/account"
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    sign_in(app.test_client(), PRACTITIONER, "a-new-long-pass")
    assert audit_count(app, "staff.change_password") == 1


def test_sign_out_everywhere_ends_every_login(app, demo):
    here = signed_in_at_t(app)
    elsewhere = signed_in_at_t(app)
    response = submit(here, "/admin/account", {}, action="/admin/account/sign-out-everywhere")
    assert response.headers["Location"] == "/admin/sign-in"
    assert here.get("/admin/").status_code == 302
    assert elsewhere.get("/admin/").status_code == 302
    assert audit_count(app, "staff.sign_out_everywhere") == 1


def test_an_admin_ends_someones_sessions(app, demo):
    theirs = signed_in_at_t(app)
    admin = signed_in_at_t(app, ADMIN)
    with app.app_context():
        person = db.session.scalar(select(StaffUser.id).filter_by(email=PRACTITIONER))
    page = f"/admin/staff/{person}"
    assert "End their sessions" in admin.get(page).get_data(as_text=True)
    submit(admin, page, {}, action=f"{page}/sessions/end")
    assert theirs.get("/admin/").status_code == 302
    assert admin.get("/admin/").status_code == 200
    assert audit_count(app, "staff.end_sessions") == 1
