"""The family key: one family recognised across bookings and visits, without a name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from arrivals.checkin import check_in_booking, check_in_drop_in
from booking.contact import Contact, Party
from booking.jobs import mark_no_shows
from booking.services import book_session
from frontdoor.config import ConfigError, load_config
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.family import (
    family_key_for_contact,
    new_hub_card,
    read_hub_card,
)
from frontdoor.models import Booking, Organisation, Session, Visit
from frontdoor.retention import months_before, purge_expired
from tests.booking_fixtures import NOW, make_session

MOBILE = "07700 900982"


def _book(session_id: int, name: str, *, email: str = "", mobile: str = "") -> Booking:
    result = book_session(
        session_id, Party(1, ("0-1",)), Contact(name, "Okafor", email, mobile), now=NOW
    )
    db.session.commit()
    return result.booking


def _organisation_of(session_id: int) -> int:
    return db.session.get_one(Session, session_id).hub.organisation_id


def _at_session(session_id: int) -> datetime:
    return db.session.get_one(Session, session_id).starts_at - timedelta(minutes=5)


def test_a_family_giving_the_same_mobile_has_one_key_across_bookings_and_visits(app_context):
    first, second = make_session(), make_session()  # two hubs of one council
    one = _book(first, "Amara", email="amara@example.com", mobile=MOBILE)
    other = _book(second, "Amara", mobile="+447700900982")
    visit = check_in_booking(
        one.id,
        hub_id=db.session.get_one(Session, first).hub_id,
        adults=1,
        child_bands=["1-3"],
        now=_at_session(first),
    ).visit
    db.session.commit()
    assert one.family_key and len(one.family_key) == 32
    assert one.family_key == other.family_key == visit.family_key


def test_mobile_names_the_family_when_both_are_given(app_context):
    council = _organisation_of(make_session())
    both = family_key_for_contact("amara@example.com", MOBILE, organisation_id=council)
    assert both == family_key_for_contact(mobile=MOBILE, organisation_id=council)
    assert both != family_key_for_contact("amara@example.com", organisation_id=council)
    assert family_key_for_contact("AMARA@Example.com", organisation_id=council) == (
        family_key_for_contact("amara@example.com", organisation_id=council)
    )
    assert family_key_for_contact(organisation_id=council) is None


def test_the_same_family_in_another_council_has_another_key(app_context):
    other = Organisation(name="Other Council", slug="other")
    db.session.add(other)
    db.session.flush()
    here = _organisation_of(make_session())
    assert family_key_for_contact(mobile=MOBILE, organisation_id=here) != (
        family_key_for_contact(mobile=MOBILE, organisation_id=other.id)
    )


def test_a_new_secret_makes_every_family_new(app_context):
    council = _organisation_of(make_session())
    before = family_key_for_contact(mobile=MOBILE, organisation_id=council)
    config = current_app.config["FRONTDOOR"]
    kept = config.family_key_secret
    config.family_key_secret = "another secret"
    try:
        after = family_key_for_contact(mobile=MOBILE, organisation_id=council)
    finally:
        config.family_key_secret = kept
    assert after != before and after is not None


def test_production_refuses_to_start_without_the_family_key_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_SECRET_KEY", "set")
    monkeypatch.delenv("FRONTDOOR_FAMILY_KEY_SECRET", raising=False)
    with pytest.raises(ConfigError, match="FRONTDOOR_FAMILY_KEY_SECRET"):
        load_config({"env": "production", "instance_path": tmp_path})
    monkeypatch.setenv("FRONTDOOR_FAMILY_KEY_SECRET", "from-the-environment")
    config = load_config({"env": "production", "instance_path": tmp_path})
    assert config.family_key_secret == "from-the-environment"


def test_development_makes_its_family_key_secret_once(tmp_path, monkeypatch):
    monkeypatch.delenv("FRONTDOOR_FAMILY_KEY_SECRET", raising=False)
    first = load_config({"instance_path": tmp_path})
    assert len(first.family_key_secret) > 40
    assert first.family_key_secret != first.secret_key
    assert load_config({"instance_path": tmp_path}).family_key_secret == first.family_key_secret


def test_a_hub_card_names_its_family_only_in_its_own_council(app_context):
    council = _organisation_of(make_session())
    card = new_hub_card(council)
    assert read_hub_card(card.code, organisation_id=council) == card.family_key
    assert new_hub_card(council).family_key != card.family_key
    with pytest.raises(ServiceError) as refused:
        read_hub_card(card.code, organisation_id=council + 1)
    assert refused.value.code == "card_other_council"
    tampered = card.code[:-3] + ("AAA" if not card.code.endswith("AAA") else "BBB")
    with pytest.raises(ServiceError) as unreadable:
        read_hub_card(tampered, organisation_id=council)
    assert unreadable.value.code == "card_unreadable"


def _drop_in_session() -> int:
    session_id = make_session(mode="drop_in")
    return session_id


def test_a_drop_in_with_a_card_carries_the_cards_key_and_one_without_none(app_context):
    session_id = _drop_in_session()
    session = db.session.get_one(Session, session_id)
    card = new_hub_card(session.hub.organisation_id)
    now = session.starts_at + timedelta(minutes=5)
    with_card = check_in_drop_in(
        session_id,
        hub_id=session.hub_id,
        first_name="Bea",
        adults=1,
        child_bands=[],
        now=now,
        card_key=card.family_key,
    ).visit
    without = check_in_drop_in(
        session_id, hub_id=session.hub_id, first_name="Cat", adults=1, child_bands=[], now=now
    ).visit
    db.session.commit()
    assert (with_card.family_key, without.family_key) == (card.family_key, None)


def test_a_card_shown_at_a_booked_check_in_names_the_visit_and_the_booking(app_context):
    session_id = make_session()
    booking = _book(session_id, "Amara", mobile=MOBILE)
    session = db.session.get_one(Session, session_id)
    card = new_hub_card(session.hub.organisation_id)
    visit = check_in_booking(
        booking.id,
        hub_id=session.hub_id,
        adults=1,
        child_bands=["1-3"],
        now=_at_session(session_id),
        card_key=card.family_key,
    ).visit
    db.session.commit()
    assert visit.family_key == booking.family_key == card.family_key


def test_after_the_purge_a_family_keeps_one_key_and_nothing_else(app_context):
    first, second = make_session(), make_session()
    one = _book(first, "Amara", email="amara@example.com", mobile=MOBILE)
    _book(second, "Amara", mobile=MOBILE)
    session = db.session.get_one(Session, first)
    check_in_booking(
        one.id, hub_id=session.hub_id, adults=1, child_bands=["1-3"], now=_at_session(first)
    )
    db.session.commit()
    key = one.family_key

    purge_expired(months_before(NOW, -14))
    db.session.commit()
    db.session.expire_all()

    bookings = db.session.scalars(select(Booking)).all()
    visits = db.session.scalars(select(Visit)).all()
    assert {b.family_key for b in bookings} | {v.family_key for v in visits} == {key}
    assert len(bookings) + len(visits) == 3
    assert all(b.first_name == b.last_name == b.email == b.mobile == "" for b in bookings)
    assert all(v.first_name == v.last_name == "" for v in visits)


def test_a_booking_nobody_came_for_is_a_no_show_of_the_same_family(app_context):
    session_id = make_session()
    missed = _book(session_id, "Amara", mobile=MOBILE)
    mark_no_shows(db.session.get_one(Session, session_id).ends_at)
    visit = db.session.scalar(select(Visit))
    assert visit is not None and visit.family_key == missed.family_key is not None
