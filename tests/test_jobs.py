"""Every scheduled job, called as a plain function with a frozen clock (no scheduler):
each does its work once, however often or late it runs."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select, update

from booking.contact import Contact, Party
from booking.jobs import (
    create_sessions_ahead,
    mark_no_shows,
    queue_reminders,
    reminder_due,
    sweep_waiting_lists,
)
from booking.services import book_session
from booking.session_changes import move_session
from booking.tokens import STOP_REMINDERS
from frontdoor import clock
from frontdoor.channels import DevChannel
from frontdoor.clock import LONDON
from frontdoor.dispatcher import dispatch_outbox
from frontdoor.extensions import db
from frontdoor.models import (
    ArrivalEvent,
    Booking,
    BookingStatus,
    HelpRequest,
    OutboxMessage,
    RecordedMessage,
    Session,
    Visit,
    VisitStatus,
)
from frontdoor.outbox import Links
from frontdoor.retention import months_before, purge_expired
from frontdoor.summary import queue_daily_summaries
from frontdoor.tokens import make_timed_link_token
from tests.booking_fixtures import NOW, make_session
from tests.conftest import csrf_from


def _book(session_id: int, name: str = "Amara", *, reminders: bool = True, now=NOW, **kwargs):
    result = book_session(
        session_id,
        Party(1, ()),
        Contact(name, "Okafor", f"{name.lower()}@example.com", reminders=reminders),
        now=now,
        **kwargs,
    )
    db.session.commit()
    return result.booking


def _reminders(*, with_start: bool = False) -> list[str]:
    """Reminders' outbox keys; without the start they remind of, unless asked."""
    keys = db.session.scalars(
        select(OutboxMessage.idempotency_key)
        .where(OutboxMessage.template == "reminder")
        .order_by(OutboxMessage.id)
    )
    return [key if with_start else re.sub(r"@\d{8}T\d{4}Z", "", key) for key in keys]


def _links() -> Links:
    return Links("http://127.0.0.1:5000", current_app.config["SECRET_KEY"])


# --- reminders --------------------------------------------------------------------------


def test_reminders_go_24_and_2_hours_before_once_each_and_only_with_consent(app_context):
    session_id = make_session()
    wants = _book(session_id, "Amara")
    _book(session_id, "Bea", reminders=False)
    starts = db.session.get(Session, session_id).starts_at
    assert queue_reminders(starts - timedelta(hours=25)) == {"queued": 0}
    assert queue_reminders(starts - timedelta(hours=24)) == {"queued": 1}
    assert queue_reminders(starts - timedelta(hours=23)) == {"queued": 0}
    assert queue_reminders(starts - timedelta(hours=2)) == {"queued": 1}
    assert queue_reminders(starts - timedelta(minutes=1)) == {"queued": 0}
    assert queue_reminders(starts) == {"queued": 0}
    assert _reminders() == [
        f"booking:{wants.id}:reminder:24h:email",
        f"booking:{wants.id}:reminder:2h:email",
    ]


def test_a_scheduler_down_past_both_times_sends_one_reminder_not_two(app_context):
    session_id = make_session()
    booking = _book(session_id)
    starts = db.session.get(Session, session_id).starts_at
    queue_reminders(starts - timedelta(hours=1))
    assert _reminders() == [f"booking:{booking.id}:reminder:2h:email"]


def test_a_family_who_booked_after_a_reminder_time_is_not_sent_that_one(app_context):
    session_id = make_session()
    starts = db.session.get(Session, session_id).starts_at
    late = _book(session_id, now=starts - timedelta(hours=10), source="staff")
    queue_reminders(starts - timedelta(hours=9))
    queue_reminders(starts - timedelta(hours=2))
    assert _reminders() == [f"booking:{late.id}:reminder:2h:email"]
    assert reminder_due(starts, starts - timedelta(hours=1), (24, 2), starts) is None


def test_a_hubs_own_reminder_times_are_used(app_context):
    session_id = make_session(hub_settings={"reminder_hours": [48]})
    booking = _book(session_id)
    starts = db.session.get(Session, session_id).starts_at
    queue_reminders(starts - timedelta(hours=24))
    assert _reminders() == [f"booking:{booking.id}:reminder:48h:email"]


