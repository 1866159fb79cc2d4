"""How long a kiosk waits for a touch before asking, and then before resetting."""

from __future__ import annotations

from flask import current_app, g

HOME_REFRESH_SECONDS = 15 * 60  # the start screen reloads now and then (fresh form tokens)


def idle_settings() -> tuple[int, int, int]:
    """(seconds without a touch before "Are you still there?", seconds it waits,
    seconds before the start screen quietly reloads)."""
    kiosk = g.get("kiosk")
    settings = kiosk.hub.settings if kiosk is not None else None
    override = current_app.config["FRONTDOOR"].kiosk_idle_seconds
    idle = override or (settings.kiosk_idle_seconds if settings else 60)
    warning = settings.kiosk_idle_warning_seconds if settings else 20
    return max(int(idle), 1), max(int(warning), 1), HOME_REFRESH_SECONDS
