"""Introducing a family to a colleague in the hub: with the family's consent, only to
someone who greets families at that hub (never oneself), onto the colleague's own
list with what the family agreed to share, so they need not tell their story twice;
the colleague's "I'll see them" is the first answer and it stands. And the connect
page narrows services by a child's age and a language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from arrivals.actions import act
from connections.services import make_connection, will_see_them, withdraw
from directory.services import services_for_families
from frontdoor import clock
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    ArrivalEvent,
    AuditEvent,
    Connection,
    Organisation,
    OutboxMessage,
    StaffUser,
)
from tests.conftest import csrf_from
from tests.test_connections import (  # noqa: F401  (council is a fixture)
    AMARA,
    NOW,
    _ids,
    _partner_path,
    _signed_in,
    council,
)

GRACE = "lead@riverside.example"  # Grace Okafor: session lead and practitioner, Riverside
PRIYA = "manager@riverside.example"  # Riverside's manager
SAM = "practitioner@riverside.example"  # makes the introductions
MEGAN = "lead@northgate.example"  # a session lead at the other hub
TOM = "reception@riverside.example"  # reception: does not greet families

# The demo council under a frozen clock, with a help request at Riverside.
pytestmark = pytest.mark.usefixtures("council")


def _staff_id(email: str) -> int:
    return db.session.scalar(select(StaffUser.id).filter_by(email=email))


def _introduce(app, to: str = GRACE, consent: bool = True, **changes) -> int:
    with app.app_context():
        ids = {**_ids(), "to_staff_id": _staff_id(to)}
        ids.pop("service_id")
        ids.update(changes)
        connection = make_connection(consent=consent, shared=AMARA, now=clock.now(), **ids)
        db.session.commit()
        return connection.id


def _refused(app, **changes) -> str:
    with pytest.raises(ServiceError) as refused:
        _introduce(app, **changes)
    with app.app_context():
        assert db.session.scalar(select(func.count(Connection.id))) == 0
    return refused.value.code


def _page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


# --- making the introduction ------------------------------------------------------------------


def test_the_colleague_finds_the_family_on_their_own_list_with_what_was_shared(app):
    _introduce(app)
    grace = _page(_signed_in(app, GRACE), "/admin/arrivals/mine?hub=riverside")
    assert "Introduced to you (1)" in grace
    for shared in ("Amara", "Wants her son to join a football club", "Weekday mornings"):
        assert shared in grace
    assert "Needs an interpreter: Yoruba" in grace and "+447700900982" in grace
    assert "Sam K." in grace and "From a help request, 10 March 2027 at 10:00" in grace
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # nobody emailed


def test_nobody_else_sees_the_introduction_on_their_own_list(app):
    _introduce(app)
    for someone in (PRIYA, SAM):
        mine = _page(_signed_in(app, someone), "/admin/arrivals/mine?hub=riverside")
        assert "Introduced to you (0)" in mine and "football club" not in mine
        connections = _page(_signed_in(app, someone), "/admin/connections/mine")
        assert "Introduced to me (0)" in connections


def test_my_connections_shows_introduced_to_me_and_who_it_went_to(app):
    _introduce(app)
    grace = _page(_signed_in(app, GRACE), "/admin/connections/mine")
    assert "Introduced to me (1)" in grace and "Wants her son to join a football club" in grace
    sam = _page(_signed_in(app, SAM), "/admin/connections/mine")
    assert "Waiting for an answer (1)" in sam and "Grace O. (a colleague)" in sam


def test_without_the_familys_consent_nothing_reaches_the_colleague(app):
    assert _refused(app, consent=False) == "consent_required"


@pytest.mark.parametrize(
    ("to", "code"),
    [
        (MEGAN, "colleague_not_here"),  # greets families, but at Northgate
        (TOM, "colleague_not_here"),  # reception does not take introductions
        (SAM, "colleague_is_you"),
    ],
)
def test_only_a_colleague_who_greets_families_at_this_hub_can_be_chosen(app, to, code):
    assert _refused(app, to=to) == code


def test_a_service_and_a_colleague_at_once_is_refused(app):
    with app.app_context():
        service_id = _ids()["service_id"]
    assert _refused(app, service_id=service_id) == "choose_service_or_colleague"


def test_a_deactivated_colleague_cannot_be_chosen(app):
    with app.app_context():
        db.session.get(StaffUser, _staff_id(GRACE)).active = False
        db.session.commit()
    assert _refused(app) == "colleague_not_here"


def test_a_colleagues_introduction_has_no_partner_page(app):
    connection_id = _introduce(app)
    assert app.test_client().get(_partner_path(app, connection_id)).status_code == 404


# --- "I'll see them" --------------------------------------------------------------------------


def test_ill_see_them_twice_the_first_answer_stands(app):
    connection_id = _introduce(app)
    grace = _signed_in(app, GRACE)
    mine = _page(grace, "/admin/arrivals/mine?hub=riverside")
    see = f"/admin/connections/{connection_id}/see"
    first = grace.post(see, data={"csrf_token": csrf_from(mine), "back": "arrivals"})
    assert first.location.endswith("/admin/arrivals/mine")
    clock.freeze(NOW + timedelta(minutes=20))  # later, and still signed in (idle < 30 minutes)
    again = grace.post(see, data={"csrf_token": csrf_from(mine)}, follow_redirects=True)
    assert "the first answer stands" in again.get_data(as_text=True)
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert connection.status == "accepted"
        assert connection.answered_at.replace(tzinfo=NOW.tzinfo) == NOW
        said = select(func.count(AuditEvent.id)).filter_by(
            action="connection.accepted", subject_id=connection_id, staff_id=_staff_id(GRACE)
        )
        assert db.session.scalar(said) == 1
        published = select(ArrivalEvent).filter_by(kind="connection")
        statuses = [e.data["status"] for e in db.session.scalars(published)]
        assert statuses == ["sent", "accepted"]
    sam = _page(_signed_in(app, SAM), "/admin/connections/mine")
    assert "Accepted (1)" in sam and "Grace O. will see them" in sam
    assert "Introduced to you (0)" in _page(grace, "/admin/arrivals/mine?hub=riverside")
    assert "You said you will see them" in _page(grace, "/admin/connections/mine")


def test_only_the_colleague_it_was_made_to_can_say_they_will_see_them(app):
    connection_id = _introduce(app)
    with app.app_context(), pytest.raises(ServiceError) as refused:
        will_see_them(connection_id, staff_id=_staff_id(PRIYA), now=NOW)
    assert refused.value.code == "not_found"
    priya = _signed_in(app, PRIYA)
    page = _page(priya, "/admin/connections/mine")
    priya.post(f"/admin/connections/{connection_id}/see", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(Connection, connection_id).status == "sent"


def test_a_withdrawn_introduction_leaves_the_colleagues_list_and_takes_no_answer(app):
    connection_id = _introduce(app)
    with app.app_context():
        ids = _ids()
        withdraw(connection_id, staff_id=ids["staff_id"], hub_id=ids["hub_id"], now=NOW)
        db.session.commit()
        with pytest.raises(ServiceError) as refused:
            will_see_them(connection_id, staff_id=_staff_id(GRACE), now=NOW)
    assert refused.value.code == "connection_withdrawn"
    assert "Introduced to me (0)" in _page(_signed_in(app, GRACE), "/admin/connections/mine")


# --- the connect page -------------------------------------------------------------------------


def _claimed_by_sam(app) -> int:
    with app.app_context():
        help_id = _ids()["help_request_id"]
        act("help", help_id, "claim", staff_id=_staff_id(SAM), now=NOW, version=None)
        db.session.commit()
    return help_id


def test_the_practitioners_own_list_has_connect_on_their_rows(app):
    help_id = _claimed_by_sam(app)
    mine = _page(_signed_in(app, SAM), "/admin/arrivals/mine?hub=riverside")
    link = re.search(r'data-connect href="([^"]+)"', mine)
    assert link and link[1] == f"/admin/connections/help/{help_id}"


def test_a_colleague_is_chosen_by_name_and_role_on_the_connect_page(app):
    help_id = _claimed_by_sam(app)
    sam = _signed_in(app, SAM)
    path = f"/admin/connections/help/{help_id}"
    page = _page(sam, path)
    assert "Grace O. (Session lead, Practitioner)" in page and "Priya S. (Manager)" in page
    assert not any(name in page for name in ("Sam K.", "Megan P.", "Tom R."))
    with app.app_context():
        grace_id = _staff_id(GRACE)
    form = {
        "csrf_token": csrf_from(page), "to_staff": grace_id, "consent": "y",
        "first_name": "Amara", "contact_method": "through_hub", "reason": "Money worries",
    }  # fmt: skip
    made = sam.post(path, data=form)
    assert made.status_code == 302 and made.location.endswith("/admin/connections/mine")
    grace = _page(_signed_in(app, GRACE), "/admin/arrivals/mine?hub=riverside")
    assert "Introduced to you (1)" in grace and "Money worries" in grace


def test_a_childs_age_and_a_language_narrow_the_services(app):
    with app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id))
        every = services_for_families(organisation_id, NOW)
        for_four = services_for_families(organisation_id, NOW, age=4)
        in_polish = services_for_families(organisation_id, NOW, language="pl")
        too_old = {s.name for s in every if s.minimum_age is not None and s.minimum_age > 4}
        too_young = {s.name for s in every if s.maximum_age is not None and s.maximum_age < 4}
        no_polish = {s.name for s in every if "pl" not in s.languages}
        for_a_baby_in_polish = {
            s.id for s in services_for_families(organisation_id, NOW, age=0, language="pl")
        }
        help_id = _ids()["help_request_id"]
    assert too_old and too_young and no_polish and in_polish
    assert not {s.name for s in for_four} & (too_old | too_young)
    assert all("pl" in s.languages for s in in_polish) and len(in_polish) < len(every)
    path = f"/admin/connections/help/{help_id}"
    wide = _page(_signed_in(app, SAM), f"{path}?topic=wellbeing")
    narrow = _page(_signed_in(app, SAM), f"{path}?topic=wellbeing&age=0&language=pl")
    listed = {int(i) for i in re.findall(r'name="service" type="radio" value="(\d+)"', narrow)}
    assert len(listed) < len(re.findall(r'name="service" type="radio"', wide))
    assert listed <= for_a_baby_in_polish
