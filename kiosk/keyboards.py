"""The kiosk's name keyboard in the family's own script.

A family types their first name as they write it: in Arabic, Urdu, Bengali or
Ukrainian letters, or in Latin letters with their language's own (Polish, Romanian).
The letters come from the simple-keyboard-layouts package, cut to a name's letters
at build time (static/name-keyboards.mjs writes static/dist/name-keyboards.json);
here they become the alphabets ``letters_keyboard`` renders. Latin is always one of
them, a key away, for a family who writes their name in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext

from frontdoor.config import PROJECT_ROOT
from frontdoor.templating import page_language

LAYOUTS = PROJECT_ROOT / "static" / "dist" / "name-keyboards.json"
QWERTY = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]
# Latin letters with accents, for names from anywhere (Zoë, João, Çelik, Ødegaard).
ACCENTS = "ÀÁÂÄÃÅÆÇÈÉÊËÍÎÏÑÓÔÖÕØÚÜĂĄĆĘŁŃŚŹŻȘȚŞĞ"

Page = list[list[str]]


@dataclass(frozen=True)
class Alphabet:
    """One script's keys: ``pages`` of rows of keys, a second page for more letters."""

    name: str  # "own" or "latin", as kiosk.mjs switches them
    direction: str
    pages: list[Page]
    more_label: str  # what the key to the second page is called

    @property
    def samples(self) -> list[str]:
        """Three letters from each page, the label of the key that shows it."""
        if self.name == "latin":
            return ["ABC", "ÀÉÑ"]
        letters = [[key for row in page for key in row if key.isalpha()] for page in self.pages]
        return [" ".join(page[:3]) for page in letters]


def name_keyboard() -> list[Alphabet]:
    """The alphabets of the name keyboard in the page's language, its own first."""
    layout = _layouts().get(page_language(), {})
    latin_rows = [list(row) for row in QWERTY]
    if layout.get("latin_letters"):
        latin_rows.append(layout["latin_letters"])
    accents = [list(ACCENTS[i : i + 9]) for i in range(0, len(ACCENTS), 9)]
    latin = Alphabet("latin", "ltr", [latin_rows, accents], gettext("Letters with accents"))
    if not layout.get("pages"):
        return [latin]
    own = Alphabet("own", layout["dir"], layout["pages"], gettext("More letters"))
    return [own, latin]


@cache
def _layouts() -> dict[str, dict]:
    """The built layouts; without them (assets not built) every keyboard is Latin."""
    try:
        return json.loads(LAYOUTS.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
