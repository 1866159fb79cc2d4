"""Connections: a family's consented introduction to a partner service, tracked
from "sent" until the partner has said yes or no (``services``), the partner's
page reached by a signed link with no account (``views``), and the email that
carries it (``messages``); what comes back to the practitioner (``outcomes``) and
the chasing of unanswered ones (``chasing``, a scheduled job); counts for reports
(``counts``, and ``frontdoor connections counts``). Staff pages are in ``admin.connections``.

Uses ``arrivals``, ``directory`` and ``frontdoor``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from connections import chasing, messages, views
    from connections.cli import connections_cli

    messages.register()
    chasing.register()
    app.register_blueprint(views.bp)
    app.cli.add_command(connections_cli)
