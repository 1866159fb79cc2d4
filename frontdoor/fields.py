"""What anyone may send us, checked once at the edge: ids, lines of text, notes.

A fuzzer found that a NUL byte in a name or a number beyond 64 bits in an id
reached PostgreSQL (which refuses both) and came back as a server error, that a
name made only of invisible characters was accepted, and that a line break in a
first name became a new line in an email. The rules for what is never a
legitimate value live here, and every way in uses them:

- addresses: the ``int`` converter (``IdConverter``) matches only ids the
  database can hold, so ``/sessions/111111111111111111111111111111`` is a 404;
- forms: every form is a ``CleanForm``, whose posted values are cleaned by the
  field's kind before any field sees them (``clean_line`` for one line of text,
  ``clean_text`` for a box of several lines), and ids in forms are read with
  ``whole_id`` / ``to_id``, nonces with ``read_nonce`` (made by ``new_nonce``);
- everything else a view reads straight from the request: ``refuse_impossible_text``
  answers a plain-words 400 to a NUL byte (or a lone surrogate, which no keyboard
  can type) anywhere in the address, query, form or JSON, before any view runs.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from flask import Flask, abort, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map, ValidationError
from wtforms import Field, PasswordField, TextAreaField

# Every primary key is a PostgreSQL INTEGER (32 bits, signed).
MAX_ID = 2**31 - 1
_ID_DIGITS = len(str(MAX_ID))

# Never typed, never legitimate: NUL (PostgreSQL refuses it in text) and lone
# surrogates (not text at all; only JSON can carry one).
_IMPOSSIBLE = re.compile("[\x00\ud800-\udfff]")
# Explicit bidi embeddings, overrides and isolates: they reorder the text after
# them on a staff screen, in an email subject or a text message. The page sets
# the direction itself; Arabic and Urdu names need none of these.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters with no ink of their own (Unicode's default-ignorable code points
# outside the "Cf" category, such as the Hangul fillers, and the braille blank): a
# value made only of these, spaces and format characters is empty.
_NO_INK = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800") | frozenset(
    chr(c) for c in (*range(0x180B, 0x1810), *range(0xFE00, 0xFE10))
)


# --- nonces -------------------------------------------------------------------------------

# What ``new_nonce`` makes (16 random bytes, URL-safe), with room for longer ones
# that older pages in a browser may still carry.
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_nonce() -> str:
    """A fresh nonce for a form that must act once however often it is pressed: the
    services take it as their idempotency key."""
    return secrets.token_urlsafe(16)


def read_nonce(posted: object) -> str | None:
    """A posted nonce, if it is one we could have made; anything else is no nonce at
    all (a new form, or a mangled one), never an error."""
    return posted if isinstance(posted, str) and _NONCE.match(posted) else None


# --- ids ----------------------------------------------------------------------------------


def whole_id(value: object) -> int | None:
    """An id (or a version, a count) as posted, such as ``"42"``: None unless it is a
    whole number from 0 to what the database holds, in the digits 0 to 9."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _ID_DIGITS):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def to_id(value: object) -> int:
    """``whole_id`` for a WTForms ``coerce``: not an id raises ``ValueError``."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    number = whole_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


def optional_id(value: object) -> int | None:
    """``to_id`` for a list whose first choice is "none" (an empty value)."""
    return None if value in (None, "") else to_id(value)


class IdConverter(IntegerConverter):
    """``<int:...>`` in every address: only whole numbers the database can hold."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> Any:
        if len(value.lstrip("-")) > _ID_DIGITS:  # too many digits for int() to bother
            raise ValidationError()
        return super().to_python(value)


# --- text ---------------------------------------------------------------------------------


def _is_blank(ch: str) -> bool:
    return ch.isspace() or ch in _NO_INK or unicodedata.category(ch) in ("Cf", "Zs")


def _kept(ch: str, line_break: str) -> str:
    """One character as it is kept: controls dropped, breaks and tabs made plain."""
    if ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        return line_break
    if ch in "\t\x1f":
        return " "
    if ch in _BIDI_CONTROLS or ch == "\ufeff" or unicodedata.category(ch) in ("Cc", "Cs"):
        return ""
    return ch


