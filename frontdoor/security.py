"""Security headers: a strict Content-Security-Policy with a nonce per response,
HTTPS only in production (HSTS), ``Retry-After`` on every "too many" answer, and
"forget this site" (Clear-Site-Data) for the responses that end a person's use, and
the session cookie signed with HMAC-SHA-256.

No inline handlers and no eval: htmx runs with ``allowEval`` off (see the
``htmx-config`` meta tag in the base templates).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, g, make_response
from flask.sessions import SecureCookieSessionInterface

# Two years, the HSTS preload list's minimum is one. Only in production: a
# developer's browser would otherwise refuse http://localhost for that long.
HSTS = "max-age=63072000; includeSubDomains"
# A "too many" answer that names no wait of its own: the longest throttle window.
RETRY_AFTER_SECONDS = 15 * 60

# Staff sign-out: the browser drops its copies of our pages, cookies and storage.
FORGET_EVERYTHING = '"cache", "cookies", "storage"'
# A kiosk's "start again": not "cookies", which would unpair the screen (its
# pairing cookie is its credential); the visit itself lives in the session,
# which the reset empties on the server's side.
FORGET_THE_VISIT = '"cache", "storage"'


class Sha256SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, signed with HMAC-SHA-256 rather than Flask's
    default SHA-1 (ASVS 11.4.1). A cookie signed the old way is refused, so
    everyone signed in before the change signs in once more."""

    digest_method = staticmethod(hashlib.sha256)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response):
        nonce = csp_nonce()
        policy = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{nonce}'",
                f"style-src 'self' 'nonce-{nonce}'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if current_app.config["FRONTDOOR"].is_production:
            response.headers["Strict-Transport-Security"] = HSTS
        if response.status_code == 429:
            response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
        return response


def forget_site(response: Response, what: str = FORGET_EVERYTHING) -> Response:
    """Ask the browser to forget what it holds of this site (Clear-Site-Data)."""
    response.headers["Clear-Site-Data"] = what
    return response


def never_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def no_store(view: Callable) -> Callable:
    """The page shows someone's details (a family's booking, a partner's services):
    no browser or proxy may keep a copy."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return never_store(make_response(view(*args, **kwargs)))

    return wrapped
