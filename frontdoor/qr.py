"""QR codes as small inline SVG: dark squares on a white quiet zone, no styles.

Drawn as one path of horizontal runs, so it needs no ``style`` attribute (the
Content-Security-Policy refuses inline styles) and stays readable in any theme.
"""

from __future__ import annotations

import qrcode
from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_svg(data: str, *, label: str, css_class: str = "fd-qr") -> Markup:
    """An ``<svg>`` element showing ``data`` as a QR code, described by ``label``."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + QUIET_ZONE},{y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return Markup(  # noqa: S704 - every value in it is escaped or a number
        f'<svg class="{escape(css_class)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="{escape(label)}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path fill="#0b0c0c" d="{"".join(runs)}"/></svg>'
    )
