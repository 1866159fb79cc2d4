"""The foyer touchscreen."""

from flask import Blueprint, Flask

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def init_app(app: Flask) -> None:
    from kiosk import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
