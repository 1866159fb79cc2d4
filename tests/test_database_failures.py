"""When the database fails: nothing personal reaches the logs, a database that is
full, slow to hand out a connection or out of reach gets a calm "busy, please try
again in a moment" (503, Retry-After) instead of a server error, and a family who
sends their booking form again after losing the answer is shown their booking,
never booked twice.

Runs on SQLite and on PostgreSQL; the PostgreSQL run is the one that proves the
server's own refusals (a role over its connection limit).
"""

from __future__ import annotations

import io
import json
import logging
import runpy
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from babel.messages.extract import extract_from_file
from flask import Flask
from sqlalchemy import event, exc, make_url, select, text
from sqlalchemy.orm import Session as OrmSession

from booking.contact import Contact, Party
from booking.references import show_reference
from booking.services import book_session
from frontdoor import create_app
from frontdoor.config import (
    PROJECT_ROOT,
    SCHEDULER_CONNECTIONS,
    ConfigError,
    database_pool,
    load_config,
)
from frontdoor.extensions import db
from frontdoor.models import Booking
from kiosk.access import COOKIE
from tests.booking_fixtures import NOW
from tests.test_appointment_views import FAMILY as APPOINTMENT_FAMILY
from tests.test_appointment_views import _book_url, _form, practice  # noqa: F401
from tests.test_booking_site import FAMILY, book_url, open_form, small_session
from tests.test_translations import TRANSLATED, catalog

# Someone whose details must never be written to a log.
ZEBEDEE = {
    "first_name": "Zebedee",
    "last_name": "Quillfeather",
    "email": "zebedee.quillfeather@example.com",
    "access_needs": "Needs the hearing loop",
}


@contextmanager
def json_log() -> Iterator[io.StringIO]:
    """What the app's own JSON log handler writes, while inside."""
    handler = logging.getLogger("frontdoor").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line]


def bookings(app: Flask) -> list[Booking]:
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        db.session.expunge_all()
        return list(rows)


# --- nothing personal in the logs ----------------------------------------------------------


def test_a_booking_the_database_refuses_is_logged_without_the_familys_details(app, client):
    """A real constraint refuses the booking: PostgreSQL's message repeats the row's
    values and SQLAlchemy's the statement's; the log keeps only class and place."""
    _, first = small_session(app)
    slug, second = small_session(app)
    with app.app_context():
        book_session(first, Party(1), Contact(**ZEBEDEE), now=NOW)
        db.session.commit()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE UNIQUE INDEX one_booking_per_email ON booking (email)"))
    try:
        url = book_url(slug, second)
        with json_log() as log:
            response = client.post(url, data={**FAMILY, **open_form(client, url), **ZEBEDEE})
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DROP INDEX one_booking_per_email"))
    assert response.status_code == 500
    logged = log.getvalue().lower()
    for value in ZEBEDEE.values():
        assert value.lower() not in logged
    (error,) = [line for line in lines(log) if line["message"] == "unhandled error"]
    assert error["error"].startswith("IntegrityError") and error["endpoint"] == "booking.book"
    assert "booking/" in error["where"] and "Traceback" in error["trace"]


def test_a_database_error_never_repeats_the_values_it_was_given(app_context):
    with pytest.raises(exc.DBAPIError) as raised:
        db.session.execute(text("SELECT :email FROM no_such_table"), {"email": ZEBEDEE["email"]})
    db.session.rollback()
    assert ZEBEDEE["email"] not in str(raised.value)


# --- a busy database answers politely -------------------------------------------------------


def app_on(database_url: str, tmp_path_factory, **settings: object) -> Flask:
    return create_app(
        {
            "env": "test",
            "database_url": database_url,
            "secret_key": "test-secret-key",
            "instance_path": tmp_path_factory.mktemp("busy"),
            "log_level": "WARNING",
            "strict_templates": True,
            **settings,
        }
    )


@pytest.fixture(scope="module")
def one_connection(app: Flask, database_url: str, tmp_path_factory) -> Iterator[Flask]:
    """The app again, on the same database, with one worker of one thread: a pool
    of one connection, waited for a second."""
    tiny = app_on(database_url, tmp_path_factory, workers=1, threads=1, database_wait_seconds=1)
    yield tiny
    with tiny.app_context():
        db.engine.dispose()


