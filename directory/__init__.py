"""The council's directory: partner organisations and their services
(``frontdoor.models.directory``), kept by managers (``services``: the "due for
checking" rule and every change, audited), checked by the partners themselves
through a signed link each quarter (``partner_checks``, ``views``), read from Open
Referral UK 3.0 (``oruk``, ``imports``, ``frontdoor directory import``) and published
as a read-only Open Referral API (``published``, ``api``).

Uses only ``frontdoor``; the staff pages are in ``admin.directory``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from directory import api, family_views, partner_checks, texts, views
    from directory.cli import directory_cli

    partner_checks.register()  # the quarterly email and its words
    texts.register()  # a service's details, texted to a family who asks
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(family_views.bp)  # Find support, on the booking site
    app.cli.add_command(directory_cli)
