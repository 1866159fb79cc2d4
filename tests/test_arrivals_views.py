"""The arrivals board over HTTP: who may see what, actions and their refusals in
plain words, CSRF, the event stream (staff only, catching up with Last-Event-ID,
heartbeats), check-in by hand, the roll call and the duty rota."""

from __future__ import annotations

import re
import threading
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from arrivals.checkin import check_in_drop_in
from arrivals.help_requests import request_help
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Duty,
    DutyAssignment,
    HelpRequest,
    Role,
    StaffUser,
    Visit,
)
from frontdoor.staff import create_staff
from kiosk.access import COOKIE
from kiosk.pairing import add_kiosk, pair
from tests.conftest import csrf_from, sign_in
from tests.test_concurrency import Browser, in_parallel
from tests.test_kiosk import NOW, place  # noqa: F401  (a fixture)

PASSWORD = "a-long-password"
HX = {"HX-Request": "true"}


@pytest.fixture
def reception(app, place):  # noqa: F811
    with app.app_context():
        create_staff(
            organisation_id=1,
            email="desk@test.example",
            name="Tom Reid",
            password=PASSWORD,
            roles=[(place.hub_id, Role.RECEPTION)],
        )
        db.session.commit()
        db.session.remove()
    return "desk@test.example"


def _client(app, email):
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    return client


def _arrive(app, place, first="Amira"):  # noqa: F811
    with app.app_context():
        visit = check_in_drop_in(
            place.play,
            hub_id=place.hub_id,
            first_name=first,
            adults=1,
            child_bands=("1-3", "3-5"),
            now=NOW,
        ).visit
        db.session.commit()
        found = visit.id
        db.session.remove()
    return found


def _walk_in(app, place, first):  # noqa: F811
    from arrivals.actions import check_in_by_hand

    with app.app_context():
        visit = check_in_by_hand(
            place.hub_id, staff_id=1, first_name=first, adults=1, child_bands=(), now=NOW
        ).visit
        db.session.commit()
        found = visit.id
        db.session.remove()
    return found


def _ask(app, place, **kwargs):  # noqa: F811
    with app.app_context():
        asked = request_help(place.hub_id, now=NOW, **kwargs)
        db.session.commit()
        found = asked.id
        db.session.remove()
    return found


def _on_duty(app, place, *emails: str) -> None:  # noqa: F811
    from arrivals.greeters import set_duty
    from tests.test_kiosk import TODAY

    with app.app_context():
        ids = db.session.scalars(select(StaffUser.id).where(StaffUser.email.in_(emails))).all()
        set_duty(place.hub_id, TODAY, Duty.PRACTITIONER, ids)
        db.session.commit()


def _drop_in_at_the_kiosk(app, client, place, first_name: str) -> str:  # noqa: F811
    """A family drops in to Stay and Play at the kiosk: the thank-you screen's words."""
    from tests.test_kiosk import Screen, pair_screen

    pair_screen(app, client, place.hub_id)
    screen = Screen(client)
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "1", "next": "yes"})
    screen.post("/kiosk/drop-in/name", {"first_name": first_name})
    assert f"Thank you, {first_name}." in screen.text
    return screen.text


def _text(response) -> str:
    return _text_of(response.get_data(as_text=True))


