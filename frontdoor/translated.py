"""What hubs write, in the family's language.

Staff write a series' title and description, a category's name and a hub's
"getting there and access" words in English, and may give each in any language
the product ships. Every face that shows these to a family asks ``in_language``;
staff screens show the English.

Stored as one JSON column, ``translations``, on each translatable table:
``{"title": {"pl": "…", "ar": "…"}, "description": {…}}``. It is loaded with the
row, so a week of sessions on "What's on" costs no extra query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

from flask import Flask

from frontdoor.errors import ServiceError
from frontdoor.models import Hub, ServiceCategory, SessionSeries
from frontdoor.templating import LANGUAGES, page_language

# The fields staff may give in other languages, and the longest each may be
# (the same as the English field's).
TRANSLATABLE: dict[type, dict[str, int]] = {
    SessionSeries: {"title": 200, "description": 2000},
    ServiceCategory: {"name": 120},
    Hub: {"access_information": 2000},
}
# English is the text itself; these are the languages it can be given in besides.
OTHER_LANGUAGES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != "en")

Translations = dict[str, dict[str, str]]
T = TypeVar("T", bound="Translatable")


class Translatable(Protocol):
    translations: Translations


def in_language(thing: Translatable, field: str, locale: str) -> str:
    """What a family reading ``locale`` sees for ``field``: the hub's words in their
    language if staff gave them, otherwise the English."""
    given = (thing.translations or {}).get(field, {}).get(locale, "")
    return given or str(getattr(thing, field))


def checked_translations(kind: type, given: Mapping[str, Mapping[str, str]]) -> Translations:
    """``given`` checked and stripped, blanks kept (a blank means "use English").
    Raises ``language_not_shipped`` for a language the product does not ship and
    ``translation_too_long`` for text longer than the English field allows."""
    limits = TRANSLATABLE[kind]
    checked: Translations = {}
    for field, by_language in given.items():
        if field not in limits:
            raise ServiceError("not_translatable", field=field)
        for code, text in by_language.items():
            if code not in OTHER_LANGUAGES:
                raise ServiceError("language_not_shipped", field=f"{field}_{code}")
            text = text.strip()
            if len(text) > limits[field]:
                raise ServiceError(
                    "translation_too_long", field=f"{field}_{code}", limit=limits[field]
                )
            checked.setdefault(field, {})[code] = text
    return checked


def translate(thing: Translatable, given: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Keep ``given`` (checked) on ``thing``: a text replaces that language's, a blank
    removes it, a language not given is left as it was. Returns what changed for
    the audit log, "title in Polish" style. The caller audits and commits."""
    before = thing.translations or {}
    after = {field: dict(by_language) for field, by_language in before.items()}
    for field, by_language in checked_translations(type(thing), given).items():
        for code, text in by_language.items():
            if text:
                after.setdefault(field, {})[code] = text
            else:
                after.get(field, {}).pop(code, None)
    after = {field: by_language for field, by_language in after.items() if by_language}
    changed = [
        f"{field} in {LANGUAGES[code]['english']}"
        for field in TRANSLATABLE[type(thing)]
        for code in OTHER_LANGUAGES
        if before.get(field, {}).get(code, "") != after.get(field, {}).get(code, "")
    ]
    thing.translations = after
    return changed


def on_this_page(thing: Translatable, field: str) -> str:
    """``in_language`` in the page's language, for templates:
    ``{{ series | translated("title") }}``."""
    return in_language(thing, field, page_language())


def in_family_order(things: Iterable[T], field: str, locale: str) -> list[T]:
    """``things`` (categories, say) in the order a family reading ``locale`` looks
    for them: by the words they see (``in_language``), case ignored, English first
    among equals. No collation library is in our dependencies (Babel has none), so
    this is case-folded code-point order: alphabetical for the Arabic, Urdu, Bengali
    and Cyrillic letters, with a language's own Latin letters (Polish ł, Romanian
    ș) after z."""
    return sorted(
        things,
        key=lambda thing: (
            in_language(thing, field, locale).casefold(),
            str(getattr(thing, field)).casefold(),
        ),
    )


def in_page_order(things: Iterable[T], field: str) -> list[T]:
    """``in_family_order`` in the page's language, for templates:
    ``{% for each in categories | in_page_order("name") %}``."""
    return in_family_order(things, field, page_language())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["translated"] = on_this_page
    app.jinja_env.filters["in_page_order"] = in_page_order
