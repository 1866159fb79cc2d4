"""The staff side: sign-in, timetables, and the manager's pages."""

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.after_request
def _never_cached(response):
    """Every staff page shows someone's details (registers, the outbox, notes):
    no browser or proxy keeps a copy, whichever view answered."""
    from frontdoor.security import never_store

    return never_store(response)


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
        joined_online,
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