def _text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def test_the_board_shows_arrivals_and_who_greets_them(app, place, reception):  # noqa: F811
    _arrive(app, place)
    _ask(app, place, topic="housing", first_name="Bea", private_room=True)
    client = _client(app, reception)
    response = client.get("/admin/arrivals?hub=testhub")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = _text(response)
    assert "Amira" in page and "Stay and Play" in page and "To greet: Sam K." in page
    assert "1 adult, 2 children" in page and "Private room" in page
    # Reception sees that Bea asked, never what about, nor a way to the details.
    assert "Housing" not in page and "/admin/arrivals/help/" not in response.get_data(as_text=True)
    fragment = client.get("/admin/arrivals?hub=testhub", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "Amira" in fragment


def test_help_details_are_for_practitioners_and_every_opening_is_audited(
    app,
    place,  # noqa: F811
    reception,
):
    asked = _ask(app, place, topic="money", first_name="Bea")
    assert _client(app, reception).get(f"/admin/arrivals/help/{asked}").status_code == 403
    client = _client(app, "sam@test.example")
    assert "/admin/arrivals/help/" in client.get("/admin/arrivals?hub=testhub").get_data(
        as_text=True
    )
    for _ in range(2):
        response = client.get(f"/admin/arrivals/help/{asked}")
        assert response.status_code == 200 and "Money and bills" in _text(response)
    with app.app_context():
        audits = db.session.scalars(
            select(AuditEvent).filter_by(subject_type="help_request", subject_id=asked)
        ).all()
        assert [a.action for a in audits] == ["help_request.view"] * 2
        assert all("Bea" not in a.detail for a in audits)
    # Another hub's practitioner may not.
    with app.app_context():
        create_staff(
            organisation_id=1,
            email="far@test.example",
            name="Far Away",
            password=PASSWORD,
            roles=[(place.other_hub_id, Role.PRACTITIONER)],
        )
        db.session.commit()
    assert _client(app, "far@test.example").get(f"/admin/arrivals/help/{asked}").status_code == 403


def _act(client, visit_id, action, version=None, **extra):
    page = client.get("/admin/arrivals?hub=testhub").get_data(as_text=True)
    if version is None:
        version = re.search(
            rf'name="id" value="{visit_id}">\s*<input type="hidden" name="version" value="(\d+)"',
            page,
        ).group(1)
    data = {"subject": "visit", "id": visit_id, "version": version, "action": action}
    return client.post(
        "/admin/arrivals/act", data={**data, **extra, "csrf_token": csrf_from(page)}, headers=HX
    )


def test_claims_race_is_told_in_plain_words_and_undo_works(app, place, reception):  # noqa: F811
    visit = _arrive(app, place)
    sam, desk = _client(app, "sam@test.example"), _client(app, reception)
    claimed = _act(sam, visit, "claim")
    assert "You will greet Amira." in _text(claimed)
    assert claimed.headers["HX-Trigger"] == "fd:refresh"
    late = _act(desk, visit, "claim", version=0)
    assert "Sam K. is already greeting them" in _text(late)
    action_id = re.search(r'name="action_id" value="(\d+)"', claimed.get_data(as_text=True))[1]
    page = sam.get("/admin/arrivals?hub=testhub").get_data(as_text=True)
    undone = sam.post(
        "/admin/arrivals/undo",
        data={"action_id": action_id, "csrf_token": csrf_from(page)},
        headers=HX,
    )
    assert "Undone." in _text(undone)
    with app.app_context():
        assert db.session.get(Visit, visit).claimed_by_id is None


def test_acting_on_a_closed_visit_or_a_stale_board_or_without_csrf(app, place, reception):  # noqa: F811
    visit = _arrive(app, place)
    sam, desk = _client(app, "sam@test.example"), _client(app, reception)
    stale_page = desk.get("/admin/arrivals?hub=testhub").get_data(as_text=True)
    assert "has been greeted" in _text(_act(sam, visit, "greeted"))
    assert "has been checked out" in _text(_act(sam, visit, "done"))
    closed = _act(desk, visit, "with_staff", version=0)
    assert "Someone has already checked them out" in _text(closed)
    forged = desk.post(
        "/admin/arrivals/act",
        data={"subject": "visit", "id": visit, "version": 0, "action": "no_show"},
    )
    assert forged.status_code == 400
    assert csrf_from(stale_page)
    other = _arrive(app, place, first="Bea")
    _act(sam, other, "claim")
    stale = _act(desk, other, "no_show", version=0)
    assert "The board had changed" in _text(stale)


def test_without_htmx_an_action_goes_back_to_the_board_with_a_message(app, place):  # noqa: F811
    visit = _arrive(app, place)
    sam = _client(app, "sam@test.example")
    page = sam.get("/admin/arrivals?hub=testhub").get_data(as_text=True)
    response = sam.post(
        "/admin/arrivals/act",
        data={
            "subject": "visit",
            "id": visit,
            "version": 0,
            "action": "claim",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 302
    assert "You will greet Amira." in _text(sam.get(response.headers["Location"]))


@contextmanager
def _short_streams(app, seconds=1.0, heartbeat=0.3):
    config = app.config["FRONTDOOR"]
    kept = (config.stream_max_seconds, config.stream_heartbeat_seconds)
    config.stream_max_seconds, config.stream_heartbeat_seconds = seconds, heartbeat
    try:
        yield
    finally:
        config.stream_max_seconds, config.stream_heartbeat_seconds = kept


def test_the_stream_sends_events_live_and_what_a_reconnecting_board_missed(app, place):  # noqa: F811
    sam = _client(app, "sam@test.example")
    first = _arrive(app, place)
    with app.app_context():
        from frontdoor.events import bus, latest_event_id

        events_bus = bus()
        if hasattr(events_bus, "wait_until_listening"):
            assert events_bus.wait_until_listening()
        seen = latest_event_id(place.hub_id)
    with _short_streams(app, seconds=5):
        response = sam.get("/admin/arrivals/stream?hub=testhub")
        assert response.status_code == 200
        assert response.mimetype == "text/event-stream"
        chunks = iter(response.response)
        assert "retry:" in next(chunks).decode()
        second = _arrive(app, place, first="Bea")
        received = ""
        while "visit.arrived" not in received:
            received += next(chunks).decode()
        response.close()
    assert f'"id":{second}' in received and "Bea" not in received
    assert re.search(r"^id: \d+$", received, re.M) and "event: arrivals" in received
    # Reconnecting with Last-Event-ID: what came after it, then heartbeats.
    with _short_streams(app, seconds=0.8):
        caught_up = sam.get(
            "/admin/arrivals/stream?hub=testhub", headers={"Last-Event-ID": str(seen - 1)}
        ).get_data(as_text=True)
    assert f'"id":{first}' in caught_up and f'"id":{second}' in caught_up
    assert ": heartbeat" in caught_up


def test_the_stream_refuses_kiosks_signed_out_browsers_and_other_hubs(app, place, client):  # noqa: F811
    assert client.get("/admin/arrivals/stream?hub=testhub").status_code == 302
    with app.app_context():
        _, code = add_kiosk(place.hub_id, "Foyer", now=NOW, created_by_id=None)
        _, credential = pair(code, now=NOW)
        db.session.commit()
    client.set_cookie(COOKIE, credential, path="/")
    response = client.get("/admin/arrivals/stream?hub=testhub")
    assert response.status_code == 302 and "sign-in" in response.headers["Location"]
    sam = _client(app, "sam@test.example")
    assert sam.get("/admin/arrivals/stream?hub=otherhub").status_code == 403


def test_check_in_by_hand_validates_and_a_double_submit_makes_one_visit(app, place, reception):  # noqa: F811
    desk = _client(app, reception)
    page = desk.get("/admin/arrivals/check-in?hub=testhub").get_data(as_text=True)
    token = csrf_from(page)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page)[1]
    empty = desk.post(
        "/admin/arrivals/check-in?hub=testhub",
        data={"csrf_token": token, "nonce": nonce, "first_name": "", "adults": "x"},
    )
    assert empty.status_code == 200
    assert "There is a problem" in _text(empty) and "Enter their first name" in _text(empty)
    assert "Adults must be a whole number" in _text(empty)
    data = {
        "csrf_token": token,
        "nonce": nonce,
        "first_name": "Kim",
        "last_name": "Lee",
        "adults": "1",
        "children_1_3": "1",
        "language": "en",
        "session": str(place.play),
    }
    for _ in range(2):
        done = desk.post("/admin/arrivals/check-in?hub=testhub", data=data)
        assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    board = desk.get(done.headers["Location"])
    assert "Kim L. has been checked in." in _text(board)
    action_id = re.search(r'name="action_id" value="(\d+)"', board.get_data(as_text=True))[1]
    assert "has been checked in" not in _text(desk.get(done.headers["Location"]))  # said once
    undone = desk.post(
        "/admin/arrivals/undo",
        data={"action_id": action_id, "csrf_token": token},
        headers=HX,
    )
    assert "Undone." in _text(undone)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_roll_call_lists_everyone_in_the_building(app, place, reception):  # noqa: F811
    _arrive(app, place, first="Amira")
    _ask(app, place, topic="money", first_name="Cleo")
    desk = _client(app, reception)
    page = desk.get("/admin/arrivals/roll-call?hub=testhub")
    text = _text(page)
    assert "Fire roll call" in text and "Amira" in text and "Cleo" in text
    assert "1 party: 1 adult, 2 children" in text and "Tom Reid" in text
    assert "sse-connect" not in page.get_data(as_text=True)  # nothing live on it


def test_roll_call_shows_todays_duty_rota_beside_who_signed_in(app, place, reception):  # noqa: F811
    _on_duty(app, place, "grace@test.example")
    page = _client(app, reception).get("/admin/arrivals/roll-call?hub=testhub")
    html = page.get_data(as_text=True)
    staff = html.split('id="staff"')[1].split("</table>")[0]
    rows = [_text_of(row) for row in re.findall(r"<tr.*?</tr>", staff, re.S)]
    assert rows == [
        "Here Name On today's duty rota Signed in to Front Door today",
        "Grace Okafor Greeter No",  # on the rota, not signed in: still to be found
        "Tom Reid No Yes",
    ]
    assert "2 staff: 1 on today's duty rota, 1 signed in to Front Door." in _text(page)


def test_a_manager_sets_todays_duty_rota(app, place):  # noqa: F811
    manager = _client(app, "manager@test.example")
    page = manager.get("/admin/arrivals/duty?hub=testhub").get_data(as_text=True)
    with app.app_context():
        sam = db.session.scalar(select(StaffUser.id).filter_by(email="sam@test.example"))
    response = manager.post(
        "/admin/arrivals/duty?hub=testhub",
        data={"csrf_token": csrf_from(page), "practitioners": [str(sam)]},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(DutyAssignment.staff_id)) == sam
    assert (
        _client(app, "sam@test.example").get("/admin/arrivals/duty?hub=testhub").status_code == 403
    )


def test_my_arrivals_shows_only_mine(app, place):  # noqa: F811
    _arrive(app, place, first="Amira")  # Stay and Play: Sam leads it
    _ask(app, place, topic="money", first_name="Cleo")  # nobody on duty: anyone's
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 1
    grace = _client(app, "grace@test.example")
    mine = _text(grace.get("/admin/arrivals/mine?hub=testhub"))
    assert "Amira" not in mine
    assert "Amira" in _text(
        _client(app, "sam@test.example").get("/admin/arrivals/mine?hub=testhub")
    )


def test_the_kiosk_and_the_board_name_the_same_greeter_for_a_drop_in(
    app,
    place,  # noqa: F811
    client,
    reception,
):
    """Grace is on today's duty rota; Sam leads Stay and Play. The family who
    drops in is told Grace will say hello, and reception is asked to send Grace."""
    _on_duty(app, place, "grace@test.example")
    thanks = _drop_in_at_the_kiosk(app, client, place, "Kai")
    assert "Grace will come to say hello." in thanks
    board = _text(_client(app, reception).get("/admin/arrivals?hub=testhub"))
    assert "Kai" in board and "To greet: Grace O. " in board
    # Grace's own list has Kai; Sam's, though he leads the session, does not.
    assert "Kai" in _text(_client(app, "grace@test.example").get("/admin/arrivals/mine"))
    assert "Kai" not in _text(_client(app, "sam@test.example").get("/admin/arrivals/mine"))


def test_with_several_on_duty_the_kiosk_names_nobody_the_board_does_not_single_out(
    app,
    place,  # noqa: F811
    client,
    reception,
):
    """Grace and Sam both on duty: either may greet, so the kiosk promises "a
    member of the team" rather than one of them by name."""
    _on_duty(app, place, "grace@test.example", "sam@test.example")
    thanks = _drop_in_at_the_kiosk(app, client, place, "Kai")
    assert "A member of the team will come to say hello." in thanks
    board = _text(_client(app, reception).get("/admin/arrivals?hub=testhub"))
    assert "To greet: Grace O., Sam K." in board


def test_a_family_checks_itself_out_at_the_kiosk(app, place, client):  # noqa: F811
    from tests.test_kiosk import Screen, pair_screen

    pair_screen(app, client, place.hub_id)
    first, second, other = (_walk_in(app, place, name) for name in ("Zara", "Zara", "Yusuf"))
    screen = Screen(client)
    screen.start("leaving")
    assert "What is your first name?" in screen.text
    screen.post("/kiosk/leaving", {"first_name": "Nobody"})
    assert "We could not find you. Please tell reception you are leaving." in screen.text
    screen.post("/kiosk/leaving", {"first_name": "zara"})
    assert "Is this you?" in screen.text and "Yusuf" not in screen.text
    screen.post("/kiosk/leaving/choose", {"index": "1"})
    assert "Goodbye, Zara. Thank you for coming." in screen.text
    screen.never_addressed("Zara")
    with app.app_context():
        statuses = {v.id: (v.status, v.left_by) for v in db.session.scalars(select(Visit))}
    assert statuses[second] == ("left", "kiosk")
    assert statuses[first][0] == statuses[other][0] == "waiting"


def test_ten_staff_pressing_ill_greet_at_once_one_wins_the_rest_are_told_who(
    app,
    live_server,
    place,  # noqa: F811
):
    visit = _arrive(app, place)
    people = 10
    with app.app_context():
        for n in range(people):
            create_staff(
                organisation_id=1,
                email=f"p{n}@test.example",
                name=f"Pat{n} Person{n}",
                password=PASSWORD,
                roles=[(place.hub_id, Role.PRACTITIONER)],
            )
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(people, timeout=60)

    def colleague(n: int) -> str:
        browser = Browser(live_server)
        _, html, _ = browser.open("/admin/sign-in")
        status, _, _ = browser.open(
            "/admin/sign-in",
            {"csrf_token": csrf_from(html), "email": f"p{n}@test.example", "password": PASSWORD},
        )
        assert status == 302
        _, html, _ = browser.open("/admin/arrivals?hub=testhub")
        form = {"csrf_token": csrf_from(html), "subject": "visit", "id": visit, "version": 0}
        request = urllib.request.Request(
            f"{live_server}/admin/arrivals/act",
            data=urllib.parse.urlencode({**form, "action": "claim"}).encode(),
            headers={"HX-Request": "true"},
        )
        barrier.wait()  # everyone has the board in front of them: now all press
        with browser.opener.open(request, timeout=60) as answer:
            return " ".join(re.sub(r"<[^>]+>", " ", answer.read().decode()).split())

    results = in_parallel(people, colleague)
    assert not [r for r in results if isinstance(r, BaseException)], results
    with app.app_context():
        winner = db.session.get(StaffUser, db.session.get(Visit, visit).claimed_by_id)
        told = f"{winner.short_name} is already greeting them"
        db.session.remove()
    assert sorted(results) == sorted(["Done You will greet Amira. Undo"] + [f"Not done {told}"] * 9)
