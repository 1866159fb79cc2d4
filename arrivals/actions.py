"""What staff do with an arrival (claim, greet, hand over, check out, undo),
checking in by hand, and leaving from the kiosk. Who greets whom is
``arrivals.greeters``; what the board shows, and the roll call, ``arrivals.board``;
escalation and the automatic check-out, ``arrivals.jobs``.

Used by the staff side (``admin/arrivals.py``) and the kiosk ("I'm leaving"). Plain functions with
explicit arguments; the caller commits. Every change publishes an event on the
bus (``frontdoor.events``), delivered when the caller's transaction commits.

Codes: ``not_found``, ``closed`` (someone already checked them out or marked a
no-show), ``already_claimed`` (``by`` names who), ``already_greeted``,
``stale`` (the board acted on an old state), ``not_staff_here``, ``same_person``,
``unknown_action``, ``too_late`` (undo after 10 seconds), ``not_yours``,
``already_undone``, and the check-in codes of ``arrivals.checkin``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from arrivals.board import OPEN
from arrivals.checkin import CheckIn, check_in_booking, check_in_drop_in, check_party, record_visit
from arrivals.greeters import local_day, staff_at
from booking.places import lock_booking
from frontdoor.areas import area_for_postcode
from frontdoor.errors import ServiceError
from frontdoor.events import publish
from frontdoor.extensions import db, rows_changed
from frontdoor.family import arrival_family_key
from frontdoor.fields import name_key
from frontdoor.models import (
    ArrivalAction,
    Booking,
    BookingStatus,
    HelpRequest,
    Hub,
    Role,
    StaffUser,
    Visit,
    VisitKind,
    VisitStatus,
)

CLOSED = (VisitStatus.LEFT, VisitStatus.NO_SHOW)
ACTIONS = ("claim", "greeted", "with_staff", "done", "no_show", "hand_over")
UNDO_WITHIN = timedelta(seconds=10)
SUBJECTS: dict[str, type[Visit] | type[HelpRequest]] = {"visit": Visit, "help": HelpRequest}


def _model(subject: str) -> type[Visit] | type[HelpRequest]:
    try:
        return SUBJECTS[subject]
    except KeyError:
        raise ServiceError("not_found") from None


def _end_column(model: type[Visit] | type[HelpRequest]) -> str:
    return "left_at" if model is Visit else "closed_at"


# --- actions -------------------------------------------------------------------------


@dataclass
class Done:
    subject: str
    id: int
    action: str
    action_id: int | None  # for undo; None when nothing changed (a double submit)
    hub_id: int
    version: int


def _snapshot(row: Visit | HelpRequest) -> dict[str, Any]:
    end = _end_column(type(row))
    return {
        "status": row.status,
        "claimed_by_id": row.claimed_by_id,
        "claimed_at": row.claimed_at.isoformat() if row.claimed_at else None,
        "greeted_at": row.greeted_at.isoformat() if row.greeted_at else None,
        end: getattr(row, end).isoformat() if getattr(row, end) else None,
        **({"left_by": row.left_by} if isinstance(row, Visit) else {}),
    }


def _restore(values: dict[str, Any]) -> dict[str, Any]:
    restored = {}
    for key, value in values.items():
        if key.endswith("_at") and value is not None:
            value = datetime.fromisoformat(value)
        restored[key] = value
    return restored


def _staff_name(staff_id: int | None) -> str:
    person = db.session.get(StaffUser, staff_id) if staff_id else None
    return person.short_name if person else "a colleague"


def _load(subject: str, subject_id: int) -> Visit | HelpRequest:
    model = _model(subject)
    row = db.session.get(model, subject_id, populate_existing=True)
    if not isinstance(row, (Visit, HelpRequest)):  # None; get() of the union types as Base
        raise ServiceError("not_found")
    return row


def _refuse_if_closed(row: Visit | HelpRequest) -> None:
    if row.status in CLOSED:
        raise ServiceError("closed", status=row.status)


def _changes(
    row: Visit | HelpRequest, action: str, *, staff_id: int, now: datetime, to_staff_id: int | None
) -> dict[str, Any] | None:
    """The new values for ``action``, None when it was already done (a double
    submit), or a coded refusal."""
    end = _end_column(type(row))
    if action == "claim":
        if row.claimed_by_id == staff_id:
            return None
        if row.claimed_by_id is not None:
            raise ServiceError("already_claimed", by=_staff_name(row.claimed_by_id))
        if row.status != VisitStatus.WAITING:
            raise ServiceError("already_greeted")
        return {"claimed_by_id": staff_id, "claimed_at": now}
    mine = {} if row.claimed_by_id else {"claimed_by_id": staff_id, "claimed_at": now}
    if action == "greeted":
        if row.status != VisitStatus.WAITING:
            raise ServiceError("already_greeted")
        return {"status": VisitStatus.GREETED, "greeted_at": now, **mine}
    if action == "with_staff":
        if row.status == VisitStatus.WITH_STAFF:
            return None
        return {
            "status": VisitStatus.WITH_STAFF,
            "greeted_at": row.greeted_at or now,
            **mine,
        }
    if action == "done":
        extra = {"left_by": "staff"} if isinstance(row, Visit) else {}
        return {"status": VisitStatus.LEFT, end: now, **extra}
    if action == "no_show":
        if row.status != VisitStatus.WAITING:
            raise ServiceError("already_greeted")
        return {"status": VisitStatus.NO_SHOW, end: now}
    if action == "hand_over":
        if to_staff_id is None or to_staff_id not in {s.id for s in staff_at(row.hub_id, Role)}:
            raise ServiceError("not_staff_here", field="to_staff")
        if to_staff_id == row.claimed_by_id:
            raise ServiceError("same_person", field="to_staff")
        return {"claimed_by_id": to_staff_id, "claimed_at": now}
    raise ServiceError("unknown_action")


def act(
    subject: str,
    subject_id: int,
    action: str,
    *,
    staff_id: int,
    now: datetime,
    version: int | None = None,
    to_staff_id: int | None = None,
) -> Done:
    """Do one board action on a visit or help request, if it still makes sense.

    ``version`` is what the acting board showed: when the row changed since, the
    action is refused as ``stale`` (except "I'll greet", which only needs nobody
    else to have claimed first). The change is one conditional UPDATE, so of two
    staff claiming at once exactly one wins; the other is told who.
    """
    if action not in ACTIONS:
        raise ServiceError("unknown_action")
    model = _model(subject)
    row = _load(subject, subject_id)
    _refuse_if_closed(row)
    if action != "claim" and version is not None and version != row.version:
        raise ServiceError("stale")
    changes = _changes(row, action, staff_id=staff_id, now=now, to_staff_id=to_staff_id)
    if changes is None:
        return Done(subject, row.id, action, None, row.hub_id, row.version)
    before = _snapshot(row)
    guard = [model.id == row.id, model.version == row.version]
    if action == "claim":
        guard = [model.id == row.id, model.claimed_by_id.is_(None), model.status == "waiting"]
    changed = rows_changed(
        update(model)
        .where(*guard)
        .values(**changes, version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        # Someone else got there between our read and our write.
        row = _load(subject, subject_id)
        _refuse_if_closed(row)
        if action == "claim" and row.claimed_by_id not in (None, staff_id):
            raise ServiceError("already_claimed", by=_staff_name(row.claimed_by_id))
        raise ServiceError("stale")
    row = _load(subject, subject_id)
    record = ArrivalAction(
        hub_id=row.hub_id,
        staff_id=staff_id,
        subject_type=subject,
        subject_id=row.id,
        action=action,
        at=now,
        before=before,
        version_after=row.version,
    )
    db.session.add(record)
    db.session.flush()
    publish(
        row.hub_id,
        f"{subject}.{action}",
        now=now,
        subject=subject,
        id=row.id,
        staff=staff_id,
        to=row.claimed_by_id,
    )
    return Done(subject, row.id, action, record.id, row.hub_id, row.version)


def undo(action_id: int, *, staff_id: int, now: datetime) -> Done:
    """Put things back as they were before ``action_id``, within 10 seconds, by
    the person who did it, if nothing has changed since."""
    record = db.session.get(ArrivalAction, action_id)
    if record is None:
        raise ServiceError("not_found")
    if record.staff_id != staff_id:
        raise ServiceError("not_yours")
    if record.undone_at is not None:
        raise ServiceError("already_undone")
    if now - record.at > UNDO_WITHIN:
        raise ServiceError("too_late")
    model = _model(record.subject_type)
    if record.action == "check_in":
        return _undo_check_in(record, now=now)
    restored = rows_changed(
        update(model)
        .where(model.id == record.subject_id, model.version == record.version_after)
        .values(**_restore(record.before), version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if restored != 1:
        raise ServiceError("stale")
    claimed = rows_changed(
        update(ArrivalAction)
        .where(ArrivalAction.id == record.id, ArrivalAction.undone_at.is_(None))
        .values(undone_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise ServiceError("already_undone")
    row = _load(record.subject_type, record.subject_id)
    publish(
        record.hub_id,
        f"{record.subject_type}.undo",
        now=now,
        subject=record.subject_type,
        id=row.id,
    )
    return Done(record.subject_type, row.id, "undo", None, row.hub_id, row.version)


def _undo_check_in(record: ArrivalAction, *, now: datetime) -> Done:
    visit = db.session.get(Visit, record.subject_id, populate_existing=True)
    if visit is None or visit.version != record.version_after:
        raise ServiceError("stale")
    if visit.booking is not None:
        visit.booking.checked_in_at = None
    record.undone_at = now
    db.session.delete(visit)
    db.session.flush()
    publish(record.hub_id, "visit.undo", now=now, subject="visit", id=record.subject_id)
    return Done("visit", record.subject_id, "undo", None, record.hub_id, 0)


# --- checking in and out --------------------------------------------------------------


def _recorded_check_in(visit: Visit, *, staff_id: int, now: datetime) -> int:
    record = ArrivalAction(
        hub_id=visit.hub_id,
        staff_id=staff_id,
        subject_type="visit",
        subject_id=visit.id,
        action="check_in",
        at=now,
        before={},
        version_after=visit.version,
    )
    db.session.add(record)
    db.session.flush()
    return record.id


@dataclass
class HandCheckIn:
    visit: Visit
    action_id: int | None
    created: bool = True
    check_in: CheckIn | None = field(default=None, repr=False)


def check_in_by_hand(
    hub_id: int,
    *,
    staff_id: int,
    first_name: str,
    adults: int,
    child_bands: Sequence[str],
    now: datetime,
    last_name: str = "",
    language: str = "en",
    session_id: int | None = None,
    nonce: str | None = None,
    postcode: str = "",
) -> HandCheckIn:
    """Reception checks in someone who walked up to the desk: to a drop-in
    session, or just into the building. A double submit (same nonce) makes one
    visit, and answers with the first one's Undo while it lasts. A ``postcode``
    is kept only as its area (``frontdoor.areas``)."""
    if len(last_name.strip()) > 100:
        raise ServiceError("name_too_long", field="last_name")
    if session_id is not None:
        # The drop-in's lock, then its nonce: a racing double submit finds ours.
        made = check_in_drop_in(
            session_id,
            hub_id=hub_id,
            first_name=first_name,
            adults=adults,
            child_bands=child_bands,
            now=now,
            language=language,
            nonce=nonce,
            kind=VisitKind.WALK_IN,
            postcode=postcode,
        )
        if not made.created:
            return _submitted_before(made.visit)
        made.visit.last_name = last_name.strip()
        return HandCheckIn(made.visit, _recorded_check_in(made.visit, staff_id=staff_id, now=now))
    # Into the building: no row to lock, so the unique nonce is the only guard.
    if nonce and (earlier := db.session.scalar(select(Visit).where(Visit.nonce == nonce))):
        return _submitted_before(earlier)
    first_name = first_name.strip()
    if not first_name:
        raise ServiceError("first_name_required", field="first_name")
    if len(first_name) > 100:
        raise ServiceError("name_too_long", field="first_name")
    check_party(adults, child_bands)
    area = area_for_postcode(postcode)
    visit = record_visit(
        hub_id,
        now=now,
        kind=VisitKind.WALK_IN,
        first_name=first_name,
        last_name=last_name.strip(),
        adults=adults,
        children=len(child_bands),
        child_bands=list(child_bands),
        language=language,
        nonce=nonce,
        **area.kept(),
    )
    return HandCheckIn(visit, _recorded_check_in(visit, staff_id=staff_id, now=now))


def _submitted_before(visit: Visit) -> HandCheckIn:
    """A double submit's answer: the first one's visit, and its Undo while it lasts."""
    first = db.session.scalar(
        select(ArrivalAction.id).where(
            ArrivalAction.subject_type == "visit",
            ArrivalAction.subject_id == visit.id,
            ArrivalAction.action == "check_in",
            ArrivalAction.undone_at.is_(None),
        )
    )
    return HandCheckIn(visit, first, created=False)


def check_in_expected(booking_id: int, *, hub_id: int, staff_id: int, now: datetime) -> HandCheckIn:
    """Reception checks in a booked family from the "expected" list: for a
    session (the kiosk's rules), or for an appointment on its day."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise ServiceError("not_found")
    if booking.appointment_id is not None:
        visit = _check_in_appointment(booking_id, hub_id=hub_id, now=now)
    else:
        visit = check_in_booking(
            booking_id,
            hub_id=hub_id,
            adults=max(booking.adults, 0),
            child_bands=booking.children or [],
            now=now,
        ).visit
    return HandCheckIn(visit, _recorded_check_in(visit, staff_id=staff_id, now=now))


def _check_in_appointment(booking_id: int, *, hub_id: int, now: datetime) -> Visit:
    booking = lock_booking(booking_id)
    if booking is None or (meeting := booking.appointment) is None or meeting.hub_id != hub_id:
        raise ServiceError("not_found")
    if booking.status != BookingStatus.CONFIRMED:
        raise ServiceError("cancelled")
    if booking.checked_in_at is not None:
        raise ServiceError("already_checked_in")
    hub = db.session.get_one(Hub, hub_id)
    if local_day(hub, meeting.starts_at) != local_day(hub, now):
        raise ServiceError("not_today")
    adults = max(booking.adults, 0)
    bands = list(booking.children or [])
    children = len(bands)
    booking.checked_in_at = now
    return record_visit(
        hub_id,
        now=now,
        booking_id=booking.id,
        kind=VisitKind.BOOKING,
        first_name=booking.first_name,
        last_name=booking.last_name,
        adults=adults if adults + children else 1,
        children=children,
        child_bands=bands,
        language=booking.language,
        family_key=arrival_family_key(
            organisation_id=hub.organisation_id, booking_key=booking.family_key
        ),
        postcode_district=booking.postcode_district,
        lsoa=booking.lsoa,
        imd_decile=booking.imd_decile,
    )


def visits_to_leave(hub_id: int, first_name: str, *, now: datetime) -> list[Visit]:
    """Open visits at the hub today for people of that first name (kiosk)."""
    wanted = name_key(first_name)
    if not wanted:
        return []
    hub = db.session.get_one(Hub, hub_id)
    tz = ZoneInfo(hub.timezone)
    day_start = datetime.combine(local_day(hub, now), time(0), tz)
    candidates = db.session.scalars(
        select(Visit)
        .where(
            Visit.hub_id == hub_id,
            Visit.status.in_(OPEN),
            Visit.arrived_at >= day_start,
        )
        .order_by(Visit.arrived_at)
    )
    return [v for v in candidates if name_key(v.first_name) == wanted]


def leave(visit_id: int, *, hub_id: int, now: datetime) -> Visit:
    """The family pressed "I'm leaving" on the kiosk. Twice is the same as once."""
    visit = db.session.get(Visit, visit_id, populate_existing=True)
    if visit is None or visit.hub_id != hub_id:
        raise ServiceError("not_found")
    if visit.status in CLOSED:
        return visit
    changed = rows_changed(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status.in_(OPEN))
        .values(status=VisitStatus.LEFT, left_at=now, left_by="kiosk", version=Visit.version + 1)
        .execution_options(synchronize_session=False)
    )
    if changed == 1:
        publish(hub_id, "visit.left", now=now, subject="visit", id=visit.id)
    visit = db.session.get(Visit, visit_id, populate_existing=True)
    if visit is None:  # reception undid the check-in meanwhile
        raise ServiceError("not_found")
    return visit
