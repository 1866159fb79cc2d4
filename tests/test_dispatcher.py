"""The outbox dispatcher against real providers: an SMTP server (aiosmtpd) and a local
HTTP server standing in for GOV.UK Notify. Nothing lost, nothing sent twice, and
every failure visible on the outbox page."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import jwt
import pytest
from flask import current_app
from sqlalchemy import func, select

from booking.contact import Contact, Party
from booking.services import book_session
from booking.session_changes import cancel_session
from frontdoor import clock
from frontdoor.channels import DevChannel, NotifyChannel, SmtpChannel
from frontdoor.config import PROJECT_ROOT
from frontdoor.dispatcher import LEASE, RetryPolicy, dispatch_outbox, retry_message
from frontdoor.extensions import db
from frontdoor.models import (
    JobRun,
    JobRunStatus,
    MessageStatus,
    OutboxMessage,
    RecordedMessage,
    Session,
)
from frontdoor.outbox import TEMPLATES, Links, Rendered, queue_message, register_template
from frontdoor.scheduler import mark_interrupted
from tests.booking_fixtures import NOW, make_session
from tests.conftest import csrf_from
from tests.message_servers import (
    NOTIFY_API_KEY,
    NOTIFY_SECRET,
    NOTIFY_SERVICE_ID,
    NotifyRecorder,
    SmtpHandler,
    notify_server,
    smtp_server,
)

POLICY = RetryPolicy(max_attempts=3, first_pause_seconds=60, max_pause_seconds=3600)


def _links() -> Links:
    return Links("http://127.0.0.1:5000", current_app.config["SECRET_KEY"])


def _config(**changes):
    return replace(current_app.config["FRONTDOOR"], **changes)


def _book(email_address: str = "amara@example.com", mobile: str = "", reminders: bool = False):
    session_id = make_session()
    result = book_session(
        session_id,
        Party(1, ("0-1",)),
        Contact("Amara", "Okafor", email_address, mobile, reminders=reminders),
        now=NOW,
    )
    db.session.commit()
    return result.booking


def _statuses() -> list[tuple[str, str, int]]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(OutboxMessage.template, OutboxMessage.status, OutboxMessage.attempts).order_by(
                OutboxMessage.id
            )
        )
    ]


def _smtp(port: int, timeout: float = 5.0) -> SmtpChannel:
    return SmtpChannel(_config(smtp_port=port, smtp_timeout_seconds=timeout))


def test_an_email_reaches_a_real_smtp_server_in_the_familys_words(app_context):
    booking = _book()
    with smtp_server() as (port, server):
        result = dispatch_outbox(NOW, channels={"email": _smtp(port)}, links=_links())
    assert result.sent == 1
    assert len(server.received) == 1
    sent = email.message_from_bytes(server.received[0])
    assert server.envelopes[0][1] == ["amara@example.com"]
    assert sent["Subject"] == "Booked: Baby Massage"
    body = sent.get_payload(decode=True).decode()
    assert "Hello Amara," in body
    assert booking.reference in body
    assert "http://127.0.0.1:5000/book/bookings/" in body
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.sent_by, message.attempts) == ("sent", "smtp", 1)
    assert message.provider_ref == sent["Message-ID"]


def test_a_second_run_sends_nothing_again(app_context):
    _book()
    with smtp_server() as (port, server):
        dispatch_outbox(NOW, channels={"email": _smtp(port)}, links=_links())
        again = dispatch_outbox(
            NOW + timedelta(hours=1), channels={"email": _smtp(port)}, links=_links()
        )
    assert again.sent == 0
    assert len(server.received) == 1


def test_smtp_refusing_with_421_is_retried_with_back_off_then_delivered_once(app_context):
    _book()
    handler = SmtpHandler(script=["421", "421"])
    with smtp_server(handler) as (port, server):
        first = dispatch_outbox(NOW, channels={"email": _smtp(port)}, links=_links(), policy=POLICY)
        message = db.session.scalar(select(OutboxMessage))
        assert first.retrying == 1 and message.status == "pending"
        assert message.last_error == "smtp 421"
        assert message.next_attempt_at == NOW + timedelta(seconds=60)
        # Not due yet: nothing is tried.
        early = dispatch_outbox(
            NOW + timedelta(seconds=30), channels={"email": _smtp(port)}, links=_links()
        )
        assert early.sent == early.retrying == 0
        second = dispatch_outbox(
            NOW + timedelta(seconds=60),
            channels={"email": _smtp(port)},
            links=_links(),
            policy=POLICY,
        )
        db.session.refresh(message)
        assert second.retrying == 1
        # The pause doubles.
        assert message.next_attempt_at == NOW + timedelta(seconds=60 + 120)
        third = dispatch_outbox(
            NOW + timedelta(seconds=180),
            channels={"email": _smtp(port)},
            links=_links(),
            policy=POLICY,
        )
    db.session.refresh(message)
    assert third.sent == 1
    assert (message.status, message.attempts) == ("sent", 3)
    assert len(server.received) == 1


def test_an_smtp_server_that_times_out_is_tried_again_later(app_context):
    _book()
    handler = SmtpHandler(script=["stall"], stall_seconds=3)
    with smtp_server(handler) as (port, server):
        first = dispatch_outbox(
            NOW, channels={"email": _smtp(port, timeout=0.5)}, links=_links(), policy=POLICY
        )
        assert first.retrying == 1
        message = db.session.scalar(select(OutboxMessage))
        assert message.last_error == "smtp timed out"
        second = dispatch_outbox(
            NOW + timedelta(minutes=1),
            channels={"email": _smtp(port)},
            links=_links(),
            policy=POLICY,
        )
    assert second.sent == 1
    assert len(server.received) == 1


def test_an_address_that_no_longer_exists_fails_at_once_and_is_not_retried(app_context):
    _book("gone@example.com")
    handler = SmtpHandler(refuse={"gone@example.com"})
    with smtp_server(handler) as (port, server):
        result = dispatch_outbox(
            NOW, channels={"email": _smtp(port)}, links=_links(), policy=POLICY
        )
        later = dispatch_outbox(
            NOW + timedelta(days=1), channels={"email": _smtp(port)}, links=_links(), policy=POLICY
        )
    assert result.failed == 1 and later.failed == 0
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts, message.last_error) == (
        "failed",
        1,
        "smtp 550 refused",
    )
    assert server.received == []


def test_a_failure_nobody_could_be_told_about_still_shows_as_failed(app_context):
    # A template whose "gave up" hook has a bug must not hide the failure from managers.
    def broken(message, now):
        raise RuntimeError("a bug in the hook")

    register_template("test_gave_up", lambda m, links: Rendered("Hi", "Hello"), gave_up=broken)
    try:
        queue_message(
            key="test:gave-up", channel="email", recipient="gone@example.com",
            template="test_gave_up", language="en", payload={}, now=NOW,
        )  # fmt: skip
        db.session.commit()
        with smtp_server(SmtpHandler(refuse={"gone@example.com"})) as (port, _):
            result = dispatch_outbox(
                NOW, channels={"email": _smtp(port)}, links=_links(), policy=POLICY
            )
    finally:
        TEMPLATES.pop("test_gave_up")
    assert result.failed == 1
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.last_error) == ("failed", "smtp 550 refused")


def test_a_provider_down_for_every_try_dead_letters_the_message(app_context):
    _book()
    handler = SmtpHandler(script=["421"] * 10)
    now = NOW
    with smtp_server(handler) as (port, _server):
        for _ in range(5):
            dispatch_outbox(now, channels={"email": _smtp(port)}, links=_links(), policy=POLICY)
            now += timedelta(hours=2)
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts) == ("dead", 3)


def _notify(base_url: str) -> NotifyChannel:
    return NotifyChannel(
        _config(
            notify_api_key=NOTIFY_API_KEY,
            notify_base_url=base_url,
            notify_email_template_id="email-template",
            notify_sms_template_id="sms-template",
        )
    )


def test_notify_gets_exactly_the_request_the_official_client_sends(app_context):
    booking = _book("amara@example.com", "07700 900123")
    with notify_server() as (base_url, notify):
        channel = _notify(base_url)
        result = dispatch_outbox(
            NOW, channels={"email": channel, "sms": channel}, links=_links(), policy=POLICY
        )
    assert result.sent == 2
    (email_path, email_headers, email_body), (sms_path, sms_headers, sms_body) = notify.requests
    assert email_path == "/v2/notifications/email"
    assert set(email_body) == {"email_address", "template_id", "personalisation", "reference"}
    assert email_body["email_address"] == "amara@example.com"
    assert email_body["template_id"] == "email-template"
    assert email_body["personalisation"]["subject"] == "Booked: Baby Massage"
    assert booking.reference in email_body["personalisation"]["body"]
    assert email_body["reference"] == f"booking:{booking.id}:booked:email"
    assert sms_path == "/v2/notifications/sms"
    assert sms_body["phone_number"] == "+447700900123"
    assert sms_body["template_id"] == "sms-template"
    assert set(sms_body["personalisation"]) == {"body"}
    for headers in (email_headers, sms_headers):
        assert headers["Content-type"] == "application/json"
        assert headers["User-agent"].startswith("NOTIFY-API-PYTHON-CLIENT/")
        scheme, token = headers["Authorization"].split(" ")
        assert scheme == "Bearer"
        assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
        claims = jwt.decode(token, NOTIFY_SECRET, algorithms=["HS256"])
        assert claims["iss"] == NOTIFY_SERVICE_ID
        assert set(claims) == {"iss", "iat"}
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert all(m.status == "sent" and m.sent_by == "notify" and m.provider_ref for m in messages)


@pytest.mark.parametrize("failures", [[500, 503], [429, 429]], ids=["5xx", "429"])
def test_notify_down_or_busy_is_retried_then_delivers_exactly_once(app_context, failures):
    _book("amara@example.com")
    with notify_server(NotifyRecorder(script=list(failures))) as (base_url, notify):
        channel = _notify(base_url)
        now = NOW
        outcomes = []
        for _ in range(4):
            result = dispatch_outbox(
                now, channels={"email": channel}, links=_links(), policy=POLICY
            )
            outcomes.append((result.sent, result.retrying))
            now += timedelta(hours=1)
    assert outcomes == [(0, 1), (0, 1), (1, 0), (0, 0)]
    assert len(notify.requests) == 3
    assert len(notify.delivered) == 1
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts) == ("sent", 3)


def test_notify_refusing_an_address_fails_it_for_good(app_context):
    _book("amara@example.com")
    with notify_server(NotifyRecorder(script=[400])) as (base_url, notify):
        result = dispatch_outbox(NOW, channels={"email": _notify(base_url)}, links=_links())
        dispatch_outbox(
            NOW + timedelta(days=1), channels={"email": _notify(base_url)}, links=_links()
        )
    assert result.failed == 1
    assert len(notify.requests) == 1
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.last_error) == ("failed", "notify 400 ValidationError")


def test_the_development_channel_records_and_sends_nothing(app_context):
    _book("amara@example.com", "07700 900123")
    result = dispatch_outbox(
        NOW, channels={"email": DevChannel(), "sms": DevChannel()}, links=_links()
    )
    assert result.sent == 2
    recorded = db.session.scalars(select(RecordedMessage).order_by(RecordedMessage.id)).all()
    assert [(r.channel, r.recipient) for r in recorded] == [
        ("email", "amara@example.com"),
        ("sms", "+447700900123"),
    ]
    assert recorded[0].subject == "Booked: Baby Massage"
    assert recorded[1].subject == ""


def test_a_reminder_for_a_session_cancelled_after_it_was_queued_is_not_sent(app_context):
    booking = _book(reminders=True)
    from booking.messages import queue_booking_message

    queue_booking_message(booking, "reminder", now=NOW, event="24h")
    db.session.commit()
    cancel_session(db.session.get(Session, booking.session_id), "Room flooded", now=NOW)
    db.session.commit()
    result = dispatch_outbox(NOW, channels={"email": DevChannel()}, links=_links())
    statuses = {template: (status, attempts) for template, status, attempts in _statuses()}
    assert statuses["reminder"] == ("skipped", 1)
    assert statuses["booked"][0] == statuses["session_cancelled"][0] == "sent"
    assert result.skipped == 1
    subjects = set(db.session.scalars(select(RecordedMessage.subject)))
    assert "Reminder: Baby Massage" not in subjects


def test_two_dispatchers_never_claim_the_same_message(app_context):
    from frontdoor.dispatcher import claim_batch

    clock.freeze(NOW)
    for number in range(6):
        queue_message(
            key=f"test:{number}",
            channel="email",
            recipient=f"family{number}@example.com",
            template="daily_summary",
            language="en",
            payload={"hub": "Hub", "day": "2026-11-23", "counts": {}},
            now=NOW,
        )
    db.session.commit()
    first = claim_batch(NOW, limit=4)
    second = claim_batch(NOW, limit=4)
    assert len(first) == 4 and len(second) == 2
    assert not {m.id for m in first} & {m.id for m in second}
    assert claim_batch(NOW, limit=4) == []


def test_a_dispatcher_killed_mid_send_loses_nothing_and_sends_once(app, app_context, database_url):
    """A real ``frontdoor scheduler run outbox.dispatch`` process is killed while the
    SMTP server is taking the message; after the lease, a restarted run sends it once."""
    now = clock.now()
    queue_message(
        key="test:killed",
        channel="email",
        recipient="manager@example.com",
        template="daily_summary",
        language="en",
        payload={"hub": "Hub", "day": "2026-11-23", "counts": {"arrivals": 3}},
        now=now - timedelta(minutes=1),
    )
    db.session.commit()
    handler = SmtpHandler(script=["stall"], stall_seconds=60)
    with smtp_server(handler) as (port, server):
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "FRONTDOOR_ENV": "test",
            "FRONTDOOR_DATABASE_URL": database_url,
            "FRONTDOOR_SECRET_KEY": "test-secret-key",
            "FRONTDOOR_EMAIL_CHANNEL": "smtp",
            "FRONTDOOR_SMTP_PORT": str(port),
            "FRONTDOOR_SMTP_TIMEOUT_SECONDS": "120",
            "FRONTDOOR_LOG_LEVEL": "WARNING",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "frontdoor.cli", "scheduler", "run", "outbox.dispatch"],
            env=env,
            cwd=PROJECT_ROOT,
        )
        try:
            assert handler.data_started.wait(60), "the dispatcher never reached the SMTP server"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        db.session.rollback()
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.attempts) == ("sending", 1)
        run = db.session.scalar(select(JobRun))
        assert run.status == JobRunStatus.RUNNING
        # The restarted scheduler marks the dead run, and the message's lease runs out.
        assert mark_interrupted(clock.now()) == 1
        restarted = clock.now()
        while_leased = dispatch_outbox(restarted, channels={"email": _smtp(port)}, links=_links())
        assert while_leased.sent == 0
        after_lease = dispatch_outbox(
            restarted + LEASE + timedelta(seconds=1),
            channels={"email": _smtp(port)},
            links=_links(),
        )
    assert after_lease.sent == 1
    assert len(server.received) == 1
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("sent", 2)
    assert db.session.scalar(select(JobRun.status)) == JobRunStatus.INTERRUPTED


def test_retrying_a_failed_message_queues_it_once(app_context):
    _book("gone@example.com")
    with smtp_server(SmtpHandler(refuse={"gone@example.com"})) as (port, _server):
        dispatch_outbox(NOW, channels={"email": _smtp(port)}, links=_links())
    message = db.session.scalar(select(OutboxMessage))
    assert retry_message(message.id, None, now=NOW) is True
    assert retry_message(message.id, None, now=NOW) is False
    db.session.commit()
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 0)


def _failed_message_at_riverside() -> int:
    from frontdoor.models import Hub

    hub_id = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
    message = queue_message(
        key="test:failed",
        channel="email",
        recipient="family@example.com",
        template="daily_summary",
        language="en",
        payload={"hub": "Riverside", "day": "2026-11-23", "counts": {}},
        now=clock.now(),
        hub_id=hub_id,
    )
    message.status = MessageStatus.DEAD
    message.attempts = 6
    message.last_error = "smtp 421"
    db.session.commit()
    return message.id


def test_managers_see_failures_and_retry_once_with_a_double_submit(app, signed_in):
    with app.app_context():
        message_id = _failed_message_at_riverside()
    client = signed_in("manager@riverside.example")
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Gave up" in page and "smtp 421" in page
    assert "f***@example.com" in page and "family@example.com" not in page
    token = csrf_from(page)
    first = client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token})
    second = client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts) == ("pending", 0)
    # Without CSRF, refused.
    assert client.post(f"/admin/outbox/{message_id}/retry").status_code == 400


def test_retry_needs_a_manager_of_the_messages_hub(app, signed_in):
    with app.app_context():
        message_id = _failed_message_at_riverside()
    client = signed_in("lead@riverside.example")
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    assert (
        client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token}).status_code
        == 403
    )
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == "dead"


def test_sent_messages_page_shows_what_the_development_channel_recorded(app, signed_in):
    with app.app_context():
        _failed_message_at_riverside()
        db.session.execute(
            OutboxMessage.__table__.update().values(status="pending", next_attempt_at=clock.now())
        )
        db.session.commit()
        dispatch_outbox(clock.now(), channels={"email": DevChannel()}, links=_links())
        assert db.session.scalar(select(func.count()).select_from(RecordedMessage)) == 1
    client = signed_in("manager@riverside.example")
    page = client.get("/admin/sent-messages").get_data(as_text=True)
    assert "Riverside: summary for" in page
    assert "family@example.com" in page


def test_a_message_is_worded_in_the_bookings_language(app_context):
    session_id = make_session()
    booking = book_session(
        session_id,
        Party(1, ()),
        Contact("Ola", "Nowak", "ola@example.com", language="pl"),
        now=NOW,
    ).booking
    db.session.commit()
    dispatch_outbox(NOW, channels={"email": DevChannel()}, links=_links())
    subject, body = db.session.execute(select(RecordedMessage.subject, RecordedMessage.body)).one()
    assert subject.startswith("Zarezerwowano: ")
    assert "Dzień dobry Ola," in body
    assert "Masz rezerwację na " in body and "wtorek 1 grudnia, 10:00" in body
    assert f"Twój numer rezerwacji: {booking.reference}" in body


def test_channel_settings_are_checked_when_the_app_starts(monkeypatch):
    from frontdoor.config import ConfigError, load_config

    monkeypatch.setenv("FRONTDOOR_EMAIL_CHANNEL", "pigeon")
    with pytest.raises(ConfigError, match="FRONTDOOR_EMAIL_CHANNEL"):
        load_config({"secret_key": "x", "database_url": "sqlite://"})
    monkeypatch.setenv("FRONTDOOR_EMAIL_CHANNEL", "notify")
    with pytest.raises(ConfigError, match="FRONTDOOR_NOTIFY_API_KEY"):
        load_config({"secret_key": "x", "database_url": "sqlite://"})
    monkeypatch.setenv("FRONTDOOR_NOTIFY_API_KEY", NOTIFY_API_KEY)
    monkeypatch.setenv("FRONTDOOR_SMTP_PORT", "2525")
    config = load_config({"secret_key": "x", "database_url": "sqlite://"})
    assert (config.email_channel, config.smtp_port) == ("notify", 2525)


def test_while_a_provider_is_down_the_rest_wait_untried_for_the_next_run(app_context):
    clock.freeze(NOW)
    for number in range(3):
        queue_message(
            key=f"test:down:{number}",
            channel="email",
            recipient=f"family{number}@example.com",
            template="daily_summary",
            language="en",
            payload={"hub": "Hub", "day": "2026-11-23", "counts": {}},
            now=NOW,
        )
    db.session.commit()
    with smtp_server(SmtpHandler(script=["421"])) as (port, server):
        first = dispatch_outbox(NOW, channels={"email": _smtp(port)}, links=_links(), policy=POLICY)
        assert (first.retrying, first.deferred, first.sent) == (1, 2, 0)
        attempts = sorted(db.session.scalars(select(OutboxMessage.attempts)))
        assert attempts == [0, 0, 1]
        second = dispatch_outbox(
            NOW + timedelta(seconds=30),
            channels={"email": _smtp(port)},
            links=_links(),
            policy=POLICY,
        )
        third = dispatch_outbox(
            NOW + timedelta(minutes=2),
            channels={"email": _smtp(port)},
            links=_links(),
            policy=POLICY,
        )
    assert (second.sent, third.sent) == (2, 1)
    assert len(server.received) == 3


def test_every_message_bookings_can_queue_has_words(app):
    from booking.messages import TEMPLATES as QUEUED
    from frontdoor.outbox import TEMPLATES as WORDED

    assert set(QUEUED) | {"daily_summary"} <= set(WORDED)
