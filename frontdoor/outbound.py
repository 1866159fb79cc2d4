"""Calls Front Door makes to other services never follow a redirect (ASVS 15.3.2).

Every destination is one the council configured: GOV.UK Notify, its sign-in
provider, a directory feed, Pwned Passwords. A redirect would send our request,
and with it perhaps a key or a client secret, to an address nobody chose, so it
is refused as a failure (``RedirectRefused``) before anything is asked of the
address it names. ``http_session`` makes every ``requests`` session (or fits one
a library made, with ``no_redirects``); ``open_url`` is ``urlopen`` for streams.
"""

from __future__ import annotations

import urllib.request
from typing import IO, Any, TypeVar

import requests

AnySession = TypeVar("AnySession", bound=requests.Session)


class RedirectRefused(requests.RequestException):
    """Another service answered with a redirect. A ``RequestException`` and so an
    ``OSError``: callers that treat a failed call as a failure need nothing new."""

    def __init__(self, status: int, response: requests.Response | None = None) -> None:
        super().__init__(
            f"the service answered with a redirect ({status}), which Front Door does not follow",
            response=response,
        )


def _refuse_redirect(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    # Response hooks run before requests looks at the Location header.
    if response.is_redirect:
        raise RedirectRefused(response.status_code, response)


def no_redirects(session: AnySession) -> AnySession:
    """``session``, refusing every redirect."""
    session.hooks["response"].append(_refuse_redirect)
    session.max_redirects = 0
    return session


def http_session() -> requests.Session:
    return no_redirects(requests.Session())


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RedirectRefused(code)


_opener = urllib.request.build_opener(_RefuseRedirects)


def open_url(url: str, *, timeout: float) -> IO[bytes]:
    """``urllib.request.urlopen`` without following redirects; http(s) only."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("only http(s) addresses are fetched")
    return _opener.open(url, timeout=timeout)
