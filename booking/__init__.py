"""The public booking site, and the booking services the kiosk and staff use."""

from flask import Blueprint, Flask

bp = Blueprint("booking", __name__, url_prefix="/book")


def init_app(app: Flask) -> None:
    from booking import appointment_views, views  # noqa: F401  (routes register on import)
    from booking.cli import arrivals_cli

    app.register_blueprint(bp)
    app.cli.add_command(arrivals_cli)
    app.add_url_rule("/", "root", views.root)
