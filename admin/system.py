"""Managers' pages for what runs in the background: the scheduled jobs, the outbox
(pending, sent, failed, with "Try again"), and the messages the development
channel recorded instead of sending ("Sent messages")."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from admin import bp
from frontdoor import clock
from frontdoor.dispatcher import retry_message
from frontdoor.extensions import db
from frontdoor.models import JobRun, MessageStatus, OutboxMessage, RecordedMessage, Role
from frontdoor.scheduler import REGISTRY, next_run_times
from frontdoor.staff_auth import hubs_for, require_role_at, staff, staff_required

MANAGER = Role.MANAGER
PAGE = 100
# A next run this far in the past means no scheduler is running.
OVERDUE = timedelta(minutes=5)
# The outbox page's tabs: (key, label, statuses shown).
OUTBOX_TABS = (
    ("pending", "Waiting to send", (MessageStatus.PENDING, MessageStatus.SENDING)),
    ("failed", "Not sent", (MessageStatus.FAILED, MessageStatus.DEAD)),
    ("sent", "Sent", (MessageStatus.SENT,)),
    ("skipped", "Not needed", (MessageStatus.SKIPPED,)),
)


def mask(recipient: str) -> str:
    """Enough of an address for staff to recognise it, not to copy it."""
    if not recipient:
        return "(erased)"
    if "@" in recipient:
        name, _, domain = recipient.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{recipient[:4]}*****{recipient[-2:]}"


def _managed_hub_ids() -> set[int] | None:
    """None for a council admin (every hub), else the hubs this manager manages."""
    user = staff()
    if user.is_admin():
        return None
    return {hub.id for hub in hubs_for(user, [MANAGER])}


def _scoped(query, column, hub_ids: set[int] | None):
    return query if hub_ids is None else query.where(column.in_(hub_ids))


def _recording_channels() -> list[str]:
    config = current_app.config["FRONTDOOR"]
    chosen = {"email": config.email_channel, "sms": config.sms_channel}
    return [kind for kind, channel in chosen.items() if channel == "dev"]


@bp.route("/jobs")
@staff_required(MANAGER)
def jobs():
    latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    last = {
        run.job: run
        for run in db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))
    }
    upcoming = next_run_times()
    rows = [
        {"id": job_id, "spec": spec, "next": upcoming.get(job_id), "last": last.get(job_id)}
        for job_id, spec in sorted(REGISTRY.items())
    ]
    return render_template(
        "admin/system/jobs.html",
        rows=rows,
        overdue=clock.now() - OVERDUE,
        title="Scheduled jobs",
    )


@bp.route("/outbox")
@staff_required(MANAGER)
def outbox():
    tab = request.args.get("status", "pending")
    tabs = {key: (label, statuses) for key, label, statuses in OUTBOX_TABS}
    if tab not in tabs:
        abort(404)
    hub_ids = _managed_hub_ids()
    counts = dict(
        db.session.execute(
            _scoped(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status),
                OutboxMessage.hub_id,
                hub_ids,
            )
        ).all()
    )
    messages = db.session.scalars(
        _scoped(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(tabs[tab][1]))
            .order_by(OutboxMessage.id.desc())
            .limit(PAGE),
            OutboxMessage.hub_id,
            hub_ids,
        )
    ).all()
    return render_template(
        "admin/system/outbox.html",
        tab=tab,
        tabs=[
            (key, label, sum(counts.get(status, 0) for status in statuses))
            for key, label, statuses in OUTBOX_TABS
        ],
        messages=messages,
        mask=mask,
        recording_only=_recording_channels(),
        title="Outbox",
    )


@bp.post("/outbox/<int:message_id>/retry")
@staff_required(MANAGER)
def outbox_retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if message.hub_id is not None:
        require_role_at(message.hub_id, [MANAGER])
    elif not staff().is_admin():
        abort(403)
    if retry_message(message_id, _managed_hub_ids(), now=clock.now()):
        db.session.commit()
        flash("The message will be sent again in the next minute.", "success")
    else:
        db.session.rollback()
        flash("That message is already waiting to be sent, or was sent.", "info")
    return redirect(url_for("admin.outbox", status="failed"))


@bp.route("/sent-messages")
@staff_required(MANAGER)
def sent_messages():
    messages = db.session.scalars(
        _scoped(
            select(RecordedMessage).order_by(RecordedMessage.id.desc()).limit(PAGE),
            RecordedMessage.hub_id,
            _managed_hub_ids(),
        )
    ).all()
    return render_template(
        "admin/system/sent_messages.html", messages=messages, title="Sent messages"
    )
