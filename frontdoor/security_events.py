"""Security events: failed and refused sign-ins, pauses, throttled look-ups.

One logger, ``frontdoor.security_events``, at WARNING so production keeps them,
and nothing personal in them: never an email, a booking reference or a name. An
address is written only as a short keyed tag (HMAC with the app's secret), enough
to see that many events came from one place and, for someone who holds the
secret and an address, to check whether they did; not enough to read the address
back. A staff account is named by its id, as the audit log names it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import current_app, has_app_context

log = logging.getLogger("frontdoor.security_events")


def address_tag(address: str) -> str:
    secret = current_app.config["SECRET_KEY"] if has_app_context() else ""
    return hmac.new(str(secret).encode(), address.encode(), hashlib.sha256).hexdigest()[:12]


def record(event: str, *, address: str | None = None, **fields: object) -> None:
    """Log ``event`` (such as ``sign_in_failed``) with non-personal ``fields``."""
    if address is not None:
        fields["address"] = address_tag(address)
    log.warning(event, extra={"fields": {"event": event, **fields}})