@contextmanager
def every_connection_taken(app: Flask) -> Iterator[None]:
    with app.app_context():
        engine = db.engine
    with engine.connect():  # outside the app context: each request has its own
        yield


def assert_busy(response) -> str:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def test_with_no_free_connection_families_are_asked_to_try_again_in_a_moment(one_connection):
    client = one_connection.test_client()
    with every_connection_taken(one_connection):
        page = assert_busy(client.get("/book/"))
        assert "Sorry, the service is busy" in page and "Please try again in a moment." in page
        assert "govuk-template" in page  # the whole GOV.UK page

        polish = assert_busy(client.get("/book/", headers={"Accept-Language": "pl"}))
        assert "Przepraszamy, serwis jest teraz bardzo zajęty" in polish

        note = client.get("/book/", headers={"HX-Request": "true"})
        assert "Sorry, the service is busy" in assert_busy(note)
        assert "<html" not in note.get_data(as_text=True)
        assert note.headers["HX-Retarget"] == "#fd-busy"  # above the form, which stays

        asked = client.get("/book/", headers={"Accept": "application/json"})
        assert assert_busy(asked) and asked.get_json() == {"error": "busy", "retry_after": 10}
    assert client.get("/book/").status_code == 200  # and it is over when a connection is free


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_busy_page_is_in_every_language_families_can_choose(code):
    translations = catalog(code)
    for template in ("busy.html", "_busy.html"):
        path = PROJECT_ROOT / "templates" / "errors" / template
        for _line, msgid, _comments, _context in extract_from_file("jinja2", str(path)):
            message = translations.get(msgid)
            assert message and message.string and not message.fuzzy, (code, msgid)


def test_with_no_free_connection_the_kiosk_shows_its_calm_screen_and_waits(one_connection):
    client = one_connection.test_client()
    client.set_cookie(COOKIE, "a-paired-screens-credential", path="/kiosk")
    with every_connection_taken(one_connection):
        page = assert_busy(client.get("/kiosk/"))
    assert "Please tell reception you're here" in page
    assert 'data-screen="busy"' in page and 'data-ping-url="/kiosk/ping"' in page
    assert "js/kiosk.mjs" in page  # which asks the server again until it answers


def test_the_busy_page_is_logged_by_class_and_place(one_connection):
    with json_log() as log, every_connection_taken(one_connection):
        assert_busy(one_connection.test_client().get("/book/"))
    (line,) = [line for line in lines(log) if line["message"] == "database unavailable"]
    assert line["error"] == "TimeoutError" and line["endpoint"] == "booking.choose_hub"
    assert "booking/" in line["where"]


def test_a_database_out_of_reach_is_a_busy_page_not_a_server_error(tmp_path_factory):
    nowhere = app_on("postgresql+psycopg://frontdoor@127.0.0.1:1/frontdoor", tmp_path_factory)
    assert assert_busy(nowhere.test_client().get("/book/"))


@pytest.mark.postgres_only
def test_when_postgresql_refuses_more_connections_families_get_the_busy_page(
    app, database_url, tmp_path_factory
):
    """A role over its connection limit is refused by the server itself, as every
    client is when max_connections is reached."""
    url = make_url(database_url)
    role = f"{url.database}_full"
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0'))
    refused = app_on(url.set(username=role).render_as_string(False), tmp_path_factory)
    try:
        page = assert_busy(refused.test_client().get("/book/"))
    finally:
        with refused.app_context():
            db.engine.dispose()
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text(f'DROP ROLE "{role}"'))
    assert "Sorry, the service is busy" in page


# --- pool sizes: one place, from gunicorn's workers and threads -----------------------------


