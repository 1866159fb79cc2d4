"""Reports as CSV: one figure's table, or the quarterly return (every figure, one
file). The cells are what the page shows (``reports.suppression``), so a count from
1 to 4 is "fewer than 5" in files too."""

from __future__ import annotations

import csv
import io

from frontdoor import audit
from reports.figures import Figure, Reach
from reports.suppression import shown, shown_total


def record_export(
    what: str, *, staff_id: int | None, hub_id: int | None, subject_id: int | None
) -> None:
    """Every file of figures that leaves the system is in the audit log: from the
    reports page (a member of staff) or the command line (``staff_id`` None)."""
    audit.record(
        "reach_export",
        staff_id=staff_id,
        subject_type="hub",
        subject_id=subject_id,
        hub_id=hub_id,
        detail=what,
    )


def table_rows(figure: Figure) -> list[list[str]]:
    """The figure's rows as shown, with its total row when it has one."""
    rows = [[label, *(shown(n) for n in counts)] for label, counts in figure.rows]
    if figure.total and figure.rows:
        columns = zip(*(counts for _, counts in figure.rows), strict=True)
        rows.append(["Total", *(shown_total(sum(c), c) for c in columns)])
    return rows


def figure_csv(figure: Figure) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([figure.heading, *figure.columns])
    writer.writerows(table_rows(figure))
    return out.getvalue()


def quarterly_return(reach: Reach, where: str) -> str:
    """Every figure, one line per cell: the place, the period, the figure, the row,
    the column and the count as shown."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["hubs", "from", "to", "figure", "row", "column", "count"])
    period = [where, reach.first.isoformat(), reach.last.isoformat()]
    for figure in reach.figures:
        for label, *cells in table_rows(figure):
            for column, cell in zip(figure.columns, cells, strict=True):
                writer.writerow([*period, figure.title, label, column, cell])
    return out.getvalue()
