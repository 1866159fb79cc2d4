"""Connections: a family's consented introduction to a partner service, tracked
from "sent" until the partner has said yes or no (``services``), the partner's
page reached by a signed link with no account (``views``), and the email that
carries it (``messages``). Staff pages are in ``admin.connections``.

Uses ``arrivals``, ``directory`` and ``frontdoor``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from connections import messages, views

    messages.register()
    app.register_blueprint(views.bp)
