"""Hostile input never causes a server error, whoever sends it.

The walk goes through the app's whole URL map as every role (signed out, each
staff role, a paired kiosk), as the review's fuzzer did: hostile ids in the
address, hostile query strings, and hostile values in every field of every form
the pages draw, sent with the page's own CSRF token and nonce so each request
reaches its view. Forms are found by reading the pages, and each form is sent
from the visit its page was drawn in (the kiosk's screens need theirs), so a new
field, page or screen is walked without changing this file. Any 5xx fails, and
the walk must have reached the services (a booking made, a check-in, a session
cancelled) or it proves nothing.

Run it on PostgreSQL too: that run is the proof, as PostgreSQL refuses NUL in
text and numbers beyond its 32-bit INTEGER ids where SQLite shrugs.

The short tests after it hold the rules a family or member of staff would
notice: a line break in a name never starts a new line in an email, a name of
invisible characters is asked for again, real names in any script are kept.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from booking.forms import PublicForm
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.fields import CleanForm, clean_line, clean_text, new_nonce, read_nonce, whole_id
from frontdoor.models import (
    Booking,
    BookingSource,
    HelpRequest,
    Hub,
    OutboxMessage,
    Role,
    Session,
    SessionSeries,
    StaffUser,
    Visit,
)
from frontdoor.outbox import Links, render_message
from frontdoor.scheduler import beat
from kiosk.flow import read_name
from tests.conftest import DEMO_PASSWORD, PROJECT_ROOT, sign_in
from tests.route_samples import ACCOUNTS, pair_kiosk, rules, sample_values

# Saturday 28 November 2026, 10:15 in London: Riverside's Dads' group (booking and
# drop-in) is on, so the kiosk's flows and the board's buttons all have something.
NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)

# What a fuzzer sends. Each goes into every field of a form at once, and into every
# name a query string is read by.
HOSTILE: dict[str, str | bytes] = {
    "NUL": "Sam\x00",
    "30 digits": "1" * 30,  # beyond 64 bits
    "2**31": str(2**31),  # the first whole number beyond PostgreSQL's INTEGER
    "below -2**31": str(-(2**31) - 1),
    "superscript two": "\u00b2",  # a digit to str.isdigit(), not to int()
    "CR/LF": "Sam\r\nBcc: someone@example.com",
    "invisible only": "\u200b\u200c\u200d\ufeff\u200e",
    "10,000 characters": "9" * 10_000,
    "invalid UTF-8": b"\xff\xfe\xed\xa0\x80",
    "right-to-left override": "\u202eSam",
}
# A lone surrogate cannot be sent as UTF-8; JSON can carry one to a WTForms form.
LONE_SURROGATE = "Sam\ud800"
# Once one role has sent a route every value, each further role sends its forms
# these (and no hostile query: views read a query alike for every role).
AGAIN = ("NUL", "2**31")
# One field at a time, the rest as someone would fill them in, so the value gets
# past the form's other checks to the service and the database: into a box, what
# PostgreSQL refuses; into a choice (a list of ids, say), too big an id.
ONE_AT_A_TIME = {
    "choice": ("2**31",),
    "number": ("2**31", "10,000 characters"),
    "text": ("NUL", "10,000 characters"),
}
# Ids in addresses: the first beyond PostgreSQL's INTEGER, beyond 64 bits, negative,
# and the largest it holds (a year, where a year is asked for).
PATH_IDS = (2**31, 2**63, 2**64 + 1, 10**30, -(2**31) - 1, 2**31 - 1)
PATH_TEXT = ("NUL", "10,000 characters", "invalid UTF-8")

# What someone types into the boxes a page leaves empty.
TYPED = {
    "first_name": "Sam",
    "last_name": "Kowalski",
    "name": "Sam Kowalski",
    "email": "sam@example.com",
    "mobile": "07700 900982",
    "contact": "sam@example.com",
    "reference": "ABCD2345",
    "reason": "Staff illness",
    "title": "Stay and Play",
    "slug": "eastside",
    "adults": "1",
    "capacity": "12",
    "code": "ABCD-2345",
    "start_time": "10:00",
    "end_time": "11:00",
}
A_WEEK_AHEAD = ("5", "12", "2026")  # a GOV.UK date input: day, month, year
KEEP = ("csrf_token", "nonce")  # the page's own (``cancel-csrf_token`` too), to reach the view
ROLES: tuple[str | Role, ...] = ("signed out", "kiosk", *reversed(list(Role)))


def typed(name: str) -> str:
    """What someone types into an empty box called ``name`` (``cancel-reason`` too)."""
    return TYPED.get(name.rsplit("-", 1)[-1], "")


def kept(name: str) -> bool:
    return name.rsplit("-", 1)[-1] in KEEP


def _names_read(source: str) -> list[str]:
    """Names views read straight from the request, such as ``request.args.get("q")``."""
    pattern = re.compile(rf'request\.(?:{source})\.get(?:list)?\(\s*"(\w+)"')
    names: set[str] = set()
    for package in ("admin", "arrivals", "booking", "directory", "frontdoor", "kiosk"):
        for path in Path(PROJECT_ROOT, package).rglob("*.py"):
            names |= set(pattern.findall(path.read_text()))
    return sorted(names)


QUERY_NAMES = _names_read("args|values")
FORM_NAMES = _names_read("form|values")


# --- reading a page's forms as a browser would ----------------------------------------------


@dataclass
class Form:
    """One form on a page; ``fields`` as someone would fill it in."""

    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends
    names: list[str] = field(default_factory=list)  # every field it declares
    buttons: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, str] = field(default_factory=dict)
    choices: set[str] = field(default_factory=set)  # radios, ticks, lists and buttons
    boxes: list[str] = field(default_factory=list)  # text boxes, a date's three under one name
    checked_radios: set[str] = field(default_factory=set)


class _Page(HTMLParser):
    """A page's forms, with what a browser would send from each, and its links."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.links: list[str] = []
        self.select: str | None = None
        self.select_first: str | None = None
        self.selected = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self.form = Form(a.get("method", "get").upper(), action)
            self.forms.append(self.form)
            return
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(urljoin(self.page, a["href"]))
        form, name = self.form, a.get("name", "")
        if form is None:
            return
        if tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a and not self.selected:
                self.selected = True
                form.fields.append((self.select, value))
            return
        if not name or tag not in ("input", "button", "select", "textarea"):
            return
        if name not in form.names:
            form.names.append(name)
        kind = a.get("type", "text").lower() if tag == "input" else tag
        if kind in ("submit", "radio", "checkbox", "button", "select"):
            form.choices.add(name)
        if kind == "submit" or (kind == "button" and a.get("type", "submit") == "submit"):
            form.buttons.append((name, a.get("value", "")))
        elif kind == "radio":
            form.radios.setdefault(name, a.get("value", "on"))
            if "checked" in a:
                form.checked_radios.add(name)
                form.fields.append((name, a.get("value", "on")))
        elif kind == "checkbox":  # ticked: someone who agrees to everything
            form.fields.append((name, a.get("value", "y")))
        elif kind == "select":
            self.select, self.select_first, self.selected = name, None, False
        elif kind == "textarea":
            self.textarea, self.text = name, ""
        elif kind != "button":
            form.boxes.append(name)
            form.fields.append((name, a.get("value") or typed(name)))

    @staticmethod
    def _fill_dates(form: Form) -> None:
        dates = {n for n in form.boxes if form.boxes.count(n) == 3}
        parts = {
            n: iter(A_WEEK_AHEAD) for n in dates if not any(v for k, v in form.fields if k == n)
        }
        form.fields = [(n, next(parts[n]) if n in parts else v) for n, v in form.fields]

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        form = self.form
        if form is None:
            return
        if tag == "form":
            for name, value in form.radios.items():  # none chosen: the first
                if name not in form.checked_radios:
                    form.fields.append((name, value))
            self._fill_dates(form)
            self.form = None
        elif tag == "select" and self.select:
            if not self.selected and self.select_first is not None:
                form.fields.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea:
            form.fields.append((self.textarea, self.text.strip() or typed(self.textarea)))
            self.textarea = None


