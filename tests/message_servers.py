"""Real servers for the message tests: an SMTP server (aiosmtpd) and a local HTTP
server standing in for GOV.UK Notify. Both on loopback, both scriptable: each
answers from a list of what to do next (then accepts)."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

# A Notify API key is "name-<service id>-<secret>".
NOTIFY_SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
NOTIFY_SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_API_KEY = f"frontdoor_test-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpHandler:
    """What the server does: ``script`` lists answers to DATA in turn ("421", "stall",
    "ok"); addresses in ``refuse`` get 550 at RCPT. ``received`` holds what it accepted."""

    script: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    stall_seconds: float = 5.0
    received: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    data_started: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        action = self.script.pop(0) if self.script else "ok"
        if action == "421":
            return "421 4.3.2 Service not available, try later"
        if action == "stall":
            await asyncio.sleep(self.stall_seconds)
            return "451 4.3.0 Too slow"
        self.received.append(envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


@contextmanager
def smtp_server(handler: SmtpHandler | None = None, tls: ssl.SSLContext | None = None):
    """A real SMTP server; with ``tls`` it offers STARTTLS and refuses mail without it."""
    handler = handler or SmtpHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls,
        require_starttls=tls is not None,
    )
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


class QuietHandler(BaseHTTPRequestHandler):
    """A stand-in's request handler that keeps the test output clean."""

    def log_message(self, *args):
        pass

    def answer(self, status: int, payload: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]):
    """A real HTTP server on loopback, in a thread, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class NotifyRecorder:
    """Requests seen (path, headers, JSON body), and the statuses to answer with in turn."""

    script: list[int] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], dict]] = field(default_factory=list)
    delivered: list[dict] = field(default_factory=list)


@contextmanager
def notify_server(recorder: NotifyRecorder | None = None):
    recorder = recorder or NotifyRecorder()

    class Handler(QuietHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            recorder.requests.append((self.path, dict(self.headers), body))
            status = recorder.script.pop(0) if recorder.script else 201
            if status == 201:
                recorder.delivered.append(body)
                answer = {"id": str(uuid.uuid4()), "reference": body.get("reference")}
            elif status == 400:
                answer = {
                    "status_code": 400,
                    "errors": [{"error": "ValidationError", "message": "Not a valid address"}],
                }
            elif status == 429:
                answer = {
                    "status_code": 429,
                    "errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}],
                }
            else:
                answer = {"status_code": status, "errors": [{"error": "Exception", "message": ""}]}
            self.answer(status, json.dumps(answer).encode(), "application/json")

    with http_server(Handler) as base_url:
        yield base_url, recorder


@contextmanager
def redirecting_server():
    """A local HTTP server that answers every address with ``302`` to ``/elsewhere``
    on itself, and records every path asked for: ``/elsewhere`` among them means a
    client followed the redirect."""
    asked: list[str] = []

    class Handler(QuietHandler):
        def _answer(self):
            asked.append(self.path)
            if self.path == "/elsewhere":
                self.answer(200, b'{"issuer": "followed"}', "application/json")
            else:
                self.answer(302, b"", "text/plain", Location="/elsewhere")

        do_GET = do_POST = _answer

    with http_server(Handler) as base_url:
        yield base_url, asked
