"""Connections: a family's consented introduction to a partner service, tracked
from "sent" until the partner has said yes or no (``services``), the partner's
page reached by a signed link with no account (``views``), the email that
carries it (``messages``), the family's message saying what was arranged
(``family_message``), and a follow-up booked on the spot (``follow_ups``); what
comes back to the practitioner (``outcomes``) and the chasing of unanswered ones
(``chasing``, a scheduled job); counts for reports (``counts``, and ``frontdoor
connections counts``). Staff pages are in ``admin.connections`` and
``admin.follow_ups``.

Uses ``arrivals``, ``booking``, ``directory`` and ``frontdoor``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from connections import chasing, family_message, messages, views
    from connections.cli import connections_cli

    messages.register()
    family_message.register()
    chasing.register()
    app.register_blueprint(views.bp)
    app.cli.add_command(connections_cli)
