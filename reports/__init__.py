"""Reach reports (issue 12): the daily totals kept by a nightly job (``totals``), the
report read from them (``figures``), who may see which (``access``), the periods
(``periods``), small numbers suppressed (``suppression``), charts (``charts``), CSV
(``export``) and ``frontdoor reach`` (``cli``). The counting rules themselves are in
``frontdoor.counting``. The pages are ``admin.reports``.

Uses ``connections`` and ``frontdoor``; nothing imports it but ``admin``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from reports import totals
    from reports.cli import reach_cli

    totals.register()
    app.cli.add_command(reach_cli)
