"""The staff side: sign-in, timetables, and the manager's pages."""

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    from admin import (  # noqa: F401  (routes register on import)
        account,
        appointments,
        arrivals,
        auth,
        board_displays,
        booked_appointments,
        closures,
        connections,
        data_protection,
        directory,
        follow_ups,
        home,
        kiosks,
        manage,
        register,
        reports,
        second_factor,
        sso,
        system,
        timetable,
    )
    from admin.navigation import staff_navigation

    app.register_blueprint(bp)
    app.jinja_env.globals["staff_navigation"] = staff_navigation
