"""Coded errors raised by services, and the styled error pages.

Services raise ``ServiceError("full")``; views turn the code into plain words
from ``frontdoor.words`` (one catalogue for families, one for staff).
Outside development no page ever shows a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("frontdoor.errors")


class ServiceError(Exception):
    """A rule said no. ``code`` is stable and short; ``field`` names the input at fault."""

    def __init__(self, code: str, field: str | None = None, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details


PAGES = {
    400: ("Sorry, there is a problem with that request", "Please go back and try again."),
    403: ("You do not have access to this page", "Ask a manager if you think you should."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Sorry, there is a problem with that request", "Please go back and try again."),
    413: ("That was too large to send", "Please go back and send less."),
    429: ("Too many attempts", "Please wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Please try again later."),
}


def _page(code: int, title: str | None = None, body: str | None = None):
    default_title, default_body = PAGES.get(code, PAGES[500])
    # The kiosk's own calm page, also for addresses under /kiosk/ that match no route.
    kiosk = request.blueprint == "kiosk" or request.path.startswith("/kiosk/")
    template = "errors/kiosk.html" if kiosk else "errors/page.html"
    try:
        html = render_template(
            template, code=code, title=title or default_title, body=body or default_body
        )
    except Exception:  # the error page itself failed: plain words, still no trace
        log.exception("error page failed", extra={"fields": {"code": code}})
        html = f"<!doctype html><title>{default_title}</title><h1>{default_title}</h1>"
    return html, code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _page(
            400,
            "Your form had expired",
            "For your security, forms expire. Go back, refresh the page and try again: "
            "nothing you saved before has been lost.",
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
        log.exception("unhandled error", extra={"fields": {"endpoint": request.endpoint}})
        if app.debug:
            raise error
        return _page(500)
