"""The fonts Front Door ships draw every letter a family can be shown.

Read as a browser reads them: the built stylesheet's ``@font-face`` rules (family,
weight, unicode-range) and the character map of each shipped woff2 file. A letter
counts only if a font in its language's stack claims it and has a glyph for it, in
regular and in bold, so a kiosk with no fonts of its own shows no empty boxes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from frontdoor.config import PROJECT_ROOT
from frontdoor.templating import LANGUAGES
from tools.language_name_fonts import NAMES_FAMILY, Face, font_faces

DIST = PROJECT_ROOT / "static" / "dist"
TRANSLATIONS = PROJECT_ROOT / "translations"
CSS = (DIST / "frontdoor.css").read_text(encoding="utf-8")
FACES = font_faces(CSS)
# Control and format characters (new lines, joiners, direction marks) draw nothing.
UNDRAWN = {"Cc", "Cf", "Zl", "Zp"}


@cache
def _characters(file: str) -> frozenset[int]:
    return frozenset(TTFont(DIST / "fonts" / file).getBestCmap())


def _stack(language: str) -> list[str]:
    """The families a page (or passage) in ``language`` asks for, as the CSS sets them."""
    own = re.search(rf"\[lang\|=\"?{language}\"?\]\s*{{\s*--fd-font:\s*([^;}}]+)", CSS)
    default = re.search(r":root,\s*\[lang\]\s*{\s*--fd-font:\s*([^;}]+)", CSS)
    assert default, "the stylesheet sets no default font stack"
    stack = (own or default).group(1)
    return [family.strip().strip("'\"") for family in stack.split(",")]


def _missing(text: str, families: list[str], weight: str) -> str:
    faces = [face for face in FACES if face.family in families and face.weight == weight]
    return "".join(
        sorted(
            {
                character
                for character in text
                if unicodedata.category(character) not in UNDRAWN
                and not any(_draws(face, character) for face in faces)
            }
        )
    )


def _draws(face: Face, character: str) -> bool:
    return face.claims(character) and ord(character) in _characters(face.file)


def _translated(language: str) -> str:
    """Every word a family can be shown in ``language``: the catalogue's translations,
    or for English its source strings."""
    source = TRANSLATIONS / "messages.pot"
    if language != "en":
        source = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with open(source, "rb") as po:
        catalogue = read_po(po)
    words = []
    for message in catalogue:
        if not message.id:
            continue
        chosen = message.id if language == "en" else message.string
        words.extend([chosen] if isinstance(chosen, str) else chosen)
    return "".join(words)


def _keyboard_letters(app, language: str) -> str:
    """The letters on the kiosk's name keyboard, as a family in ``language`` sees it."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(language):
        macros = app.jinja_env.get_template("kiosk/_macros.html").make_module({})
        html = str(macros.letters_keyboard("first_name"))
    return "".join(re.findall(r'data-key="([^"]*)"', html))


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("weight", ["400", "700"])
def test_every_translated_letter_has_a_glyph_in_its_languages_fonts(app, language, weight):
    text = _translated(language) + _keyboard_letters(app, language)
    assert len(text) > 1000  # the catalogue was read, not an empty file
    assert _missing(text, _stack(language), weight) == ""


@pytest.mark.parametrize(
    ("language", "letter"), [("ar", "ع"), ("ur", "ے"), ("bn", "ক"), ("uk", "Ї")]
)
def test_the_keyboards_checked_above_are_in_their_languages_own_script(app, language, letter):
    assert letter in _keyboard_letters(app, language)


def test_every_language_name_is_drawn_by_the_language_chooser_font():
    names = "".join(language["name"] for language in LANGUAGES.values())
    assert _missing(names, [NAMES_FAMILY], "400") == ""


def test_bengali_arabic_and_urdu_pages_ask_for_their_own_scripts_font_first():
    assert _stack("bn")[0] == "Noto Sans Bengali"
    assert _stack("ar")[0] == "Noto Sans Arabic"
    assert _stack("ur")[0] == "Noto Nastaliq Urdu"
    assert _stack("en")[0] == "Noto Sans"


def test_only_woff2_files_are_shipped_and_every_face_names_one():
    shipped = {path.name for path in (DIST / "fonts").glob("*.woff*")}
    assert shipped == {face.file for face in FACES}
    assert all(name.endswith(".woff2") for name in shipped)
    assert any(path.name.endswith("-OFL.txt") for path in (DIST / "fonts").iterdir())


def test_fonts_are_served_from_the_app_itself(client):
    answer = client.get("/static/dist/fonts/noto-sans-bengali-bengali-400-normal.woff2")
    assert answer.status_code == 200
    assert answer.mimetype == "font/woff2"
    policy = client.get("/kiosk/").headers["Content-Security-Policy"]
    assert "font-src 'self'" in policy