def test_scheduler_down_across_the_october_clock_change_reminders_still_once(app_context):
    """Clocks go back at 02:00 BST on Sunday 25 October 2026. The session is on Monday
    26 October at 10:00 GMT; the scheduler stops on Saturday evening and is back on
    Sunday afternoon, runs a few times, stops again and comes back on Monday."""
    session_id = make_session()
    booking = _book(session_id)
    starts = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # 10:00 GMT
    db.session.execute(
        update(Session)
        .where(Session.id == session_id)
        .values(starts_at=starts, ends_at=starts + timedelta(hours=1))
    )
    db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(created_at=starts - timedelta(days=20), confirmed_at=starts - timedelta(days=20))
    )
    db.session.commit()
    runs = [
        datetime(2026, 10, 24, 19, 0, tzinfo=UTC),  # Saturday 20:00 BST, then down
        datetime(2026, 10, 25, 14, 0, tzinfo=UTC),  # Sunday 14:00 GMT: 24h time passed
        datetime(2026, 10, 25, 14, 5, tzinfo=UTC),
        datetime(2026, 10, 25, 14, 10, tzinfo=UTC),  # then down again overnight
        datetime(2026, 10, 26, 8, 30, tzinfo=UTC),  # Monday 08:30 GMT: 2h time passed
        datetime(2026, 10, 26, 8, 35, tzinfo=UTC),
    ]
    queued = [queue_reminders(at)["queued"] for at in runs]
    assert queued == [0, 1, 0, 0, 1, 0]
    for at in runs:
        dispatch_outbox(at, channels={"email": DevChannel()}, links=_links())
    subjects = list(db.session.scalars(select(RecordedMessage.subject)))
    assert subjects.count("Reminder: Baby Massage") == 2


def test_a_session_moved_after_its_reminder_was_queued_gets_a_reminder_for_the_new_time(
    app_context,
):
    session_id = make_session()
    _book(session_id)
    session = db.session.get(Session, session_id)
    old_start = session.starts_at
    queue_reminders(old_start - timedelta(hours=24))
    db.session.commit()
    london = session.starts_at.astimezone(LONDON)
    move_session(
        session,
        day=london.date() + timedelta(days=1),
        start=london.time(),
        end=(london + timedelta(hours=1)).time(),
        room_id=session.room_id,
        now=old_start - timedelta(hours=23),
    )
    db.session.commit()
    new_start = db.session.get(Session, session_id).starts_at
    dispatch_outbox(
        old_start - timedelta(hours=23), channels={"email": DevChannel()}, links=_links()
    )
    assert queue_reminders(new_start - timedelta(hours=24)) == {"queued": 1}
    db.session.commit()
    dispatch_outbox(
        new_start - timedelta(hours=24), channels={"email": DevChannel()}, links=_links()
    )
    sent = {
        (message.payload["starts_at"], message.status)
        for message in db.session.scalars(select(OutboxMessage).filter_by(template="reminder"))
    }
    # The family hears of the old time only in the message saying it moved.
    assert sent == {(old_start.isoformat(), "skipped"), (new_start.isoformat(), "sent")}
    assert len(_reminders(with_start=True)) == 2


def test_a_reminder_carries_a_working_link_that_stops_reminders(app, client):
    with app.app_context():
        session_id = make_session()
        booking = _book(session_id)
        other = _book(make_session(), "Amara")  # the same family, another session
        starts = db.session.get(Session, session_id).starts_at
        queue_reminders(starts - timedelta(hours=24))
        db.session.commit()
        dispatch_outbox(
            starts - timedelta(hours=24), channels={"email": DevChannel()}, links=_links()
        )
        body = db.session.scalar(
            select(RecordedMessage.body).where(RecordedMessage.subject.like("Reminder%"))
        )
        booking_id, other_id = booking.id, other.id
    link = re.search(r"http://127\.0\.0\.1:5000(/book/reminders/stop/\S+)", body).group(1)
    # The link names the booking by its random public id: no number to count on from.
    readable = link.rsplit("/", 1)[1].split(".")[0]
    readable = base64.urlsafe_b64decode(readable + "=" * (-len(readable) % 4)).decode()
    assert f"[{booking_id}," not in readable and booking.reference not in readable
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Stop reminders" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    done = client.post(link, data={"csrf_token": token})
    assert "Reminders are off" in done.get_data(as_text=True)
    again = client.post(link, data={"csrf_token": token})
    assert "Reminders are off" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Booking, booking_id).reminders is False
        assert db.session.get(Booking, other_id).reminders is False
        # A reminder queued for the other booking is skipped when its turn comes.
        other_starts = db.session.get(Booking, other_id).session.starts_at
        assert queue_reminders(other_starts - timedelta(hours=2)) == {"queued": 0}


