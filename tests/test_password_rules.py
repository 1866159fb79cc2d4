"""A new staff password is not built from the product's, the council's, its hubs' or
the person's own names (ASVS 6.1.2, 6.2.11), and, where the council has the check on,
not in the breach corpus, asked of a Pwned Passwords range API that only ever sees
five characters of the password's SHA-1 (ASVS 6.2.12)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask import Flask

from frontdoor.config import PWNED_PASSWORDS_URL, ConfigError, load_config
from frontdoor.passwords import context_words, password_problem
from tests.conftest import DEMO_PASSWORD, changed_config, submit
from tests.message_servers import QuietHandler, free_port, http_server
from tests.oidc_fixtures import security_log  # noqa: F401  (a fixture)

LEAD = "lead@riverside.example"  # Grace Okafor, at the demo council's Riverside hub
CONTEXT_REFUSAL = "Choose a password that is not built from your name or email"
BREACH_REFUSAL = "That password has appeared in a data breach"


def _change_to(client, new: str):
    return submit(
        client, "/admin/account/password", {"current": DEMO_PASSWORD, "new": new, "again": new}
    )


@pytest.mark.parametrize(
    "built_from_context",
    [
        "FrontDoor2026",  # the product
        "Fr0ntD00r!2026",  # the product, l33t
        "FamilyHubs123",  # what the places are called
        "DemoCouncil1!",  # the council
        "Northgate2026!",  # another of the council's hubs
        "Riverside2026!",  # her own hub
        "Okafor2026!!",  # her own name
        "Lead2026!!x",  # her email before the @
    ],
)
def test_a_password_built_from_the_council_its_hubs_or_your_name_is_refused(
    signed_in, built_from_context
):
    response = _change_to(signed_in(LEAD), built_from_context)
    assert response.status_code == 200
    assert CONTEXT_REFUSAL in response.text


def test_a_long_passphrase_may_still_use_a_word_of_the_hub():
    words = context_words(council=["Demo Council"], hubs=["Riverside Family Hub"])
    assert password_problem("riverside-tangerine-lamp-orbit", context=words) is None
    assert password_problem("Riverside2026!", context=words) == "context"
    assert password_problem("Riverside2026!") is None  # the rule is the context's


def test_the_context_list_names_the_product_the_council_the_hubs_and_the_person():
    words = context_words(
        council=["Demo Council"],
        hubs=["Riverside Family Hub"],
        email="grace.okafor@riverside.example",
        name="Grace Okafor",
    )
    for word in ("frontdoor", "familyhub", "familyhubs", "democouncil", "riverside"):
        assert word in words
    assert {"graceokafor", "grace", "okafor"} <= set(words)


# --- breached passwords: a real local stand-in for the range API -----------------------


def _sha1(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


@dataclass
class RangeApi:
    """What the stand-in knows (breached passwords, and padding it adds) and saw."""

    breached: set[str] = field(default_factory=set)
    padding: set[str] = field(default_factory=set)
    status: int = 200
    asked: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@contextmanager
def range_api(api: RangeApi) -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self):
            api.asked.append((self.path, dict(self.headers)))
            prefix = self.path.rsplit("/", 1)[-1].upper()
            counts = {**dict.fromkeys(api.padding, 0), **dict.fromkeys(api.breached, 12)}
            lines = [f"{'0' * 35}:3"]  # some other breached hash with this prefix
            lines += [
                f"{_sha1(password)[5:]}:{count}"
                for password, count in counts.items()
                if _sha1(password).startswith(prefix)
            ]
            self.answer(api.status, "\r\n".join(lines).encode(), "text/plain")

    with http_server(Handler) as base_url:
        yield f"{base_url}/range"


def breach_check_at(app: Flask, url: str):
    return changed_config(app, pwned_passwords_url=url)


BREACHED = "tangerine-lamp-orbit"  # long and uncommon, but in our stand-in's breach


def test_a_breached_password_is_refused_and_only_five_characters_of_its_hash_leave(app, signed_in):
    client = signed_in(LEAD)
    api = RangeApi(breached={BREACHED})
    with range_api(api) as url, breach_check_at(app, url):
        refused = _change_to(client, BREACHED)
        accepted = _change_to(client, "quiet-otter-mends-nine-kites")
    assert BREACH_REFUSAL in refused.text
    assert accepted.status_code == 302
    (path, headers), _ = api.asked
    assert path == f"/range/{_sha1(BREACHED)[:5]}"
    assert headers["Add-Padding"] == "true"
    sent = str(api.asked)
    assert _sha1(BREACHED)[5:] not in sent and BREACHED not in sent


def test_a_padding_line_is_not_a_breach(app, signed_in):
    client = signed_in(LEAD)
    with range_api(RangeApi(padding={BREACHED})) as url, breach_check_at(app, url):
        assert _change_to(client, BREACHED).status_code == 302


@pytest.mark.parametrize("down", ["answers 503", "not listening"])
def test_when_the_breach_check_cannot_answer_the_password_is_let_through_and_logged(
    app,
    signed_in,
    security_log,  # noqa: F811  (a fixture)
    down,
):
    client = signed_in(LEAD)
    if down == "not listening":
        with breach_check_at(app, f"http://127.0.0.1:{free_port()}/range"):
            response = _change_to(client, BREACHED)
    else:
        api = RangeApi(breached={BREACHED}, status=503)
        with range_api(api) as url, breach_check_at(app, url):
            response = _change_to(client, BREACHED)
    assert response.status_code == 302
    assert any("breach_check_unavailable" in line for line in security_log)


def test_the_breach_check_is_on_in_production_unless_turned_off(tmp_path, monkeypatch):
    base = {
        "secret_key": "x" * 40,
        "family_key_secret": "y" * 40,
        "database_url": "sqlite://",
        "instance_path": tmp_path,
    }
    assert load_config({**base, "env": "production"}).pwned_passwords_url == PWNED_PASSWORDS_URL
    assert load_config({**base, "env": "test"}).pwned_passwords_url == ""
    monkeypatch.setenv("FRONTDOOR_PWNED_PASSWORDS_URL", "off")
    assert load_config({**base, "env": "production"}).pwned_passwords_url == ""
    monkeypatch.setenv("FRONTDOOR_PWNED_PASSWORDS_URL", "http://range.example/range")
    with pytest.raises(ConfigError):
        load_config({**base, "env": "production"})