def test_every_workers_pool_fits_in_the_connections_postgresql_allows(monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTDOOR_WORKERS", "3")
    monkeypatch.setenv("FRONTDOOR_THREADS", "64")
    monkeypatch.setenv("FRONTDOOR_DATABASE_CONNECTIONS", "50")
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", "postgresql+psycopg://frontdoor@127.0.0.1/x")
    monkeypatch.setenv("FRONTDOOR_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FRONTDOOR_SECRET_KEY", "x")
    gunicorn = runpy.run_path(str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py"))
    assert (gunicorn["workers"], gunicorn["threads"]) == (3, 64)

    pool = database_pool(load_config())
    listen = 1  # each worker's LISTEN connection for the arrivals board
    assert gunicorn["workers"] * (pool.size + pool.overflow + listen) + SCHEDULER_CONNECTIONS <= 50
    assert pool.size + pool.overflow >= 10  # and the budget is not wasted

    monkeypatch.setenv("FRONTDOOR_THREADS", "4")
    few = database_pool(load_config())
    assert few.size + few.overflow == 4  # no more connections than threads to use them

    monkeypatch.setenv("FRONTDOOR_DATABASE_CONNECTIONS", "8")
    with pytest.raises(ConfigError, match="FRONTDOOR_DATABASE_CONNECTIONS"):
        load_config()


def test_a_worker_takes_no_more_connections_than_it_has_threads_to_answer(monkeypatch, tmp_path):
    """gthread queues what it accepts without end: a board's stream or a check-in
    accepted past a worker's threads would wait for some stream to end (minutes),
    while another worker had threads free (bench/arrivals.py saw 195 boards of 1,000
    never connect)."""
    monkeypatch.setenv("FRONTDOOR_WORKERS", "4")
    monkeypatch.setenv("FRONTDOOR_THREADS", "320")
    monkeypatch.setenv("FRONTDOOR_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FRONTDOOR_SECRET_KEY", "x")
    gunicorn = runpy.run_path(str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py"))
    assert gunicorn["worker_connections"] == gunicorn["threads"] == 320
    assert gunicorn["keepalive"] == 0  # an idle kept-alive connection would take a place


def test_the_apps_engine_uses_the_pool_worked_out_for_it(one_connection):
    with one_connection.app_context():
        assert db.engine.pool.size() == 1 and db.engine.pool.timeout() == 1
        assert db.engine.hide_parameters


# --- a retry after a lost confirmation books once -------------------------------------------


@contextmanager
def connection_lost_after_the_next_commit() -> Iterator[None]:
    """The next commit reaches the database, then fails as a dropped connection
    does: the booking is saved, the family never sees the answer."""
    armed = True

    def drop(session: OrmSession) -> None:
        nonlocal armed
        if armed:
            armed = False
            lost = ConnectionError("connection lost")
            raise exc.OperationalError("COMMIT", None, lost, connection_invalidated=True)

    event.listen(OrmSession, "after_commit", drop)
    try:
        yield
    finally:
        event.remove(OrmSession, "after_commit", drop)


def test_a_family_who_sends_a_session_booking_again_after_losing_the_answer_is_booked_once(
    app, client
):
    slug, session_id = small_session(app)
    url = book_url(slug, session_id)
    form = {**FAMILY, **open_form(client, url)}
    with connection_lost_after_the_next_commit():
        lost = client.post(url, data=form)
    assert_busy(lost)
    assert len(bookings(app)) == 1  # it was saved before the answer was lost

    again = client.post(url, data=form)  # the same form, sent again
    assert again.status_code == 302 and "/book/bookings/" in again.headers["Location"]
    (booking,) = bookings(app)
    confirmation = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Booking confirmed" in confirmation and show_reference(booking.reference) in confirmation


def test_a_family_who_sends_an_appointment_booking_again_after_losing_the_answer_is_booked_once(
    app,
    client,
    practice,  # noqa: F811
):
    url = _book_url(practice)
    form = {**APPOINTMENT_FAMILY, **_form(client, url)}
    with connection_lost_after_the_next_commit():
        lost = client.post(url, data=form)
    assert_busy(lost)
    assert len(bookings(app)) == 1

    again = client.post(url, data=form)
    assert again.status_code == 302 and "/book/bookings/" in again.headers["Location"]
    (booking,) = bookings(app)
    confirmation = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Booking confirmed" in confirmation and show_reference(booking.reference) in confirmation
