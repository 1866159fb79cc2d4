"""The public booking site, and the booking services the kiosk and staff use."""

from flask import Blueprint, Flask

bp = Blueprint("booking", __name__, url_prefix="/book")


def init_app(app: Flask) -> None:
    from booking import appointment_views, jobs, message_text, reminder_views, views  # noqa: F401

    jobs.register()  # scheduled jobs (frontdoor.scheduler's registry)
    message_text.register()  # the words of booking messages (frontdoor.outbox)

    app.register_blueprint(bp)
    app.add_url_rule("/", "root", views.root)
