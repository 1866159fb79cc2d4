"""Places, bookings, appointments and waiting lists: the services the kiosk and
staff side call, and the public booking site families use on their phones."""

from flask import Blueprint, Flask

bp = Blueprint("booking", __name__, url_prefix="/book")


def init_app(app: Flask) -> None:
    from booking import (  # noqa: F401  (routes register on import)
        appointment_views,
        jobs,
        manage_views,
        message_text,
        reminder_views,
        views,
    )

    jobs.register()  # scheduled jobs (frontdoor.scheduler's registry)
    message_text.register()  # the words of booking messages (frontdoor.outbox)

    app.register_blueprint(bp)
    app.add_url_rule("/", "root", views.root)
