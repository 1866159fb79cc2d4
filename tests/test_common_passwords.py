"""New passwords are not among the 30,000 most common in real breaches (zxcvbn's
ranked list): ASVS 6.2.4 and 6.2.12."""

from __future__ import annotations

import pytest

from frontdoor.passwords import password_problem
from tests.conftest import DEMO_PASSWORD, submit

LEAD = "lead@riverside.example"


@pytest.mark.parametrize("common", ["manchester", "Liverpool1", "qwerty12345", "iloveyou123"])
def test_a_common_password_is_refused_when_you_change_yours(signed_in, common):
    client = signed_in(LEAD)
    response = submit(
        client,
        "/admin/account/password",
        {"current": DEMO_PASSWORD, "new": common, "again": common},
    )
    assert response.status_code == 200
    assert "Choose a password that is harder to guess" in response.text


def test_a_long_uncommon_password_is_still_fine():
    assert password_problem("tangerine-lamp-orbit") is None
    assert password_problem(DEMO_PASSWORD) is None
