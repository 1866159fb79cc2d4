"""The directory of services: the council's partner organisations and the services
they run (``frontdoor.models.directory``), kept by managers (``services``: the
"due for checking" rule and every change, audited) and checked by the partners
themselves through a signed link each quarter (``partner_checks``, ``views``).

Uses only ``frontdoor``; the staff pages are in ``admin.directory``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from directory import partner_checks, views

    partner_checks.register()  # the quarterly email and its words
    app.register_blueprint(views.bp)