def read_page(page: str, html: str) -> _Page:
    parser = _Page(page)
    parser.feed(html)
    return parser


# --- the walk ------------------------------------------------------------------------------


@dataclass
class Run:
    """What every role's walk shares: the sample records, and what it found."""

    app: Flask
    values: dict[str, object]
    errors: list[logging.LogRecord]  # the app's logged errors, naming a crash's cause
    crashes: list[str] = field(default_factory=list)
    exercised: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    walked: set[str] = field(default_factory=set)  # routes one role sent every value
    families: int = 0


@dataclass
class Walker:
    """One role's walk."""

    run: Run
    client: FlaskClient
    role: str
    skip: tuple[str, ...] = ()
    token: str = ""
    seen: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    followed: set[tuple[str, tuple[str, str] | None]] = field(default_factory=set)
    linked: set[str] = field(default_factory=set)

    def send(self, method: str, url: str, what: str, **kwargs):
        """One request; a 5xx is written down with the error the app logged."""
        self.run.errors.clear()
        response = self.client.open(url, method=method, **kwargs)
        if response.status_code >= 500:
            cause = next(
                (
                    f"{r.exc_info[0].__name__}: {str(r.exc_info[1]).splitlines()[0][:160]}"
                    for r in reversed(self.run.errors)
                    if r.exc_info and r.exc_info[0]
                ),
                "",
            )
            where = f"{self.role}: {method} {url[:120]} [{what}]"
            self.run.crashes.append(f"{where}: {response.status_code} {cause}")
        return response

    def endpoint(self, url: str, method: str) -> str | None:
        try:
            return self.run.app.url_map.bind("localhost").match(urlsplit(url).path, method)[0]
        except HTTPException:
            return None

    def hostile(self, endpoint: str | None) -> dict[str, str | bytes]:
        """Every value for the first role to reach a route; a few for the others."""
        if endpoint in self.run.walked:
            return {what: HOSTILE[what] for what in AGAIN}
        return HOSTILE

    # Pages: drawn, with hostile ids in the address, and with a hostile query.

    def page(self, url: str) -> None:
        self.read(self.send("GET", url, "as drawn", follow_redirects=True))

    def read(self, response) -> None:
        """Send every form on the page; follow one link with a query per page."""
        if response.status_code != 200 or "html" not in response.content_type:
            return
        page = read_page(response.request.path, response.get_data(as_text=True))
        with self.client.session_transaction() as session:
            visit = dict(session)
        for link in page.links:  # a page reached only with a query, like a time to book
            endpoint = self.endpoint(link, "GET")
            if endpoint and not urlsplit(link).netloc and endpoint not in self.linked:
                self.linked.add(endpoint)
                self.page(link)
        for form in page.forms:
            self.token = next((v for n, v in form.fields if n.endswith("csrf_token")), self.token)
            endpoint = self.endpoint(form.action, form.method)
            if form.method == "GET":
                self.query(form.action, form.names)
            elif endpoint and endpoint not in self.skip:
                self.submit(form, visit)

    def query(self, url: str, names: list[str]) -> None:
        """Every name a view reads from a query (they read it alike for every role)."""
        endpoint = self.endpoint(url, "GET")
        if endpoint in self.run.walked:
            return
        names = sorted({*names, *QUERY_NAMES})
        for what, value in HOSTILE.items():
            self.send("GET", f"{urlsplit(url).path}?{urlencode([(n, value) for n in names])}", what)

    def addresses(self, rule, method: str) -> None:
        again = rule.endpoint in self.run.walked
        for kind, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
            for value in (PATH_IDS if kind == "int" else PATH_TEXT)[: 1 if again else None]:
                hostile = value if isinstance(value, int) else HOSTILE[value]
                if isinstance(hostile, bytes):
                    hostile = hostile.decode("latin-1")
                url = rule.build({**self.pick(rule), name: hostile}, append_unknown=False)[1]
                self.send(method, url, f"{name}={str(value)[:20]}", data={"csrf_token": self.token})

    def pick(self, rule) -> dict[str, object]:
        missing = set(rule.arguments) - self.run.values.keys()
        assert not missing, f"add a sample value for {missing} to tests/route_samples.py"
        return {k: self.run.values[k] for k in rule.arguments}

    # Forms: every field hostile at once; each field alone; then as filled in.

    def submit(self, form: Form, visit: dict) -> None:
        endpoint = self.endpoint(form.action, "POST")
        key = (str(endpoint), tuple(sorted(form.names)))
        if key not in self.seen:
            self.seen.add(key)
            self.all_hostile(form, visit, endpoint)
            if key not in self.run.exercised:
                self.run.exercised.add(key)
                self.one_at_a_time(form, visit)
        buttons: list[tuple[str, str] | None] = [*form.buttons] or [None]
        for button in buttons:
            if (str(endpoint), button) not in self.followed:
                self.followed.add((str(endpoint), button))
                self.restore(visit)
                data = [*form.fields, *([button] if button else [])]
                self.read(self.post(form.action, data, "as filled in", follow_redirects=True))

    def all_hostile(self, form: Form, visit: dict, endpoint: str | None) -> None:
        """Every field the form declares, and every name a view reads itself."""
        names = [n for n in dict.fromkeys([*form.names, *FORM_NAMES]) if not kept(n)]
        keep = [(n, v) for n, v in form.fields if kept(n)]
        values = self.hostile(endpoint)
        for what, value in values.items():
            self.restore(visit)
            self.post(form.action, [*keep, *((n, value) for n in names)], what)
        if values is HOSTILE:
            self.restore(visit)
            self.send(
                "POST",
                form.action,
                "lone surrogate, as JSON",
                data=json.dumps({**dict(keep), **{n: LONE_SURROGATE for n in names}}),
                content_type="application/json",
                headers={"X-CSRFToken": next((v for n, v in keep if "csrf" in n), self.token)},
            )

    def one_at_a_time(self, form: Form, visit: dict) -> None:
        for name in form.names:
            if name.endswith("csrf_token"):
                continue
            # In place of its last value: a date's year, the last of several ids.
            last = max((i for i, (n, _) in enumerate(form.fields) if n == name), default=-1)
            value = form.fields[last][1] if last >= 0 else ""
            kind = "choice" if name in form.choices else "number" if value.isdigit() else "text"
            for what in ONE_AT_A_TIME[kind]:
                data = [(n, self.fresh(v)) for i, (n, v) in enumerate(form.fields) if i != last]
                self.restore(visit)
                self.post(form.action, [*data, (name, HOSTILE[what])], f"{name}: {what}")

    def fresh(self, value: str) -> str:
        """A new family each time, so an earlier request's booking is no duplicate
        that stops this one short of the database."""
        self.run.families += 1
        if value == TYPED["email"]:
            return f"sam+{self.run.families}@example.com"
        if value == TYPED["mobile"]:
            return f"07700 9{self.run.families % 100_000:05d}"
        return value

    def post(self, url: str, data: Sequence[tuple[str, str | bytes]], what: str, **kwargs):
        body = urlencode(data)  # by hand, so invalid UTF-8 goes as it is
        kind = "application/x-www-form-urlencoded"
        return self.send("POST", url, what, data=body, content_type=kind, **kwargs)

    def restore(self, visit: dict) -> None:
        """The session as it was when the form's page was drawn: the kiosk's visit,
        whatever the last request did to it."""
        with self.client.session_transaction() as session:
            session.clear()
            session.update(visit)


