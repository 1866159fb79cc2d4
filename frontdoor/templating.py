"""Jinja set-up shared by every face: locale, filters, and page-or-fragment.

htmx asks for a fragment (``HX-Request``) and gets the partial that sits next
to its page; a normal request, or an htmx history restore, gets the whole page.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from urllib.parse import urlencode

import jinja2
from flask import Flask, current_app, redirect, render_template, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Undefined,
)
from markupsafe import Markup, escape

from frontdoor.clock import LONDON
from frontdoor.config import PROJECT_ROOT
from frontdoor.extensions import htmx

# Languages the product ships, named in their own script (``name``, what a family
# chooses from) and in English (``english``, for staff). ``dir`` drives layout.
LANGUAGES: dict[str, dict[str, str]] = {
    "en": {"name": "English", "english": "English", "dir": "ltr"},
    "pl": {"name": "Polski", "english": "Polish", "dir": "ltr"},
    "ro": {"name": "Română", "english": "Romanian", "dir": "ltr"},
    "uk": {"name": "Українська", "english": "Ukrainian", "dir": "ltr"},
    "bn": {"name": "বাংলা", "english": "Bengali", "dir": "ltr"},
    "ur": {"name": "اردو", "english": "Urdu", "dir": "rtl"},
    "ar": {"name": "العربية", "english": "Arabic", "dir": "rtl"},
}


def language_for_staff(code: str) -> str:
    """A language as staff see it: in English with its own name beside, "Polish
    (Polski)"; "another language" for one the product does not ship (a family
    who chose "other" on the kiosk)."""
    language = LANGUAGES.get(code)
    if language is None:
        return "another language"
    if language["english"] == language["name"]:
        return language["english"]
    return f"{language['english']} ({language['name']})"


def select_locale() -> str:
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def page_language() -> str:
    """The language this page is in (what Babel chose for it): the family's, for
    what they read and for the messages they are sent from it."""
    return str(get_locale() or "en")


def text_direction(locale: str) -> str:
    return LANGUAGES.get(locale, {}).get("dir", "ltr")


# A page's language chooser links back to the same page with ``?lang=``.
LANGUAGE_LINK = "lang"


def remember_chosen_language() -> None:
    """A family who followed a language link keeps that language for the visit.
    A code we do not ship means English, quietly (an old or hand-typed link)."""
    chosen = request.args.get(LANGUAGE_LINK)
    if chosen is not None:
        session["language"] = chosen if chosen in LANGUAGES else "en"


def language_links() -> list[dict[str, object]]:
    """The chooser: every language in its own name, each a link to this page in it."""
    here = page_language()
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != LANGUAGE_LINK]
    return [
        {
            "code": code,
            "name": language["name"],
            "dir": language["dir"],
            "current": code == here,
            "href": request.path + "?" + urlencode([*kept, (LANGUAGE_LINK, code)]),
        }
        for code, language in LANGUAGES.items()
    ]


def html_lang() -> Markup:
    """The value for GOV.UK's ``htmlLang``: its template writes ``lang="…"`` on
    <html> and has no slot for ``dir``, so this closes ``lang`` and adds ``dir``
    (right to left for Arabic and Urdu)."""
    locale = page_language()
    return Markup('{}" dir="{}').format(escape(locale), text_direction(locale))


def page_or_fragment(page: str, fragment: str, **context: object):
    """Render ``fragment`` for an htmx request, else ``page`` (which includes it)."""
    wants_fragment = bool(htmx) and not htmx.history_restore_request
    response = current_app.make_response(
        render_template(fragment if wants_fragment else page, **context)
    )
    response.vary.add("HX-Request")
    return response


def redirect_after_form(url: str):
    """Where a form goes next. htmx would follow a plain redirect inside the page,
    so an htmx request is told (``HX-Redirect``) to load the new page whole."""
    if not htmx:
        return redirect(url)
    response = current_app.make_response(("", 200))
    response.headers["HX-Redirect"] = url
    return response


def page_globals() -> dict[str, object]:
    """What every template may use, from memory alone (no database)."""
    return {
        "council_name": current_app.config["FRONTDOOR"].council_name,
        "get_locale": get_locale,
        "html_lang": html_lang,
        "language_links": language_links,
        "text_direction": text_direction,
    }


_LOOKUPS = str(Path(jinja2.__file__).parent / "environment.py")
_OURS = str(PROJECT_ROOT / "templates")


class OurStrictUndefined(StrictUndefined):
    """Jinja's StrictUndefined in our own templates: a name nobody gave the page
    fails the test that drew it. GOV.UK Frontend's templates test optional names
    (``{% if htmlClasses %}``) by design, so theirs keep Jinja's quiet default."""

    __slots__ = ()

    def __new__(cls, *args: object, **kwargs: object) -> Undefined:  # type: ignore[misc]
        if _drawn_by_our_template():
            return super().__new__(cls)
        return Undefined(*args, **kwargs)  # type: ignore[arg-type]


def _drawn_by_our_template() -> bool:
    """Was the name looked up in one of our templates? A compiled template's code
    carries its file's name; an attribute or item is looked up by Jinja's
    environment on the template's behalf. (An argument a macro was not given is
    made by Jinja's runtime, and stays quiet.)"""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename == _LOOKUPS:
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith(_OURS)


def _local(value: datetime) -> datetime:
    return value.astimezone(LONDON)


def isolated(name: str | None) -> Markup:
    """A name inside a sentence, isolated so an Arabic or Urdu name keeps its own
    direction and leaves the sentence's words in order around it."""
    return Markup("<bdi>{}</bdi>").format(name or "")


def where_it_runs(delivery: str) -> str:
    """What a public page says of a session that runs online: "Online", or "Online
    and at the hub"; nothing for one at the hub. Never its joining link, which goes
    only to families with a place (``booking.message_text``)."""
    if delivery == "online":
        return _("Online")
    if delivery == "hybrid":
        return _("Online and at the hub")
    return ""


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder or "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    if app.config["FRONTDOOR"].strict_templates:
        app.jinja_env.undefined = OurStrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        local=_local,
        # 24-hour clock times read the same in every language we ship, and
        # strftime is much cheaper than Babel's pattern formatting on long lists.
        time=lambda v: _local(v).strftime("%H:%M") if isinstance(v, datetime) else "",
        day=lambda v: format_date(v, "EEEE d MMMM") if isinstance(v, date) else "",
        datetime=lambda v: format_datetime(_local(v), "EEE d MMM yyyy HH:mm") if v else "",
        language_for_staff=language_for_staff,
        isolated=isolated,
        where_it_runs=where_it_runs,
    )

    app.context_processor(page_globals)
    app.before_request(remember_chosen_language)
