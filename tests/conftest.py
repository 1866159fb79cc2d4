"""Test fixtures: a migrated database, the app, clients, the demo council, a browser.

The suite runs on SQLite by default and on PostgreSQL when
``FRONTDOOR_TEST_DATABASE_URL`` is set (CI runs both). Each test starts with empty
tables; the schema comes from the real migrations, never from ``create_all``.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from frontdoor import clock, create_app, events, passwords
from frontdoor.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-password"
TEST_DATABASE_URL = os.environ.get("FRONTDOOR_TEST_DATABASE_URL", "")
# The OpenID Connect provider for the single sign-on tests, and its fixtures.
pytest_plugins = ("tests.oidc_fixtures",)


def compile_translations(root: Path = PROJECT_ROOT) -> None:
    """Compile each translations/*/LC_MESSAGES/messages.po whose .mo is missing or older.

    ``make`` does this too; doing it here means ``pytest`` alone works from a fresh clone.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (root / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)


compile_translations()


def is_postgres() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres_only`` (LISTEN/NOTIFY across processes) are left out
    of the SQLite run; the PostgreSQL run (CI runs both) includes them."""
    if is_postgres():
        return
    left_out = [item for item in items if item.get_closest_marker("postgres_only")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


def reset_schema(url: str) -> None:
    """Drop everything in the test database, so migrations start from empty."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    passwords.use_cheap_hashing()
    instance = tmp_path_factory.mktemp("instance")
    reset_schema(database_url)
    app = create_app(
        {
            "env": "test",
            "database_url": database_url,
            "secret_key": "test-secret-key",
            "instance_path": instance,
            "log_level": "WARNING",
            "strict_templates": True,
        }
    )
    with app.app_context():
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after each test that touched the app, and unfreeze time."""
    yield
    clock.freeze(None)
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    if "live_server" in request.fixturenames:
        _wait_for_the_live_server()
    with app.app_context():
        db.session.rollback()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            # The audit log refuses DELETE (its append-only triggers): lift them
            # while the table is emptied, as only the schema's owner could.
            triggers = db.session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _ in triggers:
                db.session.execute(text(f'DROP TRIGGER "{name}"'))
            for name in tables:
                db.session.execute(text(f'DELETE FROM "{name}"'))
            for _, sql in triggers:
                db.session.execute(text(sql))
        db.session.commit()
        db.session.remove()
        # Emptied by SQL the ORM does not see: what the workers remember goes too.
        events.bus().remembered.clear()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@contextmanager
def changed_config(app: Flask, **changes: object) -> Iterator[None]:
    """The app's settings with ``changes`` while the block runs (a council's choice)."""
    config = app.config["FRONTDOOR"]
    app.config["FRONTDOOR"] = replace(config, **changes)
    try:
        yield
    finally:
        app.config["FRONTDOOR"] = config


@pytest.fixture
def one_booking_an_hour(app: Flask) -> Iterator[None]:
    """The council allows one public booking per address an hour."""
    with changed_config(app, public_bookings_per_address=1):
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo council, loaded as ``frontdoor demo`` would."""
    from frontdoor.demo import load_demo

    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        db.session.commit()
        db.session.remove()


# --- helpers for driving forms as a browser would (CSRF included) ---------------

_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def submit(client: FlaskClient, page: str, data: dict, action: str | None = None, **kwargs):
    """GET ``page``, take its CSRF token, and POST ``data`` to ``action`` (or ``page``)."""
    html = client.get(page).get_data(as_text=True)
    return client.post(action or page, data={**data, "csrf_token": csrf_from(html)}, **kwargs)


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD):
    response = submit(client, "/admin/sign-in", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def signed_in(client: FlaskClient, demo: None):
    """Sign the test client in as a demo account: ``signed_in("lead@riverside.example")``."""

    def _as(email: str) -> FlaskClient:
        sign_in(client, email)
        return client

    return _as


# --- the browser harness --------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free loopback port in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, _counted(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# Requests the live server is still answering. A page closed by a test may have left
# one running (an htmx refresh after the last click); emptying the tables under it
# would deadlock on PostgreSQL, so the clean-up waits for them. Event streams hold no
# database connection and last as long as the page, so they are not counted.
_IN_FLIGHT = threading.Semaphore(1_000)
_IN_FLIGHT_LIMIT = 1_000


def _counted(app: Flask):
    def serve(environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/stream"):
            return app(environ, start_response)
        _IN_FLIGHT.acquire()
        try:
            answer = app(environ, start_response)
            try:
                return list(answer)  # answered whole before it counts as done
            finally:
                getattr(answer, "close", lambda: None)()
        finally:
            _IN_FLIGHT.release()

    return serve


def _wait_for_the_live_server(seconds: float = 10) -> None:
    """Until no request is being answered (bounded: a stuck request fails the next
    test loudly rather than hanging the suite)."""
    taken = 0
    try:
        for _ in range(_IN_FLIGHT_LIMIT):
            if not _IN_FLIGHT.acquire(timeout=seconds):
                break
            taken += 1
    finally:
        for _ in range(taken):
            _IN_FLIGHT.release()


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("FRONTDOOR_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    required = os.environ.get("FRONTDOOR_REQUIRE_BROWSER") == "1"
    if executable is None:
        message = "Chromium not found (install Debian's chromium package)"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("Playwright for Python is not installed")
        pytest.skip("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server: str):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def browser_sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/admin/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/**")
