"""What one family's visit to the screen remembers, and reading what they typed.

A visit's state lives in the Flask session under one key and holds ids and
counts, never what was typed: names go straight from a form to a service. Every
screen after the start screen needs that state, so once the kiosk resets, any
address in the browser's history leads back to the start screen.

Screens POST and then redirect (never render), so nothing personal is in an
address and Back never re-sends a form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for
from sqlalchemy.exc import IntegrityError

from arrivals.checkin import MAX_PARTY  # adults and children together
from frontdoor.extensions import db
from frontdoor.fields import clean_line, new_nonce, read_nonce
from frontdoor.words.families import family_words

F = TypeVar("F", bound=Callable)
T = TypeVar("T")

STATE = "kiosk"
DISPLAY = "kiosk_display"
DISPLAY_OPTIONS = ("large", "contrast")

MAX_NAME = 50
MAX_EACH = 10  # on one counter
_NAME_PUNCTUATION = set(" -'\u2019\u200c\u200d")  # ZWNJ and ZWJ join letters


# --- the visit's state --------------------------------------------------------------


def state() -> dict[str, Any]:
    return dict(session.get(STATE) or {})


def start(flow: str, **values: Any) -> None:
    """A fresh task in ``flow``. A hub card shown at the start of this visit stays
    with it (the start screen and a reset end the visit, and forget it)."""
    shown = {"card": key} if (key := card()) else {}
    session[STATE] = {"flow": flow, **shown, **values}


def card() -> str | None:
    """The family key of the hub card shown in this visit, if one was."""
    key = state().get("card")
    return key if isinstance(key, str) else None


def save(**values: Any) -> None:
    current = state()
    current.update(values)
    session[STATE] = current


def take_note() -> str | None:
    """A one-off message for the screen being drawn ("Enter your first name."), in
    the families' catalogue's words. Notes are codes; the only number one needs is
    the longest name the kiosk takes."""
    current = state()
    note = current.pop("note", None)
    if not note:
        return None
    session[STATE] = current
    return family_words(note, max=MAX_NAME)


def clear(*, language: bool = False) -> None:
    """End the visit; on a reset (``language=True``) forget the language too, so
    the next family starts in the hub's own and nothing hints at what the last
    one spoke. Larger text and high contrast belong to the screen and stay."""
    session.pop(STATE, None)
    if language:
        session.pop("language", None)


def home():
    return redirect(url_for("kiosk.home"), code=303)


def lost():
    """A screen whose visit has moved on. A second tap after the task finished
    (two taps, no JavaScript) is answered with the first tap's result."""
    if state().get("flow") == "done":
        return go("kiosk.done")
    return home()


def go(endpoint: str, **values: Any):
    """After a POST: to a screen whose address holds nothing personal."""
    return redirect(url_for(endpoint, **values), code=303)


def sorry(code: str, **details: Any):
    """The kind message for ``code`` (with a way to talk to someone), after a POST."""
    save(problem={"code": code, **details})
    return go("kiosk.sorry")


def in_visit(view: F) -> F:
    """Screens inside a visit: without its state (after a reset) go to the start."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not session.get(STATE):
            return home()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


# --- per-screen nonces ----------------------------------------------------------------


def screen_nonce() -> str:
    """A fresh nonce for the screen being drawn (a hidden input on its forms)."""
    if "screen_nonce" not in g:
        g.screen_nonce = new_nonce()
    return g.screen_nonce


def posted_nonce() -> str | None:
    """The screen's nonce, tied to this device, for services' nonce/idempotency keys.

    A double tap sends the same nonce twice and gets the first tap's result.
    """
    nonce = read_nonce(request.form.get("nonce"))
    return f"k{g.kiosk.id}.{nonce}" if nonce else None


# --- reading input ----------------------------------------------------------------------


def read_name(typed: str | None) -> tuple[str, str | None]:
    """(name, problem code): letters in any script, spaces, hyphens, apostrophes,
    and the joiners some scripts write inside words (Bengali's ZWJ)."""
    name = clean_line(typed)
    if not name:
        return "", "name_required"
    if len(name) > MAX_NAME:
        return "", "name_too_long"
    if not all(ch.isalpha() or ch in _NAME_PUNCTUATION or _is_mark(ch) for ch in name):
        return "", "name_letters"
    return name, None


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def read_count(value: str | None, low: int = 0, high: int = MAX_EACH) -> int | None:
    text = (value or "").strip()
    if not re.fullmatch(r"\d{1,2}", text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def step_counts(counts: dict[str, int], change: str, limits: dict[str, int]) -> dict[str, int]:
    """Apply a +/- button (``adults+``, ``children-``, ``c_0-1+``) within limits."""
    name, sign = change[:-1], change[-1:]
    if name not in counts or sign not in "+-":
        return counts
    value = counts[name] + (1 if sign == "+" else -1)
    if (
        0 <= value <= limits.get(name, MAX_EACH)
        and sum(counts.values()) + (1 if sign == "+" else -1) <= MAX_PARTY
    ):
        counts = {**counts, name: value}
    return counts


def display_classes() -> str:
    chosen = session.get(DISPLAY) or []
    return " ".join(f"fd-kiosk--{option}" for option in DISPLAY_OPTIONS if option in chosen)


# --- one record per screen, whatever the taps -----------------------------------------


def once(call: Callable[[], T], nonce: str | None) -> T:
    """Run a service call and commit. The services take their row lock before
    looking for the screen's nonce, so a double tap that waited for the first
    gets the first tap's record. Should two taps still both insert (a service
    with no row to lock), the unique nonce refuses the second: run it again, and
    the service then finds the first tap's record by the nonce."""
    try:
        result = call()
        db.session.commit()
        return result
    except IntegrityError:
        db.session.rollback()
        if not nonce:
            raise
    result = call()
    db.session.commit()
    return result
