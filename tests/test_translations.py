"""Every kiosk string, every string of the public booking site (its pages, forms,
messages and the GOV.UK component words it shows), and every sentence of the
families' catalogue of refusals, is translated into every language the kiosk offers.

The words are found the way ``pybabel extract`` finds them (babel.cfg's method
map), so adding a string without translating it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from frontdoor.templating import LANGUAGES
from tests.test_kiosk import place, screen  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in LANGUAGES if code != "en"]
# pybabel's default keywords, plus the ``-k _l -k lazy_gettext`` of translations/README.md.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
HOME_CHOICES = (
    "I have a booking",
    "I'm here for a drop-in",
    "What's on",
    "I'd like to talk to someone",
)


def _kiosk_sources() -> list[tuple[str, Path]]:
    templates = sorted((ROOT / "templates" / "kiosk").glob("*.html"))
    templates.extend(sorted((ROOT / "templates" / "errors").glob("kiosk*.html")))
    python = sorted((ROOT / "kiosk").glob("*.py"))
    return [("jinja2", path) for path in templates] + [("python", path) for path in python]


def _booking_site_sources() -> list[tuple[str, Path]]:
    """What a family reads on the booking site on their phone, and in its emails
    and texts: its own templates, the page shell and error pages it shares with
    staff, GOV.UK words we word ourselves, and the Python that words its forms,
    flash messages and messages."""
    templates = ROOT / "templates"
    pages = sorted((templates / "booking").rglob("*.html"))
    pages += sorted(templates.glob("_family_*.html"))
    pages += [templates / "layouts" / "base.html", *sorted((templates / "errors").glob("*.html"))]
    pages += sorted((templates / "govuk_frontend_jinja").rglob("*.html"))
    pages = [page for page in pages if not page.name.startswith("kiosk")]
    python = sorted((ROOT / "booking").glob("*.py"))
    python += [ROOT / "directory" / "family_views.py", ROOT / "frontdoor" / "errors.py"]
    python += [ROOT / "frontdoor" / "topics.py", ROOT / "frontdoor" / "templating.py"]
    return [("jinja2", path) for path in pages] + [("python", path) for path in python]


# What families are told when a rule says no, on the booking site and the kiosk.
FAMILY_WORDS = ROOT / "frontdoor" / "words" / "families.py"


def messages_in(sources: list[tuple[str, Path]]) -> dict[str, set[str]]:
    """Each msgid (a plural's singular) in ``sources`` and the files that use it."""
    found: dict[str, set[str]] = {}
    for method, path in sources:
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault(msgid, set()).add(str(path.relative_to(ROOT)))
    return found


def kiosk_messages() -> dict[str, set[str]]:
    return messages_in(_kiosk_sources())


def booking_site_messages() -> dict[str, set[str]]:
    return messages_in(_booking_site_sources())


def family_word_messages() -> dict[str, set[str]]:
    return messages_in([("python", FAMILY_WORDS)])


def catalog(code: str):
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=code)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_kiosk_has_strings_to_translate():
    messages = kiosk_messages()
    assert len(messages) > 150 and "I have a booking" in messages


def untranslated(code: str, messages: dict[str, set[str]]) -> list[str]:
    translations = catalog(code)
    missing = []
    for msgid, files in sorted(messages.items()):
        message = translations.get(msgid)
        if not message or message.fuzzy or not all(_strings(message)):
            missing.append(f"{msgid!r} ({', '.join(sorted(files))})")
    return missing


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_kiosk_string_is_translated(code):
    missing = untranslated(code, kiosk_messages())
    assert not missing, f"{code}: untranslated kiosk strings:\n" + "\n".join(missing)


def test_the_booking_site_has_strings_to_translate():
    messages = booking_site_messages()
    assert len(messages) > 300
    for english in ("Book a place", "There is a problem", "Error", "Skip to main content"):
        assert english in messages, english


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_booking_site_string_is_translated(code):
    missing = untranslated(code, booking_site_messages())
    assert not missing, f"{code}: untranslated booking site strings:\n" + "\n".join(missing)


def test_the_families_catalogue_has_sentences_to_translate():
    assert len(family_word_messages()) > 25


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_refusal_a_family_is_told_is_translated(code):
    missing = untranslated(code, family_word_messages())
    assert not missing, f"{code}: untranslated words for families:\n" + "\n".join(missing)


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code):
    wrong = []
    for message in catalog(code):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = _strings(message)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(ids))))
        for string in strings:
            if string and sorted(set(PLACEHOLDER.findall(string))) != wanted:
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert not wrong, f"{code}: placeholders differ:\n" + "\n".join(wrong)


def test_every_language_has_a_catalogue_and_english_comes_first():
    assert next(iter(LANGUAGES)) == "en"
    for code in TRANSLATED:
        assert (ROOT / "translations" / code / "LC_MESSAGES" / "messages.mo").exists(), code


@pytest.mark.parametrize("code", TRANSLATED)
def test_choosing_a_language_translates_the_home_screen(screen, code):  # noqa: F811
    translations = catalog(code)
    screen.open("/kiosk/")
    screen.post("/kiosk/language", {"language": code})
    assert f'<html lang="{code}" dir="{LANGUAGES[code]["dir"]}"' in screen.html
    for english in HOME_CHOICES:
        assert f'<span class="fd-choice__text">{english}' not in screen.html.replace("&#39;", "'")
        wanted = translations.get(english).string
        assert f'<span class="fd-choice__text">{wanted}</span>' in screen.html.replace(
            "&#39;", "'"
        ), (code, english)
