"""The arrivals board on the reception wall, in Chromium at 1920 by 1080: a board
display paired with a manager's code lands on it; with 30 arrivals (24 waiting, 6
with staff) the board fits the screen without scrolling, those that cannot fit are
counted as "+N more", an urgent help request is in the top third of the screen,
every name is at least 32 px, a new request arrives live, and axe finds no
accessibility faults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from arrivals.actions import act, check_in_by_hand
from arrivals.help_requests import request_help
from frontdoor.extensions import db
from frontdoor.models import StaffUser
from frontdoor.staff_sessions import add_board_display
from tests.browser.test_kiosk_browser import _axe
from tests.test_kiosk import NOW, place  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1920, 1080
ARRIVALS, WITH_STAFF = 30, 6


def _a_busy_morning(app, place) -> tuple[int, str]:  # noqa: F811
    """30 families arrived (the first 35 minutes ago), the last 6 greeted, then an
    urgent request to talk to someone; and a pairing code for the reception wall."""
    with app.app_context():
        desk = db.session.scalar(select(StaffUser).filter_by(email="sam@test.example"))
        for n in range(ARRIVALS):
            made = check_in_by_hand(
                place.hub_id,
                staff_id=desk.id,
                first_name=f"Family{n:02d}",
                last_name="Smith",
                adults=1,
                child_bands=("1-3",),
                language="pl" if n == 0 else "en",
                now=NOW - timedelta(minutes=35 - n),
            )
            if n >= ARRIVALS - WITH_STAFF:
                act("visit", made.visit.id, "greeted", staff_id=desk.id, now=NOW)
        urgent = request_help(
            place.hub_id, topic="in_person", now=NOW, first_name="Bea", urgent=True
        )
        manager = db.session.scalar(select(StaffUser).filter_by(email="manager@test.example"))
        _, code = add_board_display(manager, place.hub_id, "Reception wall", now=NOW)
        db.session.commit()
        found = urgent.id
        db.session.remove()
    return found, code


def test_the_wall_display_shows_an_urgent_request_first_in_large_names(
    app,
    browser,
    live_server,
    place,  # noqa: F811
    tmp_path,
):
    urgent_id, code = _a_busy_morning(app, place)
    # axe is injected as a script, which the page's own policy rightly refuses.
    context = browser.new_context(
        base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT}, bypass_csp=True
    )
    try:
        wall = context.new_page()
        wall.set_default_timeout(10_000)
        errors: list[str] = []
        wall.on("pageerror", lambda error: errors.append(str(error)))
        wall.goto(f"/admin/board-display/pair?code={code}")
        wall.get_by_role("button", name="Show the arrivals board").click()
        expect(wall).to_have_url(f"{live_server}/admin/arrivals/wall?hub=testhub")
        expect(wall.locator("[data-live]")).to_have_text("Live")
        cards = wall.locator("[data-row]")
        expect(cards).to_have_count(ARRIVALS + 1)
        expect(wall.locator("[data-wall-fit][data-fitted]")).to_have_count(1)
        wall.screenshot(path=str(tmp_path / "wall-display-1920x1080.png"))
        _fits_the_screen(wall)

        request = wall.locator(f'[data-row="help-{urgent_id}"]')
        box = request.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT / 3, box
        assert cards.first.get_attribute("data-row") == f"help-{urgent_id}"
        sizes = wall.locator(".fd-wall-card__name").evaluate_all(
            "names => names.map(n => parseFloat(getComputedStyle(n).fontSize))"
        )
        assert len(sizes) == ARRIVALS + 1 and min(sizes) >= 32, sizes
        expect(wall.locator('[data-row^="visit-"]').first).to_contain_text("Speaks Polish (Polski)")
        assert _axe(wall) == []

        # Live, as the desk's board is: a second request appears without a reload,
        # after the urgent one and before every waiting family.
        with app.app_context():
            asked = request_help(place.hub_id, topic="money", now=NOW, first_name="Cleo")
            db.session.commit()
            asked_id = asked.id
            db.session.remove()
        expect(cards).to_have_count(ARRIVALS + 2)
        order = cards.evaluate_all("cards => cards.map(c => c.dataset.row)")
        assert order[:2] == [f"help-{urgent_id}", f"help-{asked_id}"]
        expect(wall.locator("[data-wall-fit][data-fitted]")).to_have_count(1)
        _fits_the_screen(wall)
        expect(wall.locator(f'[data-row="help-{asked_id}"]')).to_be_visible()
        assert errors == []
    finally:
        context.close()


def _fits_the_screen(wall) -> None:
    """No scrolling, and every card not shown is counted in its section's "+N more"."""
    page = wall.evaluate("() => [document.documentElement.scrollHeight, innerHeight]")
    assert page[0] <= page[1] == HEIGHT, page
    for section, total in (("waiting", ARRIVALS - WITH_STAFF), ("with_staff", WITH_STAFF)):
        shown = wall.locator(f'[data-section="{section}"] > [data-row]:visible').count()
        more = wall.locator(f'[data-more="{section}"]')
        if shown < total:
            expect(more).to_be_visible()
            expect(more.locator("[data-more-count]")).to_have_text(str(total - shown))
        else:
            expect(more).to_be_hidden()
    expect(wall.locator("[data-more]:visible").first).to_contain_text("more")
    expect(wall.locator("[data-in-building]")).to_be_in_viewport()
