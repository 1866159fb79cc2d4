"""Pairing kiosk devices to a hub, and recognising them afterwards.

A manager adds a kiosk and gets a one-time pairing code that lasts 10 minutes.
The device that enters it receives a long random credential in an HttpOnly
cookie; the server keeps only its hash. Revoking a device ends it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.references import new_reference, read_reference
from frontdoor import audit
from frontdoor.errors import ServiceError
from frontdoor.events import bus
from frontdoor.extensions import db
from frontdoor.models import KioskDevice
from frontdoor.remembered import Tag, attached, detached

PAIRING_LIFETIME = timedelta(minutes=10)
_SEEN_EVERY = timedelta(minutes=1)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add_kiosk(
    hub_id: int, name: str, *, now: datetime, created_by_id: int | None
) -> tuple[KioskDevice, str]:
    """A new kiosk waiting to pair (audited); returns it and its one-time pairing code."""
    if not name.strip():
        raise ServiceError("name_required", field="name")
    device = KioskDevice(
        hub_id=hub_id, name=name.strip()[:120], created_by_id=created_by_id, created_at=now
    )
    db.session.add(device)
    code = new_pairing_code(device, now=now)
    db.session.flush()
    _audit("kiosk.add", device, created_by_id, f"Added {device.name}")
    return device, code


def _audit(action: str, device: KioskDevice, staff_id: int | None, detail: str) -> None:
    audit.record(
        action,
        staff_id=staff_id,
        subject_type="kiosk_device",
        subject_id=device.id,
        hub_id=device.hub_id,
        detail=detail,
    )


def new_pairing_code(device: KioskDevice, *, now: datetime) -> str:
    """A fresh code for (re-)pairing this device; any earlier code stops working."""
    if device.revoked_at is not None:
        raise ServiceError("revoked")
    code = new_reference()
    device.pairing_code_hash = _sha(code)
    device.pairing_expires_at = now + PAIRING_LIFETIME
    return code


def reissue_code(device: KioskDevice, *, now: datetime, staff_id: int | None) -> str:
    """A manager's new pairing code for an existing kiosk (audited: it lets a screen in)."""
    code = new_pairing_code(device, now=now)
    _audit("kiosk.new_code", device, staff_id, f"New pairing code for {device.name}")
    return code


def pair(code: str, *, now: datetime) -> tuple[KioskDevice, str]:
    """Exchange a pairing code for the device credential. Codes work once."""
    cleaned = read_reference(code)
    device = None
    if cleaned:
        device = db.session.scalar(
            select(KioskDevice).where(KioskDevice.pairing_code_hash == _sha(cleaned))
        )
    if device is None or device.revoked_at is not None:
        raise ServiceError("invalid_code", field="code")
    if device.pairing_expires_at is None or now >= device.pairing_expires_at:
        raise ServiceError("expired_code", field="code")
    credential = secrets.token_urlsafe(32)
    device.credential_hash = _sha(credential)
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.paired_at = device.last_seen_at = now
    return device, credential


def device_for(credential: str | None, *, now: datetime) -> KioskDevice | None:
    """The paired, unrevoked device holding ``credential`` (with its hub), noting it
    was seen. Each worker remembers it until the device or its hub changes
    (``frontdoor.remembered``): a revoked kiosk is forgotten by every process as
    the revocation commits."""
    if not credential:
        return None
    digest = _sha(credential)
    kept = bus().remembered.get(("kiosk_device", digest), lambda: _device_row(digest))
    if kept is None:
        return None
    device = attached(db.session(), kept)
    if device.last_seen_at is None or now - device.last_seen_at > _SEEN_EVERY:
        device.last_seen_at = now
    return device


def _device_row(digest: str) -> tuple[KioskDevice, list[Tag]] | None:
    device = db.session.scalar(
        select(KioskDevice)
        .where(KioskDevice.credential_hash == digest, KioskDevice.revoked_at.is_(None))
        .options(joinedload(KioskDevice.hub))
    )
    if device is None:
        return None
    kept = detached(device, hub=detached(device.hub))
    return kept, [("kiosk_device", device.id), ("hub", device.hub_id)]


def revoke(device: KioskDevice, *, now: datetime, staff_id: int | None = None) -> None:
    device.revoked_at = now
    device.credential_hash = None
    device.pairing_code_hash = None
    _audit("kiosk.revoke", device, staff_id, f"Revoked {device.name}")
