"""Connections: a family's consented introduction to a partner service, tracked
from "sent" until the partner has said yes or no (``services``), the partner's
page reached by a signed link with no account (``views``), the email that
carries it (``messages``), the family's message saying what was arranged
(``family_message``), and a follow-up booked on the spot (``follow_ups``). Staff
pages are in ``admin.connections`` and ``admin.follow_ups``.

Uses ``arrivals``, ``booking``, ``directory`` and ``frontdoor``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from connections import family_message, messages, views

    messages.register()
    family_message.register()
    app.register_blueprint(views.bp)