def _reaches(app: Flask, rule, role: str | Role, held: set[Role]) -> bool:
    view = app.view_functions[rule.endpoint]
    if getattr(view, "public", False):
        return True
    if getattr(view, "kiosk_device", False):
        return role == "kiosk"
    return bool(held & set(getattr(view, "required_roles", ())))


def walk(run: Run, role: str | Role, client: FlaskClient) -> None:
    """Every route as ``role``: pages first (their forms are sent as they are read),
    then any POST-only route no form led to. A route the role may not use gets one
    hostile request, which must be refused without a server error."""
    held: set[Role] = set()
    walker = Walker(run, client, str(role))
    if isinstance(role, Role):
        # Signing out (oneself, everywhere, or a colleague by an admin) would end the walk.
        walker.skip = (
            "admin.sign_out",
            "admin.account_sign_out_everywhere",
            "admin.staff_end_sessions",
            "admin.staff_reset_second_factor",
        )
        with run.app.app_context():
            user = db.session.scalar(select(StaffUser).filter_by(email=ACCOUNTS[role]))
            hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
            assert user is not None and hub is not None
            held = set(user.roles_at(hub.id))
    walker.page({"signed out": "/admin/sign-in", "kiosk": "/kiosk/"}.get(str(role), "/admin/"))
    reached = set()
    routes = [r for r in rules(run.app) if r.endpoint not in walker.skip]
    for rule in sorted(routes, key=lambda r: "GET" not in r.methods):
        method = "GET" if "GET" in rule.methods else "POST"
        url = rule.build(walker.pick(rule), append_unknown=False)[1]
        if not _reaches(run.app, rule, role, held):
            query = urlencode([(n, HOSTILE["30 digits"]) for n in QUERY_NAMES])
            walker.send(method, f"{url}?{query}", "refused", data={"csrf_token": walker.token})
            continue
        reached.add(rule.endpoint)
        walker.addresses(rule, method)
        if method == "GET":
            walker.page(url)
            walker.query(url, [])
        elif not any(endpoint == rule.endpoint for endpoint, _ in walker.seen):
            with client.session_transaction() as session:
                visit = dict(session)
            walker.submit(Form("POST", url, [("csrf_token", walker.token)], ["csrf_token"]), visit)
    run.walked |= reached


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Riverside:
    hub_id: int
    to_book: int  # the next session families can book
    today: int  # Sam's booking at today's Dads' group, expected on the board