def test_a_tampered_or_expired_stop_link_gets_plain_words(app, client):
    with app.app_context():
        booking = _book(make_session())
        secret = current_app.config["SECRET_KEY"]
        good = make_timed_link_token(secret, STOP_REMINDERS, booking.public_id, 1)

        # Links are dated by the app's clock: one made 91 days ago has expired.
        now = clock.now()
        clock.freeze(now - timedelta(days=91))
        expired = make_timed_link_token(secret, STOP_REMINDERS, booking.public_id, 1)
        clock.freeze(now)
        booking_id = booking.id
    tampered = client.get(f"/book/reminders/stop/{good[:-3]}abc")
    assert tampered.status_code == 404
    assert "This link does not work" in tampered.get_data(as_text=True)
    old = client.get(f"/book/reminders/stop/{expired}")
    assert old.status_code == 410
    assert "This link has expired" in old.get_data(as_text=True)
    token = csrf_from(client.get(f"/book/reminders/stop/{good}").get_data(as_text=True))
    assert (
        client.post(f"/book/reminders/stop/{expired}", data={"csrf_token": token}).status_code
        == 410
    )
    with app.app_context():
        assert db.session.get(Booking, booking_id).reminders is True


# --- waiting lists, no-shows, sessions ahead ------------------------------------------------


def _waiting_setup():
    session_id = make_session(capacity=1)
    first = _book(session_id, "Amara")
    waiting = _book(session_id, "Bea", join_waiting_list=True)
    assert waiting.status == BookingStatus.WAITING
    # A series edit raises the capacity without moving the list (sync_sessions does that).
    db.session.execute(update(Session).where(Session.id == session_id).values(capacity=2))
    db.session.commit()
    return session_id, first, waiting


def test_the_sweep_gives_a_freed_place_to_the_family_waiting_once(app_context):
    _session_id, _first, waiting = _waiting_setup()
    assert sweep_waiting_lists(NOW) == {"promoted": 1}
    assert sweep_waiting_lists(NOW) == {"promoted": 0}
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.CONFIRMED
    assert (
        db.session.scalar(
            select(func.count()).where(
                OutboxMessage.booking_id == waiting.id, OutboxMessage.template == "promoted"
            )
        )
        == 1
    )


def test_the_sweep_stops_at_the_cut_off(app_context):
    session_id, _first, waiting = _waiting_setup()
    starts = db.session.get(Session, session_id).starts_at
    assert sweep_waiting_lists(starts - timedelta(minutes=119)) == {"promoted": 0}
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.WAITING


def test_no_shows_are_marked_once_after_the_session_ends(app_context):
    session_id = make_session()
    missed = _book(session_id, "Amara")
    came = _book(session_id, "Bea")
    cancelled = _book(session_id, "Cara")
    came.checked_in_at = NOW
    cancelled.status = BookingStatus.CANCELLED
    db.session.commit()
    ends = db.session.get(Session, session_id).ends_at
    assert mark_no_shows(ends - timedelta(minutes=1)) == {"marked": 0}
    assert mark_no_shows(ends) == {"marked": 1}
    assert mark_no_shows(ends + timedelta(minutes=15)) == {"marked": 0}
    visit = db.session.scalar(select(Visit))
    assert (visit.booking_id, visit.status) == (missed.id, VisitStatus.NO_SHOW)


def test_sessions_are_created_ahead_as_the_weeks_go_by(app_context):
    session_id = make_session()
    series_id = db.session.get(Session, session_id).series_id
    count = select(func.count()).where(Session.series_id == series_id)
    before = db.session.scalar(count)
    assert create_sessions_ahead(NOW)["created"] == 0
    assert create_sessions_ahead(NOW + timedelta(days=7))["created"] == 1
    assert create_sessions_ahead(NOW + timedelta(days=7))["created"] == 0
    assert db.session.scalar(count) == before + 1


# --- daily summary, retention ----------------------------------------------------------------


def test_each_hubs_managers_get_one_daily_summary(app, demo):
    with app.app_context():
        now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
        first = queue_daily_summaries(now)
        db.session.commit()
        assert queue_daily_summaries(now + timedelta(minutes=30)) == {"queued": 0}
        db.session.commit()
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
        assert "manager@riverside.example" in recipients
        assert first["queued"] == len(recipients) >= 1
        dispatch_outbox(now, channels={"email": DevChannel()}, links=_links())
        subject = db.session.scalar(
            select(RecordedMessage.subject).where(
                RecordedMessage.recipient == "manager@riverside.example"
            )
        )
        assert subject == "Riverside Family Hub: summary for Monday 23 November 2026"


