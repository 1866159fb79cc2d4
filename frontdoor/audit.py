"""Writing the audit log: every staff read of a family's record, and every change.

``detail`` is plain words for a human reader and never holds a family's personal
data (the subject's id says whose record it was).
"""

from __future__ import annotations

from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import AuditEvent


def record(
    action: str,
    *,
    staff_id: int | None,
    subject_type: str,
    subject_id: int | None,
    hub_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an audit event to the caller's transaction (committed with it)."""
    event = AuditEvent(
        at=clock.now(),
        staff_id=staff_id,
        hub_id=hub_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail[:500],
    )
    db.session.add(event)
    return event
