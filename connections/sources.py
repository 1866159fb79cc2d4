"""Where a connection or a follow-up starts: a visit or a help request on the board
(exactly one). One lookup, used by making a connection, booking a follow-up and
the family's message."""

from __future__ import annotations

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import HelpRequest, Visit

Source = Visit | HelpRequest


def source_of(visit_id: int | None, help_request_id: int | None) -> Source:
    """The visit or help request named (exactly one); ``not_found`` otherwise."""
    if (visit_id is None) == (help_request_id is None):
        raise ServiceError("not_found")
    found = (
        db.session.get(Visit, visit_id)
        if visit_id is not None
        else db.session.get(HelpRequest, help_request_id)
    )
    if found is None:
        raise ServiceError("not_found")
    return found
