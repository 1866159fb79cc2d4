"""The outbox dispatcher: sends pending messages, at most once per idempotency key.

1. Claim a batch: a conditional ``UPDATE ... WHERE status = 'pending'`` (on
   PostgreSQL the ids come from ``SELECT ... FOR UPDATE SKIP LOCKED``) marks rows
   ``sending`` with a random claim token and a lease, and counts the try. Only the
   dispatcher whose token is on a row sends it; two dispatchers never share one.
2. Send each through its channel, then mark it ``sent`` where the claim is still
   ours, and commit, one message at a time.
3. A provider that is down or busy: back to ``pending`` with exponential back-off;
   after ``message_max_attempts`` tries, ``dead``. A permanent refusal (an address
   that is no longer valid): ``failed`` at once. Both show on the outbox page,
   where a manager can try again.
4. A message whose dispatcher died mid-send (its lease ran out) is pending again.
   That is the one case a message could go twice: if the process died after the
   provider took it but before the commit. SMTP gets the same Message-ID each try.

A message no longer wanted when its turn comes (a reminder for a session that was
cancelled) is marked ``skipped`` and never sent. When the dispatcher gives up on a
message (failed or dead), its template may tell someone, in the same commit
(``MessageTemplate.gave_up``).

A message whose template forgets its recipient (``forget_recipient``) loses it in
the same update that settles it for good: sent, failed, dead or skipped.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from frontdoor.channels import Channel, SendError, channels_for
from frontdoor.extensions import db, rows_changed
from frontdoor.logs import error_fields
from frontdoor.models import MessageStatus, OutboxMessage
from frontdoor.outbox import Links, forgets_recipient, render_message, skip_reason, tell_gave_up

log = logging.getLogger("frontdoor.dispatcher")

LEASE = timedelta(minutes=5)
BATCH = 50


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    released: int = 0
    # Claimed but left for the next run because their channel's provider was down.
    deferred: int = 0
    reasons: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "dead": self.dead,
            "skipped": self.skipped,
            "deferred": self.deferred,
        }
        return {name: count for name, count in counts.items() if count} or {"sent": 0}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    first_pause_seconds: int = 60
    max_pause_seconds: int = 6 * 3600

    def pause(self, attempts: int) -> timedelta:
        """After the n-th failed try: first, 2x first, 4x first... capped."""
        seconds = self.first_pause_seconds * (2 ** max(attempts - 1, 0))
        return timedelta(seconds=min(seconds, self.max_pause_seconds))


def release_stale_claims(now: datetime) -> int:
    """Messages whose dispatcher stopped mid-send (lease over) go back to pending."""
    changed = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.locked_until < now)
        .values(status=MessageStatus.PENDING, claim="", locked_until=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed


def claim_batch(now: datetime, *, limit: int = BATCH) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this dispatcher alone; commits."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.commit()
        return []
    token = secrets.token_hex(16)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == MessageStatus.PENDING)
        .values(
            status=MessageStatus.SENDING,
            claim=token,
            locked_until=now + LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claim == token, OutboxMessage.status == MessageStatus.SENDING)
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def _settle(message: OutboxMessage, *, commit: bool = True, **values: object) -> bool:
    """Write the outcome where the claim is still ours; commits unless told not to.
    A final outcome erases the recipient of a message that forgets it."""
    if values.get("status") != MessageStatus.PENDING and forgets_recipient(message):
        values["recipient"] = ""
    done = rows_changed(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.claim == message.claim,
            OutboxMessage.status == MessageStatus.SENDING,
        )
        .values(claim="", locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    return bool(done)


def _give_up(message: OutboxMessage, now: datetime, status: str, reason: str) -> None:
    """Failed or dead: record it and, in the same commit, let its template tell
    someone. A template that cannot (a bug) is logged; the outcome is still kept."""
    try:
        if _settle(message, commit=False, status=status, last_error=reason):
            tell_gave_up(message, now)
        db.session.commit()
    except Exception as unexpected:
        db.session.rollback()
        fields = {"message_id": message.id, **error_fields(unexpected)}
        log.error("nobody could be told a message was not sent", extra={"fields": fields})
        _settle(message, status=status, last_error=reason)


def send_one(
    message: OutboxMessage,
    channels: dict[str, Channel],
    links: Links,
    policy: RetryPolicy,
    now: datetime,
    result: DispatchResult,
) -> None:
    reason = skip_reason(message, now)
    if reason:
        _settle(message, status=MessageStatus.SKIPPED, last_error=reason)
        result.skipped += 1
        return
    channel = channels.get(message.channel)
    try:
        try:
            if channel is None:
                raise SendError(f"no channel for {message.channel}", permanent=True)
            rendered = render_message(message, links)
            provider_ref = channel.send(message, rendered)
        except SendError:
            raise
        except Exception as unexpected:  # a bug or a missing template: try again later
            fields = {"message_id": message.id, **error_fields(unexpected)}
            log.error("message could not be sent", extra={"fields": fields})
            raise SendError(type(unexpected).__name__, permanent=False) from None
    except SendError as error:
        db.session.rollback()
        result.reasons.append(error.reason)
        if error.permanent:
            _give_up(message, now, MessageStatus.FAILED, error.reason)
            result.failed += 1
        elif message.attempts >= policy.max_attempts:
            _give_up(message, now, MessageStatus.DEAD, error.reason)
            result.dead += 1
        else:
            _settle(
                message,
                status=MessageStatus.PENDING,
                last_error=error.reason,
                next_attempt_at=now + policy.pause(message.attempts),
            )
            result.retrying += 1
        log.warning(
            "message not sent",
            extra={"fields": {"message_id": message.id, "reason": error.reason}},
        )
        return
    if _settle(
        message,
        status=MessageStatus.SENT,
        sent_at=now,
        sent_by=channel.name,
        provider_ref=provider_ref,
        last_error="",
    ):
        result.sent += 1


def dispatch_outbox(
    now: datetime,
    *,
    channels: dict[str, Channel],
    links: Links,
    policy: RetryPolicy | None = None,
    batch: int = BATCH,
    max_batches: int = 100,
) -> DispatchResult:
    """Send what is due at ``now``. Commits as it goes (one message at a time)."""
    policy = policy or RetryPolicy()
    result = DispatchResult(released=release_stale_claims(now))
    db.session.commit()
    down: set[str] = set()
    try:
        for _ in range(max_batches):
            messages = claim_batch(now, limit=batch)
            if not messages:
                break
            for message in messages:
                if message.channel in down:
                    # The provider is down or slow: leave the rest for the next run
                    # rather than hold them past their lease waiting on timeouts.
                    _settle(
                        message,
                        status=MessageStatus.PENDING,
                        attempts=OutboxMessage.attempts - 1,
                        next_attempt_at=now,
                    )
                    result.deferred += 1
                    continue
                retrying = result.retrying + result.dead
                send_one(message, channels, links, policy, now, result)
                if result.retrying + result.dead > retrying:
                    down.add(message.channel)
            if down:
                break
    finally:
        for channel in {id(c): c for c in channels.values()}.values():
            channel.close()
    return result


def retry_message(message_id: int, hub_ids: set[int] | None, *, now: datetime) -> bool:
    """A manager's "try again" on a failed or dead message: pending, due now, with
    fresh tries. Conditional, so a double submit queues it once; returns whether
    this call queued it. A message whose recipient was erased cannot go again."""
    query = update(OutboxMessage).where(
        OutboxMessage.id == message_id,
        OutboxMessage.status.in_([MessageStatus.FAILED, MessageStatus.DEAD]),
        OutboxMessage.recipient != "",
    )
    if hub_ids is not None:
        query = query.where(OutboxMessage.hub_id.in_(hub_ids))
    done = rows_changed(
        query.values(
            status=MessageStatus.PENDING, attempts=0, next_attempt_at=now
        ).execution_options(synchronize_session=False)
    )
    return bool(done)


# --- the scheduled job --------------------------------------------------------------------


def dispatch_job(now: datetime) -> dict[str, int]:
    config = current_app.config["FRONTDOOR"]
    result = dispatch_outbox(
        now,
        channels=channels_for(config),
        links=Links(config.base_url, current_app.config["SECRET_KEY"]),
        policy=RetryPolicy(
            config.message_max_attempts,
            config.message_retry_seconds,
            config.message_retry_max_seconds,
        ),
    )
    return result.summary()