@pytest.fixture
def riverside(app: Flask) -> Riverside:
    """The demo council on a Saturday morning, with a family expected at the hub."""
    from frontdoor.demo import load_demo

    clock.freeze(NOW)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, today=clock.today())
        hub = db.session.scalar(select(Hub).filter_by(slug="riverside"))
        assert hub is not None
        hub_id = hub.id
        dads = db.session.scalar(
            select(Session)
            .join(Session.series)
            .where(Session.hub_id == hub_id, SessionSeries.title == "Dads' group")
            .where(Session.starts_at <= NOW)
            .order_by(Session.starts_at.desc())
        )
        assert dads is not None
        booking = Booking(
            session_id=dads.id, reference="DADS2345", first_name="Sam", last_name="Kowalski",
            email="sam@example.com", adults=1, people=2, children=["1-3"],
        )  # fmt: skip
        db.session.add(booking)
        to_book = db.session.scalar(
            select(Session.id)
            .join(Session.series)
            .where(Session.hub_id == hub_id, SessionSeries.booking_mode == "booking")
            .where(Session.starts_at > NOW)
            .order_by(Session.starts_at)
        )
        assert to_book is not None
        # The scheduler is running, as in production: /readyz answers "ready", and
        # any 503 the walk meets is a fault, not the readiness check doing its job.
        beat(NOW)
        db.session.commit()
        place = Riverside(hub_id, to_book, booking.id)
        db.session.remove()
    return place


