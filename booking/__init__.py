"""The public booking site, and the booking services the kiosk and staff use."""

from flask import Blueprint, Flask

bp = Blueprint("booking", __name__, url_prefix="/book")


def init_app(app: Flask) -> None:
    from booking import appointment_views, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    app.add_url_rule("/", "root", views.root)
