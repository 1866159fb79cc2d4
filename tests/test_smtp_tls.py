"""Email to a relay on another machine goes over STARTTLS, and only to a relay whose
certificate the machine trusts: otherwise anyone between Front Door and the relay
could read every family's booking email by offering a certificate of their own."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app
from sqlalchemy import select

from booking.contact import Contact, Party
from booking.services import book_session
from frontdoor.channels import SmtpChannel
from frontdoor.dispatcher import RetryPolicy, dispatch_outbox
from frontdoor.extensions import db
from frontdoor.models import OutboxMessage
from frontdoor.outbox import Links
from tests.booking_fixtures import NOW, make_session
from tests.message_servers import smtp_server

POLICY = RetryPolicy(max_attempts=3, first_pause_seconds=60, max_pause_seconds=3600)


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the relay in these tests), and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "relay.pem", folder / "relay.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def relay_tls(tmp_path):
    cert_path, key_path = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def _book() -> None:
    book_session(
        make_session(),
        Party(1, ("0-1",)),
        Contact("Amara", "Okafor", "amara@example.com", "", reminders=False),
        now=NOW,
    )
    db.session.commit()


def _send(port: int):
    config = replace(current_app.config["FRONTDOOR"], smtp_port=port, smtp_starttls=True)
    links = Links("http://127.0.0.1:5000", current_app.config["SECRET_KEY"])
    return dispatch_outbox(NOW, channels={"email": SmtpChannel(config)}, links=links, policy=POLICY)


def test_a_relay_whose_certificate_is_not_trusted_is_sent_nothing(app_context, relay_tls):
    context, _ = relay_tls
    _book()
    with smtp_server(tls=context) as (port, server):
        result = _send(port)
    assert server.received == []
    assert result.retrying == 1
    message = db.session.scalar(select(OutboxMessage))
    # Kept to try again, with the reason on the outbox page.
    assert (message.status, message.attempts, message.last_error) == (
        "pending",
        1,
        "smtp SSLCertVerificationError",
    )


def test_a_relay_with_a_trusted_certificate_gets_the_email(app_context, relay_tls, monkeypatch):
    context, cert_path = relay_tls
    # As a council would add its relay's CA to the machine's trust store.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    _book()
    with smtp_server(tls=context) as (port, server):
        result = _send(port)
    assert result.sent == 1
    assert len(server.received) == 1