def _trim(text: str) -> str:
    """Without blank or invisible characters at either end; "" if nothing shows."""
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def clean_line(typed: str | None) -> str:
    """One line of text (a name, a reference, a reason) as we keep it.

    Unicode NFC; control characters dropped; a line break, tab or run of spaces
    becomes one space (so a CR/LF can never start a new line in a message);
    invisible characters at the ends trimmed, and a value made only of them is
    empty. Joiners inside words (Bengali's ZWJ, Persian's ZWNJ) stay.
    """
    text = unicodedata.normalize("NFC", typed or "")
    text = "".join(_kept(ch, " ") for ch in text)
    return _trim(re.sub(r"\s+", " ", text))


def clean_text(typed: str | None) -> str:
    """Several lines of text (access needs, notes): ``clean_line``'s rules, but line
    breaks are kept, as ``\\n``."""
    text = unicodedata.normalize("NFC", typed or "").replace("\r\n", "\n")
    text = "".join(_kept(ch, "\n") for ch in text)
    return _trim(text)


# Arabic-script vowel marks and tatweel: optional in writing, so a name typed with
# or without them is the same name. Yeh and kaf are written two ways (Arabic's and
# Urdu's letters, and the alef maksura some keyboards type for yeh).
_OPTIONAL_ARABIC = re.compile("[\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_VARIANTS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})


def name_key(name: str | None) -> str:
    """A name as it is matched ("find me", "I'm leaving"), never as it is shown.

    Compatibility forms folded (NFKC) and case too; invisible characters (joiners,
    direction marks) dropped; Arabic-script vowel marks and letter variants folded;
    accents on Latin letters dropped, since a booking made on a phone without them
    ("Zoe") must find the name typed with them ("Zoë"). Marks of other scripts stay:
    a Bengali vowel sign or Ukrainian й is part of the letter.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    kept, latin = [], False
    for ch in unicodedata.normalize("NFD", text):
        category = unicodedata.category(ch)
        if category == "Cf" or ch in _NO_INK or (latin and category == "Mn"):
            continue
        if not category.startswith("M"):
            latin = "LATIN" in unicodedata.name(ch, "")
        kept.append(ch)
    text = _OPTIONAL_ARABIC.sub("", "".join(kept)).translate(_ARABIC_VARIANTS)
    return " ".join(unicodedata.normalize("NFC", text).split())


def refuse_impossible_text() -> None:
    """A plain-words 400 for a NUL byte or lone surrogate anywhere in the request.

    Checked before any view, so the views that read ``request.form`` or
    ``request.args`` themselves (the kiosk's screens, the arrivals board) are
    covered as much as the forms: no browser sends these from anything typed.
    """
    texts: list[str] = [request.path, *_strings(request.view_args or {})]
    texts += _strings(request.args.lists()) + _strings(request.form.lists())
    if request.is_json:
        texts += _strings(request.get_json(silent=True))
    if any(_IMPOSSIBLE.search(text) for text in texts):
        abort(400)


def _strings(value: object) -> list[str]:
    """Every key and string inside a (nested) form, query or JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = value.items()
    if isinstance(value, Iterable):
        return [text for item in value for text in _strings(item)]
    return []


# --- forms --------------------------------------------------------------------------------


def cleaned(field: Field, values: list[Any]) -> list[Any]:
    """A field's posted values by its kind: a password as typed, a text box's
    lines kept, any other value (a name, a number, a date, a choice) one line."""
    if isinstance(field, PasswordField):
        return values
    clean = clean_text if isinstance(field, TextAreaField) else clean_line
    return [clean(value) if isinstance(value, str) else value for value in values]


class CleanForm(FlaskForm):
    """Every form of the app: posted values are cleaned (``cleaned``) before any
    field or validator sees them, so "Enter your first name" shows for a name of
    invisible characters, and no field can keep a NUL or a line break it should not."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: FlaskForm, formdata: Any) -> Any:
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None:
                return None
            fields = {field.name: field for field in form}
            clean: MultiDict[str, Any] = MultiDict()
            for name, values in formdata.lists():
                field = fields.get(name)
                clean.setlist(name, cleaned(field, values) if field is not None else values)
            return clean


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_impossible_text)
