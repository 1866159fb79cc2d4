"""Reach reports in a real browser: a manager opens the quarter's report, sees its
charts and tables, downloads a table as CSV, which the standard ``csv`` module
reads and which says what the page says; and axe finds no faults on the pages."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from frontdoor.extensions import db
from tests.browser.test_kiosk_browser import _axe
from tests.conftest import browser_sign_in
from tests.test_reports import _booked_twice_dropped_in_once

pytestmark = pytest.mark.browser


def _data(app) -> None:
    with app.app_context():
        _booked_twice_dropped_in_once()
        db.session.remove()


def test_a_manager_opens_the_quarters_report_and_downloads_a_table(
    app, demo, browser, live_server, tmp_path
):
    _data(app)
    context = browser.new_context(base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []  # the charts keep the Content-Security-Policy
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    try:
        browser_sign_in(page, "manager@riverside.example")
        page.goto("/admin/")
        page.get_by_role("link", name="Reports").first.click()
        page.get_by_label("Hub", exact=True).select_option(label="Riverside Family Hub")
        page.get_by_label("A quarter", exact=True).check()
        page.get_by_label("Quarter", exact=True).fill("2026Q3")
        page.get_by_role("button", name="Show the report").click()
        expect(page.get_by_role("heading", name="Reach in numbers")).to_be_visible()
        expect(page.get_by_role("img", name="Children by age band: Children")).to_be_visible()
        table = page.locator("table[data-figure=summary]")
        shown = [
            [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in table.locator("tr").all()
        ]
        with page.expect_download() as download:
            page.get_by_role("link", name="Download “Reach in numbers” (CSV)").click()
        saved = tmp_path / "summary.csv"
        download.value.save_as(saved)
    finally:
        context.close()
    with saved.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows == shown
    assert refused == []
    assert ["Unique families", "fewer than 5"] in rows


def test_report_pages_have_no_accessibility_faults_axe_can_find(app, demo, browser, live_server):
    _data(app)
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = {}
    try:
        browser_sign_in(page, "manager@riverside.example")
        for name, path in (
            ("quarter", "/admin/reports?hub=riverside&period=quarter&quarter=2026Q3"),
            ("all hubs, a year", "/admin/reports?period=year&year=2026"),
            ("back to front", "/admin/reports?period=dates&first=2&first=1&first=2026"
             "&last=1&last=1&last=2026"),
        ):  # fmt: skip
            page.goto(path)
            found[name] = _axe(page)
    finally:
        context.close()
    assert found == {name: [] for name in found}