def test_the_retention_purge_erases_old_personal_data_and_keeps_the_counts(app_context):
    session_id = make_session()
    old_booking = _book(session_id, "Amara")
    new_booking = _book(make_session(hub_settings={"retention_months": 120}), "Bea")
    hub_id = db.session.get(Session, session_id).hub_id
    arrived = NOW - timedelta(days=10)
    db.session.add_all(
        [
            Visit(
                hub_id=hub_id,
                kind="walk_in",
                first_name="Old",
                last_name="Visit",
                arrived_at=arrived,
            ),
            Visit(hub_id=hub_id, kind="walk_in", first_name="New", arrived_at=NOW),
            HelpRequest(hub_id=hub_id, topic="money", first_name="Old", created_at=arrived),
        ]
    )
    db.session.commit()
    # 13 months after the session (and the visit), everything about them goes.
    later = months_before(NOW, -13) + timedelta(days=10)
    db.session.add_all(
        [  # board events: kept two days, for boards catching up
            ArrivalEvent(hub_id=hub_id, kind="visit.arrived", at=later - timedelta(days=3)),
            ArrivalEvent(hub_id=hub_id, kind="visit.arrived", at=later - timedelta(hours=1)),
        ]
    )
    db.session.commit()
    totals = purge_expired(later)
    assert db.session.scalars(select(ArrivalEvent.at)).all() == [later - timedelta(hours=1)]
    assert totals["visits"] == 2 and totals["bookings"] == 1 and totals["help_requests"] == 1
    assert purge_expired(later) == {
        "visits": 0,
        "bookings": 0,
        "help_requests": 0,
        "connections": 0,
        "messages": 0,
    }
    db.session.refresh(old_booking)
    db.session.refresh(new_booking)
    assert (old_booking.first_name, old_booking.email, old_booking.contact_key) == ("", "", None)
    assert new_booking.email == "bea@example.com"  # that hub keeps data for 10 years
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 2
    assert set(db.session.scalars(select(Visit.first_name))) == {""}
    assert db.session.scalar(select(HelpRequest.first_name)) == ""
    booked_messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.booking_id == old_booking.id)
    ).all()
    # Pending messages are left to be sent; the purge touches only finished ones.
    assert all(m.recipient for m in booked_messages if m.status == "pending")


@pytest.mark.parametrize(
    ("purge_at", "thirteen_months_old", "a_day_younger"),
    [
        # Purged at 03:30 GMT on 24 November 2026; 24 October 2025 was summer time,
        # so its last half hour (23:30 BST) is 22:30 UTC and the next day starts at 23:00 UTC.
        (
            datetime(2026, 11, 24, 3, 30, tzinfo=UTC),
            datetime(2025, 10, 24, 22, 30, tzinfo=UTC),
            datetime(2025, 10, 24, 23, 30, tzinfo=UTC),
        ),
        # Purged at 03:30 BST on 30 March 2027, two days after the clocks went forward;
        # 13 months before 30 March is 28 February (no 30th), in winter time.
        (
            datetime(2027, 3, 30, 2, 30, tzinfo=UTC),
            datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
            datetime(2026, 3, 1, 0, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_visit_13_months_old_by_the_hubs_calendar_is_erased_and_a_day_younger_kept(
    app_context, purge_at, thirteen_months_old, a_day_younger
):
    hub_id = db.session.get(Session, make_session()).hub_id  # the hub's default retention
    for name, arrived in (("Old", thirteen_months_old), ("Young", a_day_younger)):
        db.session.add(Visit(hub_id=hub_id, kind="walk_in", first_name=name, arrived_at=arrived))
    db.session.commit()

    purge_expired(purge_at)

    assert set(db.session.scalars(select(Visit.first_name))) == {"", "Young"}


def test_months_before_keeps_to_the_end_of_short_months():
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 11, 24, tzinfo=UTC), 13) == datetime(
        2025, 10, 24, tzinfo=UTC
    )


def test_managers_and_admin_see_every_job(app, signed_in):
    client = signed_in("manager@riverside.example")
    page = client.get("/admin/jobs").get_data(as_text=True)
    for job in (
        "outbox.dispatch",
        "bookings.reminders",
        "bookings.waiting_lists",
        "bookings.no_shows",
        "sessions.ahead",
        "summary.daily",
        "retention.purge",
    ):
        assert job in page
    assert "Never" in page
