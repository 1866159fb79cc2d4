"""Who is in the building: checking in (``checkin``), who greets whom
(``greeters``), what the arrivals board shows and the roll call (``board``), the
board's cards and the order they are read in (``cards``), what staff do with an
arrival (``actions``), help requests (``help_requests``), the scheduled escalation
and check-out (``jobs``) and the ``frontdoor arrivals`` CLI.

Used by the kiosk and the staff side; uses ``booking`` and ``frontdoor``. It has
no pages of its own: the faces show what it decides.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from arrivals import jobs
    from arrivals.cli import arrivals_cli

    jobs.register()  # escalation and check-out, and the duty manager's alert
    app.cli.add_command(arrivals_cli)
