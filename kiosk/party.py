"""Who is coming or here, on every kiosk screen that asks (booking, a booked
check-in, a drop-in): adults, and children counted by age band, as bookings keep
them. The counts live in the visit's state (``flow``) under "party", as
``{"adults": 1, "c_0-1": 0, ...}``; a new visit starts from fresh counts, so
nothing one family counted is shown to the next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import request

from frontdoor.models import CHILD_BANDS, Session
from kiosk import flow


def child_bands(session: Session, also: Iterable[str] = ()) -> list[str]:
    """Age bands to count children in: the session's own (or all, when it names
    none), and any in ``also`` (a booking's children), in the usual order."""
    named = set(session.series.age_bands or []) & set(CHILD_BANDS)
    wanted = (named or set(CHILD_BANDS)) | set(also)
    return [band for band in CHILD_BANDS if band in wanted]


def fresh(bands: Iterable[str], adults: int = 1, children: Iterable[str] = ()) -> dict[str, int]:
    """Counts to start a screen with: ``adults``, and each of ``children`` in its band."""
    named = list(children)
    counts = {"adults": min(adults, flow.MAX_EACH)}
    counts.update({f"c_{band}": min(named.count(band), flow.MAX_EACH) for band in bands})
    return counts


def saved(bands: Iterable[str]) -> dict[str, int]:
    """The counts so far (a + or - without JavaScript saves them)."""
    party = flow.state().get("party") or {}
    return {name: int(party.get(name, value)) for name, value in fresh(bands).items()}


def posted(counts: Mapping[str, int]) -> dict[str, int] | None:
    """The counts a screen sent, or None if they are not one party the kiosk takes.
    A band's counter not sent counts nobody (adults must be sent)."""
    sent = {
        name: flow.read_count(request.form.get(name, "0" if name != "adults" else None))
        for name in counts
    }
    numbers = [n for n in sent.values() if n is not None]
    if len(numbers) != len(sent) or not 1 <= sum(numbers) <= flow.MAX_PARTY:
        return None
    return {name: n for name, n in sent.items() if n is not None}


def children(counts: Mapping[str, int]) -> tuple[str, ...]:
    """Each child by age band, as a booking or a visit keeps them."""
    return tuple(band for band in CHILD_BANDS for _ in range(counts.get(f"c_{band}", 0)))