def _what_the_walk_did(app: Flask) -> dict[str, bool]:
    """Proof the walk got past the forms to the services."""
    with app.app_context():

        def some(*where) -> bool:
            return bool(db.session.scalar(select(func.count()).where(*where)))

        return {
            "a family booked online": some(
                Booking.source == BookingSource.PUBLIC, Booking.reference.not_in(["SAMPLE01"])
            ),
            "a drop-in checked in at the kiosk": some(
                Visit.kind == "drop_in", Visit.kiosk_id.is_not(None)
            ),
            "someone asked to talk at the kiosk": some(HelpRequest.kiosk_id.is_not(None)),
            "the desk checked someone in": some(Visit.kind == "walk_in"),
            "staff cancelled a booking": some(Booking.cancel_reason == "Staff illness"),
            "staff cancelled a session, telling families": some(
                OutboxMessage.template == "session_cancelled"
            ),
        }


def test_no_hostile_value_sent_to_any_route_by_anyone_gives_a_server_error(app, riverside):
    logged = _Logged()
    logging.getLogger("frontdoor.errors").addHandler(logged)
    values = {**sample_values(app), "session_id": riverside.to_book}
    run = Run(app, values, logged.records)
    clients = {role: app.test_client() for role in ROLES}
    for role, client in clients.items():  # all signed in before anything hostile is sent
        if isinstance(role, Role):
            sign_in(client, ACCOUNTS[role])
        elif role == "kiosk":
            pair_kiosk(client, app)
    try:
        for role, client in clients.items():
            walk(run, role, client)
    finally:
        logging.getLogger("frontdoor.errors").removeHandler(logged)
    assert not run.crashes, f"{len(run.crashes)} server errors:\n" + "\n".join(run.crashes)
    did = _what_the_walk_did(app)
    assert [what for what, done in did.items() if not done] == []


