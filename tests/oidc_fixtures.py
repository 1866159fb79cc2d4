"""A real OpenID Connect provider for the single sign-on tests (tests/oidc/provider.mjs,
the npm package ``oidc-provider``), started on a free loopback port for the session.

``configure_sso`` points the app at it; ``ProviderStandIn`` sets up accounts, changes
the next ID token, and walks a sign-in through the provider as a browser would.
Node is required: without it these tests fail, they never skip.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from frontdoor.logs import JSONFormatter
from tests.conftest import PROJECT_ROOT

CLIENT_ID = "frontdoor-test"
CLIENT_SECRET = "a-long-test-client-secret-for-the-stand-in"
CALLBACK = "/admin/sign-in/sso/callback"
LABEL = "Sign in with Riverside Council"


@dataclass
class ProviderStandIn:
    issuer: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def account(self, email: str, *, verified: bool = True, groups: tuple[str, ...] = ()) -> str:
        """A person at the council's provider; returns their subject."""
        subject = uuid.uuid4().hex
        self.set_account(subject, email, verified=verified, groups=groups)
        return subject

    def set_account(
        self, subject: str, email: str, *, verified: bool = True, groups: tuple[str, ...] = ()
    ) -> None:
        claims = {"email": email, "email_verified": verified, "groups": list(groups)}
        response = requests.put(f"{self.issuer}/test/accounts/{subject}", json=claims, timeout=5)
        response.raise_for_status()

    def next_id_token(
        self, claims: dict | None = None, *, remove: tuple[str, ...] = (), alg: str = ""
    ) -> None:
        """The token endpoint's next ID token has ``claims`` changed (signed again
        with the provider's own key) or is sent unsigned (``alg="none"``)."""
        change = {"claims": claims or {}, "remove": list(remove), "alg": alg}
        response = requests.post(f"{self.issuer}/test/next-id-token", json=change, timeout=5)
        response.raise_for_status()

    def forget_next_id_token(self) -> None:
        """A change a failed test set up but never used goes no further."""
        requests.post(f"{self.issuer}/test/next-id-token", data="null", timeout=5)

    def callback_for(self, authorize_url: str, subject: str) -> str:
        """Sign in at the provider as ``subject``; the app's callback path and query
        the provider sends the browser back to."""
        http = requests.Session()
        page = http.get(authorize_url, timeout=5)
        assert "/interaction/" in page.url, page.text
        answer = http.post(page.url, data={"login": subject}, allow_redirects=False, timeout=5)
        while answer.headers["Location"].startswith(self.issuer):
            answer = http.get(answer.headers["Location"], allow_redirects=False, timeout=5)
        back = urlsplit(answer.headers["Location"])
        assert back.path == CALLBACK, answer.headers["Location"]
        return f"{back.path}?{back.query}"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the single sign-on tests (apt install nodejs)")
    if not (PROJECT_ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("oidc-provider is not installed: run npm ci")
    return node


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[ProviderStandIn]:
    process = subprocess.Popen(
        [_node(), "tests/oidc/provider.mjs", CLIENT_ID, CLIENT_SECRET],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()))
    reader.start()
    reader.join(timeout=30)
    issuer = first_line[0].strip() if first_line else ""
    if not issuer.startswith("http://127.0.0.1:"):
        process.kill()
        pytest.fail("the OpenID Connect provider did not start")
    try:
        yield ProviderStandIn(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def configure_sso(
    app: Flask, provider: ProviderStandIn, base_url: str, **settings: object
) -> Iterator[None]:
    """The app signs staff in through ``provider`` while the block runs."""
    config = app.config["FRONTDOOR"]
    wanted = {
        "base_url": base_url,
        "oidc_discovery_url": provider.discovery_url,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_issuer": provider.issuer,
        "oidc_label": LABEL,
        **settings,
    }
    before = {name: getattr(config, name) for name in wanted}
    for name, value in wanted.items():
        setattr(config, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(config, name, value)


@pytest.fixture
def sso(app: Flask, oidc_provider: ProviderStandIn) -> Iterator[ProviderStandIn]:
    """Single sign-on on, for the test client (which answers on http://127.0.0.1)."""
    with configure_sso(app, oidc_provider, "http://127.0.0.1"):
        yield oidc_provider
    oidc_provider.forget_next_id_token()


def start_sso(client: FlaskClient, next_page: str | None = None) -> str:
    """Press the sign-in page's single sign-on button; where it sends the browser."""
    query = {"next": next_page} if next_page else {}
    response = client.get("/admin/sign-in/sso", query_string=query)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.fixture
def security_log() -> Iterator[list[str]]:
    """The security events logged during the test, as the JSON lines the log gets."""
    lines: list[str] = []
    formatter = JSONFormatter()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(formatter.format(record))

    handler = Collect()
    logger = logging.getLogger("frontdoor.security_events")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def reasons(lines: list[str]) -> list[str]:
    return [json.loads(line)["reason"] for line in lines]
