"""The foyer touchscreen."""

from flask import Blueprint, Flask, g, request

from frontdoor.models import Hub

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def init_app(app: Flask) -> None:
    from booking.references import show_reference
    from kiosk import arrive, browse, cards, leave, support, talk, views  # noqa: F401  (routes register on import)
    from kiosk.cli import kiosk_cli
    from kiosk.flow import display_classes, screen_nonce
    from kiosk.icons import kiosk_icon
    from kiosk.keyboards import name_keyboard
    from kiosk.privacy import privacy_qr
    from kiosk.settings import idle_settings

    app.register_blueprint(bp)
    app.cli.add_command(kiosk_cli)
    app.jinja_env.globals.update(
        kiosk_icon=kiosk_icon,
        name_keyboard=name_keyboard,
        screen_nonce=screen_nonce,
        kiosk_display_classes=display_classes,
        kiosk_idle=idle_settings,
        kiosk_privacy_qr=privacy_qr,
    )
    app.jinja_env.filters["reference"] = show_reference

    @app.context_processor
    def _kiosk_context() -> dict[str, object]:
        return {"kiosk_hub": _hub_for_page()}

    @app.after_request
    def _never_stored(response):
        # A shared screen: no page a family saw may come back from a cache.
        if request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def _hub_for_page() -> Hub | None:
    """The kiosk's hub, for its pages. Error pages (a form that expired, say) come
    before the device rule ran, so they look the device up themselves: a paired
    screen still finds its way back to the start by itself."""
    kiosk = g.get("kiosk")
    if kiosk is not None:
        return kiosk.hub
    if g.get("kiosk_pairing") or not request.path.startswith(f"{bp.url_prefix}/"):
        return None
    from frontdoor import clock
    from frontdoor.extensions import db
    from kiosk.access import COOKIE
    from kiosk.pairing import device_for

    try:
        device = device_for(request.cookies.get(COOKIE), now=clock.now())
    except Exception:  # the database is why we are on an error page
        db.session.rollback()
        return None
    if device is None or not device.hub.active:
        return None
    g.kiosk = device
    return device.hub
