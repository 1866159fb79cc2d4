"""The one source of "now", so tests can freeze time without patching datetime.

Service functions take ``now`` as an argument; views and jobs ask this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Freeze the clock at ``at`` (aware), or unfreeze with ``None``."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC) if at is not None else None


def local(at: datetime, tz: ZoneInfo = LONDON) -> datetime:
    return at.astimezone(tz)


def today(tz: ZoneInfo = LONDON) -> date:
    return now().astimezone(tz).date()
