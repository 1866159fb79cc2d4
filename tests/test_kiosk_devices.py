"""Pairing kiosk devices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import Hub, KioskDevice, Session
from kiosk.pairing import add_kiosk, device_for, new_pairing_code, pair, revoke
from tests.booking_fixtures import NOW, make_session

pytestmark = pytest.mark.usefixtures("app_context")


def _hub_id() -> int:
    return db.session.get(Session, make_session()).hub_id


def test_a_code_pairs_once_and_the_credential_recognises_the_device():
    device, code = add_kiosk(_hub_id(), "Foyer", now=NOW, created_by_id=None)
    paired, credential = pair(code.lower(), now=NOW + timedelta(minutes=9))
    assert paired.id == device.id
    assert device_for(credential, now=NOW).id == device.id
    assert device.credential_hash != credential  # only the hash is kept
    with pytest.raises(ServiceError) as again:
        pair(code, now=NOW)
    assert again.value.code == "invalid_code"


def test_codes_expire_after_ten_minutes():
    _, code = add_kiosk(_hub_id(), "Foyer", now=NOW, created_by_id=None)
    with pytest.raises(ServiceError) as raised:
        pair(code, now=NOW + timedelta(minutes=10))
    assert raised.value.code == "expired_code"


def test_revoked_devices_stop_at_once_and_cannot_re_pair():
    device, code = add_kiosk(_hub_id(), "Foyer", now=NOW, created_by_id=None)
    _, credential = pair(code, now=NOW)
    revoke(device, now=NOW)
    assert device_for(credential, now=NOW) is None
    with pytest.raises(ServiceError):
        new_pairing_code(device, now=NOW)


def test_a_kiosk_revoked_after_it_was_recognised_is_refused_at_its_next_tap():
    device, code = add_kiosk(_hub_id(), "Foyer", now=NOW, created_by_id=None)
    _, credential = pair(code, now=NOW)
    db.session.commit()
    assert device_for(credential, now=NOW) is not None  # this worker remembers it now
    db.session.commit()
    revoke(db.session.get_one(KioskDevice, device.id), now=NOW)
    db.session.commit()
    assert device_for(credential, now=NOW) is None


def test_a_kiosk_whose_hub_closes_is_recognised_with_its_hub_as_it_is_now():
    device, code = add_kiosk(_hub_id(), "Foyer", now=NOW, created_by_id=None)
    _, credential = pair(code, now=NOW)
    db.session.commit()
    assert device_for(credential, now=NOW).hub.active
    db.session.get_one(Hub, device.hub_id).active = False
    db.session.commit()
    assert not device_for(credential, now=NOW).hub.active


def test_garbage_codes_and_credentials_find_nothing():
    with pytest.raises(ServiceError):
        pair("<script>", now=NOW)
    assert device_for("not-a-credential", now=NOW) is None
    assert device_for(None, now=NOW) is None