# --- what a family or member of staff would notice ------------------------------------------


def _booking_form(client: FlaskClient, session_id: int) -> tuple[str, list[tuple[str, str]]]:
    url = f"/book/riverside/sessions/{session_id}/book"
    page = read_page(url, client.get(url).get_data(as_text=True))
    form = next(f for f in page.forms if f.method == "POST" and f.action.endswith(url))
    return url, [(n, v) for n, v in form.fields if n != "waiting_list"]


def _book_as(client: FlaskClient, session_id: int, **typed_in: str):
    url, fields = _booking_form(client, session_id)
    data = [(n, v) for n, v in fields if n not in typed_in] + list(typed_in.items())
    return client.post(url, data=urlencode(data), content_type="application/x-www-form-urlencoded")


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _not_booked(app: Flask, place: Riverside, first_name: str):
    """The booking form sent with ``first_name``, which books nothing."""
    response = _book_as(app.test_client(), place.to_book, first_name=first_name)
    assert _count(app, Booking) == 1  # only Sam's, today
    return response


def _bookings_named(app: Flask, first_name: str) -> list[Booking]:
    with app.app_context():
        found = db.session.scalars(select(Booking).filter_by(first_name=first_name)).all()
        db.session.expunge_all()
        return list(found)


def test_a_line_break_in_a_first_name_never_starts_a_new_line_in_the_email(app, riverside):
    client = app.test_client()
    response = _book_as(client, riverside.to_book, first_name="Sam\r\nBcc: someone@example.com")
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    [booking] = _bookings_named(app, "Sam Bcc: someone@example.com")
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).filter_by(booking_id=booking.id))
        words = render_message(message, Links("https://example.org", app.config["SECRET_KEY"]))
    assert "\r" not in words.subject + words.body and "\n" not in words.subject
    assert "Hello Sam Bcc: someone@example.com," in words.body.split("\n")
    assert not any(line.startswith("Bcc:") for line in words.body.splitlines())


def test_a_first_name_of_invisible_characters_is_asked_for_again(app, riverside):
    response = _not_booked(app, riverside, "\u200b\u200d\ufeff\u2060 \u200e")
    assert response.status_code == 200
    assert "Enter your first name" in response.get_data(as_text=True)
    assert read_name("\u200b\u200c\u200d\ufeff") == ("", "name_required")  # the kiosk too


