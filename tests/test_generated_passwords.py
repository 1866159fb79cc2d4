"""A password a manager or admin generated (a new account, a reset) was seen by
someone else: its holder must change it before any other staff page opens
(ASVS 6.4.1, 6.2.x)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Hub, StaffUser
from tests.conftest import sign_in, submit

MANAGER = "manager@riverside.example"
PRACTITIONER = "practitioner@riverside.example"
NEW_PASSWORD = "a-password-only-i-know"
PAGES = ["/admin/", "/admin/account", "/admin/staff"]


def _shown_password(response) -> str:
    match = re.search(r"Their password is<br><strong>([a-z0-9-]+)</strong>", response.text)
    assert match, response.text
    return match.group(1)


def _flagged(app, email: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(StaffUser.must_change_password).filter_by(email=email))


def _change(client, current: str):
    return submit(
        client,
        "/admin/account/password",
        {"current": current, "new": NEW_PASSWORD, "again": NEW_PASSWORD},
    )


def _reset_by_manager(app, signed_in, email: str) -> str:
    manager = signed_in(MANAGER)
    with app.app_context():
        user_id = db.session.scalar(select(StaffUser.id).filter_by(email=email))
    return _shown_password(submit(manager, "/admin/staff", {}, f"/admin/staff/{user_id}/password"))


def test_someone_added_with_a_generated_password_changes_it_before_anything_else(
    app, client, signed_in
):
    manager = signed_in(MANAGER)
    with app.app_context():
        riverside = db.session.scalar(select(Hub.id).filter_by(slug="riverside"))
    chloe = {"name": "Chloe Ng", "email": "chloe@x.example", f"roles_{riverside}": ["reception"]}
    added = submit(manager, "/admin/staff/new", chloe)
    password = _shown_password(added)
    assert _flagged(app, "chloe@x.example")

    newcomer = app.test_client()
    sign_in(newcomer, "chloe@x.example", password)
    for page in PAGES:
        assert newcomer.get(page).headers["Location"] == "/admin/account/password", page
    form = newcomer.get("/admin/account/password")
    assert form.status_code == 200
    assert "Choose your own password before you go on" in form.text

    assert _change(newcomer, password).headers["Location"] == "/admin/account"
    assert not _flagged(app, "chloe@x.example")
    assert newcomer.get("/admin/").status_code == 200


def test_a_reset_password_must_be_changed_and_a_wrong_current_one_keeps_the_rule(app, signed_in):
    password = _reset_by_manager(app, signed_in, PRACTITIONER)
    colleague = app.test_client()
    sign_in(colleague, PRACTITIONER, password)
    assert colleague.get("/admin/").headers["Location"] == "/admin/account/password"

    assert _change(colleague, "not-the-password").status_code == 200
    assert colleague.get("/admin/").headers["Location"] == "/admin/account/password"

    _change(colleague, password)
    assert colleague.get("/admin/").status_code == 200
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("staff.%password"))
        ).all()
    assert actions == ["staff.reset_password", "staff.change_password"]


@pytest.mark.usefixtures("demo")
def test_the_demo_accounts_passwords_are_their_own(app):
    with app.app_context():
        flagged = db.session.scalars(select(StaffUser.email).filter_by(must_change_password=True))
        assert list(flagged) == []
