"""Cuts the small fonts the language chooser's names are drawn in.

The chooser names every shipped language in its own script on every page
("বাংলা", "اردو"). A page in English should not fetch a whole Bengali or Urdu font
for one word each, so ``static/build-assets.sh`` runs this after the stylesheet is
built: every ``@font-face`` of the family "Front Door language names" in it names
a file ``names-<source>.woff2``; this writes that file from ``<source>-400-normal.woff2``
(copied from the @fontsource packages), keeping only the letters of the languages'
names that fall in the face's unicode-range, with the shaping rules they need.

    python -m tools.language_name_fonts static/dist

The @font-face reader here is also what tests/test_fonts.py checks the shipped
fonts with, so the test sees the faces a browser sees.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset

from frontdoor.templating import LANGUAGES

NAMES_FAMILY = "Front Door language names"
_FACE = re.compile(r"@font-face\s*{([^}]*)}")
_RANGE = re.compile(r"U\+([0-9A-Fa-f]+)(?:-([0-9A-Fa-f]+))?")


@dataclass(frozen=True)
class Face:
    """One ``@font-face`` rule: the family, weight, file and characters it claims."""

    family: str
    weight: str
    file: str  # the file's name in static/dist/fonts
    ranges: tuple[tuple[int, int], ...]

    def claims(self, character: str) -> bool:
        return any(low <= ord(character) <= high for low, high in self.ranges)


def _property(rule: str, name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", rule)
    return found.group(1).strip() if found else ""


def font_faces(css: str) -> list[Face]:
    """Every ``@font-face`` in a stylesheet, as a browser would match them."""
    faces = []
    for rule in _FACE.findall(css):
        url = re.search(r"url\(\s*['\"]?([^'\")]+)", _property(rule, "src"))
        ranges = tuple(
            (int(low, 16), int(high or low, 16))
            for low, high in _RANGE.findall(_property(rule, "unicode-range"))
        ) or ((0, 0x10FFFF),)
        faces.append(
            Face(
                family=_property(rule, "font-family").strip("'\""),
                weight=_property(rule, "font-weight") or "400",
                file=url.group(1).rsplit("/", 1)[-1] if url else "",
                ranges=ranges,
            )
        )
    return faces


def language_names_text() -> str:
    return "".join(language["name"] for language in LANGUAGES.values())


def cut(source: Path, target: Path, text: str) -> None:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # joining forms and conjuncts: the names must shape
    options.name_IDs = ["*"]  # the copyright and OFL notice travel with the font
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def main(dist: Path) -> None:
    fonts = dist / "fonts"
    css = (dist / "frontdoor.css").read_text(encoding="utf-8")
    names = language_names_text()
    for face in font_faces(css):
        if face.family != NAMES_FAMILY:
            continue
        letters = "".join(sorted({c for c in names if face.claims(c)}))
        source = fonts / face.file.removeprefix("names-").replace(".woff2", "-400-normal.woff2")
        cut(source, fonts / face.file, letters or " ")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
