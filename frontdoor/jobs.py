"""The core's scheduled jobs: the outbox dispatcher, the retention purge and the
daily summary. (Jobs about bookings live in ``booking/jobs.py``.)"""

from __future__ import annotations

from datetime import timedelta

from frontdoor import summary
from frontdoor.dispatcher import dispatch_job
from frontdoor.retention import purge_expired
from frontdoor.scheduler import register_job


def register() -> None:
    summary.register()
    register_job(
        "outbox.dispatch",
        dispatch_job,
        every=timedelta(seconds=30),
        misfire_grace=timedelta(minutes=10),
        description="Send queued messages (retries with back-off; dead after the last try)",
    )
    register_job(
        "retention.purge",
        purge_expired,
        daily_at="03:30",
        description="Erase personal data older than each hub's retention period",
    )
    register_job(
        "summary.daily",
        summary.queue_daily_summaries,
        daily_at="07:00",
        description="Email each hub's managers yesterday's summary",
    )
