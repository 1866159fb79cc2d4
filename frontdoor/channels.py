"""The ways a message leaves: SMTP, GOV.UK Notify, and the development channel.

Each channel's ``send`` returns the provider's id for the message, or raises
``SendError`` saying whether trying again could help (``permanent=False``: a
provider that is down, busy or slow) or not (``permanent=True``: an address that
is no longer valid). Reasons are short codes with no personal data in them.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from abc import ABC, abstractmethod
from email.message import EmailMessage
from email.utils import formatdate

from frontdoor.config import Config
from frontdoor.extensions import db
from frontdoor.models import OutboxMessage, RecordedMessage
from frontdoor.outbound import RedirectRefused, http_session
from frontdoor.outbox import Rendered, forgets_recipient


class SendError(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(ABC):
    """One way of sending: ``send`` returns the provider's id for the message, or
    raises ``SendError`` (``permanent`` when trying again cannot help)."""

    name = ""

    @abstractmethod
    def send(self, message: OutboxMessage, rendered: Rendered) -> str: ...

    def close(self) -> None:
        """End any connection kept open across a batch (none by default)."""
        return None


class DevChannel(Channel):
    """Records the message in ``recorded_message`` (same transaction as marking it
    sent) and delivers nothing: the demo works offline. A recipient the outbox
    forgets is not recorded either."""

    name = "dev"

    def send(self, message: OutboxMessage, rendered: Rendered) -> str:
        record = RecordedMessage(
            outbox_id=message.id,
            hub_id=message.hub_id,
            channel=message.channel,
            recipient="" if forgets_recipient(message) else message.recipient,
            subject=rendered.subject,
            body=rendered.body,
        )
        db.session.add(record)
        db.session.flush()
        return f"dev-{record.id}"


def message_id(key: str) -> str:
    """The same Message-ID for every try of one message, so a mail client that
    somehow got it twice shows it once."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@frontdoor>"


class SmtpChannel(Channel):
    """Email over SMTP (``smtplib``), one connection kept open across a batch."""

    name = "smtp"

    def __init__(self, config: Config) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            config = self.config
            smtp = smtplib.SMTP(
                config.smtp_host, config.smtp_port, timeout=config.smtp_timeout_seconds
            )
            if config.smtp_starttls:
                # smtplib's own default checks no certificate: anyone in between
                # could offer one of their own and read every email.
                smtp.starttls(context=ssl.create_default_context())
            if config.smtp_username:
                smtp.login(config.smtp_username, config.smtp_password)
            self._smtp = smtp
        return self._smtp

    def send(self, message: OutboxMessage, rendered: Rendered) -> str:
        if message.channel != "email":
            raise SendError("smtp sends email only", permanent=True)
        email = EmailMessage()
        email["From"] = self.config.smtp_sender
        email["To"] = message.recipient
        email["Subject"] = rendered.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message_id(message.idempotency_key)
        email.set_content(rendered.body)
        try:
            self._connection().send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            codes = [code for code, _ in error.recipients.values()]
            permanent = bool(codes) and all(500 <= code < 600 for code in codes)
            raise SendError(
                f"smtp {codes[0] if codes else '?'} refused", permanent=permanent
            ) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            permanent = 500 <= error.smtp_code < 600
            raise SendError(f"smtp {error.smtp_code}", permanent=permanent) from None
        except TimeoutError:
            self.close()
            raise SendError("smtp timed out", permanent=False) from None
        except smtplib.SMTPServerDisconnected as error:
            # smtplib reports a read that timed out as a lost connection.
            self.close()
            reason = "smtp timed out" if "timed out" in str(error) else "smtp disconnected"
            raise SendError(reason, permanent=False) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise SendError(f"smtp {type(error).__name__}", permanent=False) from None
        return message_id(message.idempotency_key)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


class NotifyChannel(Channel):
    """SMS and email through GOV.UK Notify with its official client. Our words go in
    one template per channel: ((subject)) and ((body)) for email, ((body)) for SMS."""

    name = "notify"

    def __init__(self, config: Config) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.config = config
        self.client = NotificationsAPIClient(
            config.notify_api_key,
            base_url=config.notify_base_url,
            timeout=config.notify_timeout_seconds,
        )
        self.client.request_session = http_session()

    def send(self, message: OutboxMessage, rendered: Rendered) -> str:
        from notifications_python_client.errors import HTTPError

        try:
            if message.channel == "sms":
                answer = self.client.send_sms_notification(
                    phone_number=message.recipient,
                    template_id=self.config.notify_sms_template_id,
                    personalisation={"body": rendered.body},
                    reference=message.idempotency_key,
                )
            else:
                answer = self.client.send_email_notification(
                    email_address=message.recipient,
                    template_id=self.config.notify_email_template_id,
                    personalisation={"subject": rendered.subject, "body": rendered.body},
                    reference=message.idempotency_key,
                )
        except HTTPError as error:
            if isinstance(error.__cause__, RedirectRefused):
                raise SendError(
                    "notify answered with a redirect, not followed", permanent=False
                ) from None
            status = error.status_code
            # 400: Notify will never send it (a bad address, say). 403: a wrong key,
            # which a manager can fix, so keep trying. 429 and 5xx: busy or down.
            raise SendError(
                f"notify {status} {_notify_error(error)}", permanent=status == 400
            ) from None
        return str((answer or {}).get("id", ""))[:100]


def _notify_error(error: Exception) -> str:
    """Notify's error type (ValidationError, RateLimitError...), never its message,
    which may repeat the address."""
    response = getattr(error, "response", None)
    if response is None:
        return ""
    try:
        errors = response.json().get("errors") or []
        return str(errors[0].get("error", ""))[:40]
    except (AttributeError, ValueError, IndexError, TypeError):
        return ""


def channels_for(config: Config) -> dict[str, Channel]:
    """The channel for each kind of message (``email``, ``sms``) from configuration."""
    made: dict[str, Channel] = {}
    chosen = {"email": config.email_channel, "sms": config.sms_channel}
    shared: dict[str, Channel] = {}
    for kind, name in chosen.items():
        if name not in shared:
            shared[name] = (
                {"dev": DevChannel, "smtp": SmtpChannel, "notify": NotifyChannel}[name](config)
                if name != "dev"
                else DevChannel()
            )
        made[kind] = shared[name]
    return made
