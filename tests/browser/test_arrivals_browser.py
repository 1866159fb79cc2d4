"""The arrivals board in Chromium, live: a paired kiosk and signed-in staff in
their own browser contexts. A kiosk check-in reaches the board within a second,
a claim reaches a colleague's board, escalation turns amber then red under a
frozen clock, undo, the roll call (printed to A4 and still there offline), and
no accessibility faults axe can find."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from arrivals.help_requests import request_help
from arrivals.jobs import escalate_overdue
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Role
from frontdoor.staff import create_staff
from tests.browser.test_kiosk_browser import _axe, _open_kiosk
from tests.conftest import browser_sign_in
from tests.test_arrivals_views import _arrive
from tests.test_kiosk import NOW, place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password"

# Records notifications instead of showing them, with permission already given.
RECORD_NOTIFICATIONS = """
window.__notes = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__notes.push(title + " | " + (options || {}).body); }
};
"""


@pytest.fixture
def staff_page(app, browser, live_server, place):  # noqa: F811
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
    opened = []

    def open_as(email: str, **options):
        context = browser.new_context(
            base_url=live_server, viewport={"width": 1280, "height": 900}, **options
        )
        context.add_init_script(RECORD_NOTIFICATIONS)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        browser_sign_in(page, email, PASSWORD)
        opened.append(context)
        return page

    yield open_as
    for context in opened:
        context.close()


def _board(page, path="/admin/arrivals?hub=testhub"):
    page.goto(path)
    expect(page.locator("[data-live]")).to_have_text("Live")  # the stream is open
    return page.locator("#board")


def _card(board, name):
    return board.locator("[data-row]", has=board.page.get_by_role("heading", name=name))


def test_a_kiosk_check_in_is_on_the_board_within_one_second(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    staff_page,
):
    desk = staff_page("desk@test.example")
    board = _board(desk)
    expect(board.get_by_text("Nobody is waiting.")).to_be_visible()
    kiosk = _open_kiosk(app, browser, live_server, place.hub_id)
    try:
        kiosk.goto("/kiosk/")
        kiosk.get_by_role("button", name="I'm here for a drop-in").click()
        kiosk.get_by_role("button", name="Next").click()
        kiosk.get_by_label("What is your first name?").fill("Zara")
        kiosk.get_by_role("button", name="Check in").click()
        expect(_card(board, "Zara")).to_be_visible(timeout=1_000)
        expect(_card(board, "Zara")).to_contain_text("To greet: Sam K.")
        expect(kiosk.get_by_role("heading", name="Thank you, Zara.")).to_be_visible()
        # The alert says someone arrived, never who.
        notes = desk.evaluate("() => window.__notes")
        assert notes and all("Zara" not in note for note in notes)
        assert "Someone has arrived at Testhub Family Hub" in notes[-1]
        assert kiosk.errors == [] and desk.errors == []
    finally:
        kiosk.context.close()


def test_a_claim_reaches_a_colleague_and_undo_puts_it_back(app, place, staff_page):  # noqa: F811
    _arrive(app, place, first="Amira")
    desk_board = _board(staff_page("desk@test.example"))
    sam = staff_page("sam@test.example")
    sam_board = _board(sam)
    _card(sam_board, "Amira").get_by_role("button", name="I'll greet Amira").click()
    expect(sam.locator("#board-message")).to_contain_text("You will greet Amira.")
    expect(_card(desk_board, "Amira")).to_contain_text("Sam K. is greeting them")
    expect(_card(desk_board, "Amira").get_by_role("button", name="I'll greet Amira")).to_have_count(
        0
    )
    sam.locator("#board-message").get_by_role("button", name="Undo").click()
    expect(sam.locator("#board-message")).to_contain_text("Undone.")
    expect(
        _card(desk_board, "Amira").get_by_role("button", name="I'll greet Amira")
    ).to_be_visible()
    # The Undo button goes after 10 seconds.
    _card(sam_board, "Amira").get_by_role("button", name="Greeted Amira").click()
    undo = sam.locator("#board-message").get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    expect(undo).to_have_count(0, timeout=15_000)
    expect(desk_board.get_by_role("heading", name="With staff (1)")).to_be_visible()


def test_escalation_turns_amber_then_red_under_a_frozen_clock(app, place, staff_page):  # noqa: F811
    _arrive(app, place, first="Amira")
    desk = staff_page("desk@test.example")
    board = _board(desk)
    card = _card(board, "Amira")
    expect(card).to_have_attribute("data-level", "0")
    for minutes, level, words in ((5, "1", "Waiting too long"), (10, "2", "Waiting far too long")):
        clock.freeze(NOW + timedelta(minutes=minutes))
        with app.app_context():
            assert escalate_overdue(clock.now())
            db.session.commit()
            db.session.remove()
        expect(card).to_have_attribute("data-level", level)
        expect(card).to_contain_text(words)
        expect(card).to_contain_text(f"Waiting {minutes} min")
    notes = desk.evaluate("() => window.__notes")
    assert any("still waiting" in note for note in notes)
    assert all("Amira" not in note for note in notes)
    assert desk.errors == []


def test_the_roll_call_prints_on_a4_and_stays_when_the_network_goes(
    app,
    place,  # noqa: F811
    staff_page,
):
    _arrive(app, place, first="Amira")
    desk = staff_page("desk@test.example")
    _board(desk)
    desk.get_by_role("link", name="Fire roll call").click()
    expect(desk.get_by_role("heading", name="Fire roll call")).to_be_visible()
    visitors = desk.locator("#visitors")
    expect(visitors).to_contain_text("Amira")
    expect(visitors).to_contain_text("Main hall")
    expect(desk.locator("#staff")).to_contain_text("Tom Reid")
    desk.context.set_offline(True)
    desk.emulate_media(media="print")
    expect(desk.locator(".govuk-template__header")).to_be_hidden()
    expect(desk.get_by_role("button", name="Print")).to_be_hidden()
    expect(visitors).to_contain_text("Amira")
    pdf = desk.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") <= 2
    desk.context.set_offline(False)


def test_arrivals_pages_have_no_accessibility_faults_axe_can_find(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    staff_page,
):
    _arrive(app, place, first="Amira")
    with app.app_context():
        asked = request_help(place.hub_id, topic="money", now=NOW, first_name="Bea", urgent=True)
        db.session.commit()
        asked_id = asked.id
    found = {}
    manager = staff_page("manager@test.example", bypass_csp=True)
    for name, path in (
        ("board", "/admin/arrivals?hub=testhub"),
        ("mine", "/admin/arrivals/mine?hub=testhub"),
        ("check in", "/admin/arrivals/check-in?hub=testhub"),
        ("roll call", "/admin/arrivals/roll-call?hub=testhub"),
        ("duty", "/admin/arrivals/duty?hub=testhub"),
        ("help", f"/admin/arrivals/help/{asked_id}"),
    ):
        manager.goto(path)
        found[name] = _axe(manager)
    manager.goto("/admin/arrivals/check-in?hub=testhub")
    manager.get_by_role("button", name="Check in").click()
    expect(manager.get_by_text("There is a problem")).to_be_visible()
    found["check in errors"] = _axe(manager)
    kiosk = _open_kiosk(app, browser, live_server, place.hub_id, bypass_csp=True)
    try:
        kiosk.goto("/kiosk/")
        found["kiosk home"] = _axe(kiosk)
        kiosk.get_by_role("button", name="I'm leaving").click()
        found["kiosk leaving"] = _axe(kiosk)
        kiosk.get_by_label("What is your first name?").fill("Amira")
        kiosk.get_by_role("button", name="Next").click()
        expect(
            kiosk.get_by_role("heading", name="Goodbye, Amira. Thank you for coming.")
        ).to_be_visible()
        found["kiosk goodbye"] = _axe(kiosk)
    finally:
        kiosk.context.close()
    assert {page: faults for page, faults in found.items() if faults} == {}


def test_a_board_turned_away_while_the_server_is_busy_asks_again(
    app,
    place,  # noqa: F811
    staff_page,
):
    """At a busy hub every board fetches at once after an event, and some are told
    "busy, try again" (503, Retry-After). Such a board must not keep its old cards
    until the next event: it asks again by itself."""
    desk = staff_page("desk@test.example")
    board = _board(desk)
    turned_away = []

    def busy_once(route):
        if route.request.headers.get("hx-request") and not turned_away:
            turned_away.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="Busy")
        else:
            route.continue_()

    desk.route("**/admin/arrivals?hub=testhub", busy_once)
    _arrive(app, place, first="Zara")
    expect(_card(board, "Zara")).to_be_visible(timeout=5_000)
    assert turned_away, "the board's fetch after the event was not the one turned away"
