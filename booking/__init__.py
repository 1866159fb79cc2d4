"""The public booking site, and the booking services the kiosk and staff use."""

from flask import Blueprint, Flask

bp = Blueprint("booking", __name__, url_prefix="/book")


def init_app(app: Flask) -> None:
    from booking import (  # noqa: F401  (routes register on import)
        appointment_views,
        arrival_jobs,
        jobs,
        message_text,
        reminder_views,
        views,
    )
    from booking.cli import arrivals_cli

    jobs.register()  # scheduled jobs (frontdoor.scheduler's registry)
    arrival_jobs.register()  # the arrivals board's jobs, and its alert to managers
    message_text.register()  # the words of booking messages (frontdoor.outbox)

    app.register_blueprint(bp)
    app.cli.add_command(arrivals_cli)
    app.add_url_rule("/", "root", views.root)