NAMES = [
    "محمد عبد الله",  # Arabic
    "রাজ্যশ্রী",  # Bengali
    "স্ট্র\u200d্যাটেজি",  # Bengali with a ZWJ inside the word
    "Олександра",  # Ukrainian
    "Łucja Wiśniewska-Żak",  # Polish
    "Siobhán O'Brien",
    "Jean-Luc",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_real_name_in_any_script_is_kept_as_typed_on_the_site_and_the_kiosk(name):
    assert clean_line(name) == name
    assert read_name(name) == (name, None)


def test_a_bengali_name_with_a_joiner_is_booked_as_typed(app, riverside):
    response = _book_as(app.test_client(), riverside.to_book, first_name=NAMES[2])
    assert response.status_code in (302, 303)
    assert len(_bookings_named(app, NAMES[2])) == 1


@pytest.mark.parametrize(
    ("typed_in", "kept"),
    [
        ("Sam\r\nBcc: x@example.com", "Sam Bcc: x@example.com"),
        ("\u202eSam\u202c", "Sam"),  # a right-to-left override
        ("\ufeffSam\x00\x07", "Sam"),
        ("  Sam \t Kowalski  ", "Sam Kowalski"),
        ("Zoe\u0301", "Zoé"),  # NFC
        ("\u3164\u200b", ""),  # a Hangul filler and a zero-width space
    ],
)
def test_one_line_of_text_keeps_what_shows_on_one_line(typed_in, kept):
    assert clean_line(typed_in) == kept


def test_a_note_keeps_its_lines_but_no_control_characters():
    typed_in = "Wheelchair user.\r\nBringing a buggy\x00\x1b[2J.\r\n\u200b"
    assert clean_text(typed_in) == "Wheelchair user.\nBringing a buggy[2J."
    assert clean_text("\u200b\n\u200d\r\n ") == ""


@pytest.mark.parametrize(
    ("posted", "read"),
    [("42", 42), (" 7 ", 7), ("0", 0), ("-1", None), (str(2**31 - 1), 2**31 - 1),
     (str(2**31), None), ("1" * 30, None), ("\u00b2", None), ("\u0661", None), ("9" * 5000, None)],
)  # fmt: skip
def test_an_id_is_a_whole_number_the_database_can_hold(posted, read):
    assert whole_id(posted) == read


def test_a_nul_byte_gets_a_plain_400_and_changes_nothing(app, riverside):
    response = _not_booked(app, riverside, "Sam\x00")
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.get_data(as_text=True)
    client = app.test_client()
    pair_kiosk(client, app)  # the kiosk's own calm page, in the family's language
    home = read_page("/kiosk/", client.get("/kiosk/").get_data(as_text=True))
    token = next(v for n, v in home.forms[0].fields if n == "csrf_token")
    response = client.post("/kiosk/scan", data={"csrf_token": token, "code": "DADS\x002345"})
    assert response.status_code == 400
    assert "Please tell someone at reception" in response.get_data(as_text=True)
    assert _count(app, Visit) == 0


def test_an_id_too_big_for_the_database_is_page_not_found(app, riverside, signed_in):
    client = app.test_client()
    assert (
        client.get("/book/riverside/sessions/111111111111111111111111111111/book").status_code
        == 404
    )
    assert client.get(f"/book/riverside/sessions/{2**31}").status_code == 404
    staff = signed_in("reception@riverside.example")
    board = staff.get("/admin/arrivals").get_data(as_text=True)
    token = next(f for f in read_page("/", board).forms if f.method == "POST").fields[0][1]
    for data in ({"booking_id": "1" * 30}, {"booking_id": "\u00b2"}):
        response = staff.post(
            "/admin/arrivals/check-in/booking", data={"csrf_token": token, **data}
        )
        assert response.status_code == 404
    response = staff.post(
        "/admin/arrivals/act", data={"csrf_token": token, "subject": "visit", "id": str(2**63)}
    )
    assert response.status_code == 404


def test_every_form_cleans_what_is_posted_to_it(app):
    def subclasses(cls: type) -> list[type]:
        found: list[type] = []
        subs: list[type] = cls.__subclasses__()
        for sub in subs:
            found += [sub, *subclasses(sub)]
        return found

    ours = [
        form
        for form in subclasses(FlaskForm)
        if form.__module__.split(".")[0] in ("admin", "booking", "kiosk", "arrivals")
    ]
    assert PublicForm in ours
    assert [form.__name__ for form in ours if not issubclass(form, CleanForm)] == []


def test_a_nonce_we_made_is_read_back_and_anything_else_is_no_nonce():
    made = new_nonce()
    assert read_nonce(made) == made
    for mangled in ("", "short", made + "!", "a" * 65, None, 12345678901234567890, made[:15]):
        assert read_nonce(mangled) is None
