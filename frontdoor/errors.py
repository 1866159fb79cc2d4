"""Coded errors raised by services, and the styled error pages.

Services raise ``ServiceError("full")``; views turn the code into plain words
from ``frontdoor.words`` (one catalogue for families, one for staff).
Outside development no page ever shows a stack trace. A database that cannot
answer now (no free connection, too many clients, restarting, out of reach) is
not a fault: families are asked to try again in a moment (503, ``Retry-After``).
"""

from __future__ import annotations

import logging
import sqlite3

from flask import (
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException

from frontdoor.extensions import db, htmx
from frontdoor.logs import error_fields
from frontdoor.templating import page_globals

log = logging.getLogger("frontdoor.errors")

# Seconds a family (or a script) is asked to wait before trying again.
RETRY_AFTER_SECONDS = 10


class ServiceError(Exception):
    """A rule said no. ``code`` is stable and short; ``field`` names the input at fault."""

    def __init__(self, code: str, field: str | None = None, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details


# Words for families (the booking site, the kiosk) as for staff: in the page's language.
PAGES = {
    400: (_l("Sorry, there is a problem with that request"), _l("Please go back and try again.")),
    403: (_l("You do not have access to this page"), _l("Ask a manager if you think you should.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("Sorry, there is a problem with that request"), _l("Please go back and try again.")),
    413: (_l("That was too large to send"), _l("Please go back and send less.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes and try again.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Please try again later.")),
}


def _page(code: int, title: str | None = None, body: str | None = None):
    default_title, default_body = PAGES.get(code, PAGES[500])
    template = "errors/kiosk.html" if _on_kiosk() else "errors/page.html"
    try:
        html = render_template(
            template, code=code, title=title or default_title, body=body or default_body
        )
    except Exception:  # the error page itself failed: plain words, still no trace
        log.exception("error page failed", extra={"fields": {"code": code}})
        html = f"<!doctype html><title>{default_title}</title><h1>{default_title}</h1>"
    return html, code


def database_unavailable(error: BaseException) -> bool:
    """The database could not answer now, as opposed to a fault in our code: the
    pool had no free connection in time, or the server refused, dropped or could
    not take the connection (too many clients, restarting, unreachable), or SQLite
    was locked by another writer for too long."""
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, exc.OperationalError):
        return False
    # SQLite calls its own syntax errors "operational" too; only these are its load.
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is None or code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _on_kiosk() -> bool:
    # The kiosk's own calm pages, also for addresses under /kiosk/ that match no route.
    return request.blueprint == "kiosk" or request.path.startswith("/kiosk/")


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _without_database(template: str, **context: object) -> str:
    """A page drawn from memory alone. Context processors are left out (they look
    up the signed-in member of staff and the kiosk's hub), and so are the records
    the failed transaction loaded: the database is why we are here."""
    g.pop("kiosk", None)
    g.pop("hub", None)
    page = current_app.jinja_env.get_template(template)
    return page.render(**page_globals(), kiosk_hub=None, **context)


def _busy(error: BaseException):
    """Busy, please try again in a moment (503, Retry-After), never a server error."""
    try:
        db.session.rollback()
    except Exception:  # the connection that failed may be gone already
        log.warning("rollback after a database failure failed too")
    fields = {"endpoint": request.endpoint, **error_fields(error)}
    log.warning("database unavailable", extra={"fields": fields})
    try:
        response = _busy_answer()
    except Exception:  # the page itself failed: plain words, still a 503
        log.exception("busy page failed")
        response = make_response("Sorry, the service is busy. Please try again in a moment.")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _busy_answer() -> Response:
    """JSON for a script; the kiosk's calm screen, which polls until the database is
    back; a short note for htmx to show above the form; else the whole page."""
    if _wants_json() and not htmx:
        return jsonify(error="busy", retry_after=RETRY_AFTER_SECONDS)
    if _on_kiosk():
        return make_response(_without_database("errors/kiosk_busy.html"))
    if htmx:
        # Above the page's form, which stays as it was: pressing its button again
        # sends the same form, and a booking it already made is shown.
        response = make_response(_without_database("errors/_busy.html"))
        response.headers["HX-Retarget"] = "#fd-busy"
        response.headers["HX-Reswap"] = "innerHTML show:top"
        return response
    return make_response(_without_database("errors/busy.html"))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _page(
            400,
            _l("Your form had expired"),
            _l(
                "For your security, forms expire. Go back, refresh the page and try again: "
                "nothing you saved before has been lost."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _page(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        if database_unavailable(error):
            return _busy(error)
        log.exception("unhandled error", extra={"fields": {"endpoint": request.endpoint}})
        if app.debug:
            raise error
        return _page(500)
