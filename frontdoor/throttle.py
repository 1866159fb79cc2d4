"""How often one source may do something: at most ``limit`` times in ``window``.

Every counted try is a row in the table that throttles staff sign-in, keyed by a
hash of who tried and what, so the limit holds across processes and no address,
session or kiosk is stored as written. Finding a booking from the public site,
making one there (per address) and sending a service's details by text use it,
and so do a kiosk's booking look-ups (per screen). Each "no" is a security event
named after the source's first part (``find_throttled``), with nothing of the rest
of the source in it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, func, insert, literal, select

from frontdoor import security_events
from frontdoor.extensions import db, rows_changed
from frontdoor.models import SignInFailure


def take_a_try(source: str, *, now: datetime, limit: int, window: timedelta) -> bool:
    """Count one try by ``source`` (such as ``"find|<address>"``) and say yes, or say
    no (counting nothing) once it has had ``limit`` tries in the last ``window``.
    The row joins the caller's transaction. Two statements: tries older than the
    window go, and the try is counted only if fewer than ``limit`` are left (one
    ``INSERT ... SELECT ... WHERE``: the count and the row in one round trip)."""
    key = hashlib.sha256(source.encode()).hexdigest()
    since = now - window
    db.session.execute(
        delete(SignInFailure).where(SignInFailure.key_hash == key, SignInFailure.at < since)
    )
    tries = (
        select(func.count())
        .where(SignInFailure.key_hash == key, SignInFailure.at >= since)
        .scalar_subquery()
    )
    table = cast(Table, SignInFailure.__table__)  # Core: no object is wanted for the row
    columns = table.c
    counted = rows_changed(
        insert(table)
        .from_select(
            ["key_hash", "at"],
            select(literal(key, columns.key_hash.type), literal(now, columns.at.type)).where(
                tries < limit
            ),
        )
        # An INSERT's row count is kept only when asked for.
        .execution_options(preserve_rowcount=True)
    )
    if not counted:
        security_events.record(f"{source.split('|')[0]}_throttled", limit=limit)
        return False
    return True
