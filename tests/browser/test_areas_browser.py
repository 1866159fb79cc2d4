"""A first drop-in at the kiosk types its postcode on the screen's own keyboard; only
its area is kept."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from frontdoor.demo import load_demo_areas
from frontdoor.extensions import db
from frontdoor.models import Visit
from tests.browser.test_kiosk_browser import kiosk_page  # noqa: F401  (a fixture)
from tests.test_kiosk import place  # noqa: F401  (a fixture)


def test_a_first_visit_types_a_postcode_on_the_screen(app, kiosk_page, place):  # noqa: F811
    with app.app_context():
        load_demo_areas()
        db.session.commit()
    page = kiosk_page
    page.goto("/kiosk/")
    page.get_by_role("button", name="I'm here for a drop-in").click()
    page.get_by_role("button", name="Next").click()
    page.locator("[data-keyboard=letters]").locator("[data-key='O']").click()
    page.get_by_text("Yes", exact=True).click()
    box = page.get_by_label("If this is your first time: your postcode (optional)")
    box.focus()
    keyboard = page.locator("[data-keyboard=postcode]")
    expect(keyboard).to_be_visible()
    for key in "NG79ZBX":
        keyboard.locator(f"[data-key='{key}']").click()
    keyboard.locator("[data-key-action=delete]").click()
    expect(box).to_have_value("NG7 9ZB")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Thank you, O.")).to_be_visible()
    with app.app_context():
        visit = db.session.scalars(select(Visit)).one()
        assert (visit.postcode_district, visit.imd_decile) == ("NG7", 9)
    assert "9ZB" not in page.content()
    assert page.errors == []
