"""Bar charts drawn on the server as SVG, with no script and no style attribute
(the Content-Security-Policy allows neither inline): presentation attributes only.
Each chart is an image with a title and a description that gives its numbers as
shown (a count from 1 to 4 is drawn as no bar and labelled "fewer than 5"); the
table beside it has the same numbers."""

from __future__ import annotations

from markupsafe import Markup, escape

from reports.figures import Figure
from reports.suppression import shown, suppressed

_ROW = 26
_LABEL = 260
_BARS = 300
_WIDTH = _LABEL + _BARS + 110


def bar_chart(figure: Figure) -> Markup:
    """The figure's first column as horizontal bars."""
    rows = [(label, counts[0]) for label, counts in figure.rows]
    drawn = [0 if suppressed(n) else n for _, n in rows]
    top = max(drawn, default=0) or 1
    height = _ROW * max(len(rows), 1) + 10
    ident = f"chart-{figure.slug}"
    described = "; ".join(f"{label}: {shown(n)}" for label, n in rows) or "No figures"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" class="app-chart">',
        f'<title id="{ident}-title">{escape(figure.title)}: {escape(figure.columns[0])}</title>',
        f'<desc id="{ident}-desc">{escape(described)}</desc>',
    ]
    for index, ((label, count), length) in enumerate(zip(rows, drawn, strict=True)):
        y = index * _ROW + 5
        width = round(_BARS * length / top)
        parts += [
            f'<text x="{_LABEL - 8}" y="{y + 17}" text-anchor="end" font-size="14" '
            f'fill="#0b0c0c">{escape(label[:40])}</text>',
            f'<rect x="{_LABEL}" y="{y + 3}" width="{width}" height="18" fill="#1d70b8"/>',
            f'<text x="{_LABEL + width + 6}" y="{y + 17}" font-size="14" '
            f'fill="#0b0c0c" class="app-chart__count">{escape(shown(count))}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value in it is escaped or a number
