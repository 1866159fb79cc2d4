"""Pictograms for the kiosk: simple SVG files in static/images/kiosk/, drawn inline.

Inline, so they take the text colour (``currentColor``) in every theme,
high contrast included. They are decoration: the words beside them carry the
meaning, so each is hidden from screen readers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

from frontdoor.config import PROJECT_ROOT

ICONS = PROJECT_ROOT / "static" / "images" / "kiosk"
_NAME = re.compile(r"^[a-z0-9_-]{1,60}$")


@lru_cache(maxsize=128)
def _svg(name: str) -> str | None:
    if not _NAME.match(name):
        return None
    path = ICONS / f"{name}.svg"
    if not path.is_file():
        return None
    return path.read_text().strip()


def kiosk_icon(name: str | None, fallback: str = "session") -> Markup:
    shown = name if _svg(name or "") else fallback
    svg = _svg(shown) or ""
    return Markup(  # noqa: S704 - our own files, found by a checked name
        svg.replace(
            "<svg ",
            f'<svg class="fd-icon fd-icon--{shown}" aria-hidden="true" focusable="false" ',
            1,
        )
    )
