"""The arrivals board's rules, called without HTTP: who greets whom, actions and
their refusals, undo, escalation, check-out, the roll call, and the event bus."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from arrivals.actions import act, check_in_by_hand, leave, undo, visits_to_leave
from arrivals.board import board, roll_call
from arrivals.checkin import CheckIn, check_in_booking, check_in_drop_in
from arrivals.greeters import DutyRota, set_duty, staff_at
from arrivals.help_requests import request_help
from arrivals.jobs import check_out_finished, escalate_overdue
from frontdoor.errors import ServiceError
from frontdoor.events import PostgresBus, bus, missed_events
from frontdoor.extensions import db
from frontdoor.models import (
    ArrivalEvent,
    Duty,
    Hub,
    OutboxMessage,
    Session,
    SessionSeries,
    StaffLogin,
    StaffUser,
    Visit,
    VisitStatus,
)
from frontdoor.staff import create_staff
from tests.test_concurrency import in_parallel, roomy_app  # noqa: F401  (a fixture)
from tests.test_kiosk import NOW, TODAY, another_drop_in, booked, place  # noqa: F401  (a fixture)


def _staff(email: str) -> StaffUser:
    return db.session.scalar(select(StaffUser).filter_by(email=email))


@pytest.fixture
def ctx(app, place):  # noqa: F811
    with app.app_context():
        yield place
        db.session.rollback()
        db.session.remove()


def _arrive(place, first="Amira", session=None, now=NOW):  # noqa: F811
    made = check_in_drop_in(
        session or place.play,
        hub_id=place.hub_id,
        first_name=first,
        adults=1,
        child_bands=("1-3",),
        now=now,
    )
    db.session.commit()
    return made.visit


def test_a_check_in_is_on_the_board_with_who_should_greet(app, ctx):
    booking_id, _ = booked(app, ctx.massage)
    with app.app_context():
        check_in_booking(booking_id, hub_id=ctx.hub_id, adults=2, child_bands=("1-3",), now=NOW)
        db.session.commit()
        now = NOW + timedelta(minutes=3)
        shown = board(ctx.hub_id, now=now)
        [row] = shown.waiting
        assert row.name == "Amira H."
        assert row.what == "Baby Massage" and row.room == "Sensory room"
        assert [g.short_name for g in row.greeters] == ["Grace O."]
        assert row.waited_seconds == 180 and row.level == 0
        assert (shown.families, shown.adults, shown.children) == (1, 2, 1)
        assert shown.last_event_id > 0


def _statements(call) -> list[str]:
    said: list[str] = []

    def heard(*args) -> None:
        said.append(args[2])

    event.listen(db.engine, "before_cursor_execute", heard)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", heard)
    return said


def test_checking_in_reads_the_duty_rota_only_when_the_greeter_rule_needs_it(app, ctx):
    """A hot path: a booked family's lead greets them, so their check-in never
    reads the rota; a drop-in reads it once."""
    booking_id, _ = booked(app, ctx.massage)
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [_staff("sam@test.example").id])
    db.session.commit()
    db.session.get(Hub, ctx.hub_id)  # the kiosk has its hub in hand
    booked_in = _statements(
        lambda: check_in_booking(booking_id, hub_id=ctx.hub_id, adults=1, child_bands=(), now=NOW)
    )
    assert not [s for s in booked_in if "duty_assignment" in s]
    assert len(booked_in) <= 7, booked_in
    dropped_in = _statements(
        lambda: check_in_drop_in(
            ctx.play, hub_id=ctx.hub_id, first_name="Kai", adults=1, child_bands=(), now=NOW
        )
    )
    assert len([s for s in dropped_in if "duty_assignment" in s]) == 1
    assert len(dropped_in) <= 9, dropped_in


def test_the_duty_rota_is_remembered_until_it_changes_and_then_greets_as_changed(app, ctx):
    """A drop-in at a session with no lead (Dads Group), Sam on duty: he is promised.
    The next check-in reads no rota (each worker remembers it); once a manager puts
    Grace on duty instead, or her name changes, the next family is promised the
    rota as it now is, at once; and tomorrow's rota is tomorrow's, not today's."""
    if isinstance(bus(), PostgresBus):
        assert bus().wait_until_listening()  # a deaf worker remembers nothing
    another_drop_in(app, ctx.hub_id)
    dads = db.session.scalar(select(Session.id).join(SessionSeries).filter_by(title="Dads Group"))
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [_staff("sam@test.example").id])
    db.session.commit()

    def drop_in(first: str) -> tuple[str | None, int]:
        made: list[CheckIn] = []
        said = _statements(
            lambda: made.append(
                check_in_drop_in(
                    dads, hub_id=ctx.hub_id, first_name=first, adults=1, child_bands=(), now=NOW
                )
            )
        )
        db.session.commit()
        return made[0].greeter, len([s for s in said if "duty_assignment" in s])

    assert drop_in("Kai") == ("Sam", 1)
    assert drop_in("Lee") == ("Sam", 0)
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [_staff("grace@test.example").id])
    db.session.commit()
    assert drop_in("Mo") == ("Grace", 1)
    _staff("grace@test.example").name = "Gracie Okafor"
    db.session.commit()
    assert drop_in("Nia") == ("Gracie", 1)
    assert drop_in("Oz") == ("Gracie", 0)
    hub = db.session.get_one(Hub, ctx.hub_id)
    assert DutyRota(hub, NOW + timedelta(days=1)).practitioners == []


def test_walk_ins_and_help_requests_go_to_the_duty_practitioner_who_speaks_their_language(app, ctx):
    sam, grace = _staff("sam@test.example"), _staff("grace@test.example")
    sam.languages, grace.languages = ["pl"], ["en"]
    grace.skills = ["money"]
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [sam.id, grace.id])
    check_in_by_hand(
        ctx.hub_id,
        staff_id=sam.id,
        first_name="Ola",
        adults=1,
        child_bands=(),
        now=NOW,
        language="pl",
    )
    request_help(ctx.hub_id, topic="money", now=NOW, first_name="Bea", language="en")
    db.session.commit()
    _arrive(ctx, first="Dee")  # Stay and Play, which Sam leads, in English
    shown = board(ctx.hub_id, now=NOW)
    walk_in, drop_in = shown.waiting
    [help_row] = shown.help
    assert walk_in.what == "Walk-in" and [g.id for g in walk_in.greeters] == [sam.id]
    assert [g.id for g in drop_in.greeters] == [grace.id]
    assert [g.id for g in help_row.greeters] == [grace.id]
    # Nobody on duty: anyone may greet a walk-in; a drop-in session's lead greets.
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [])
    walk_in, drop_in = board(ctx.hub_id, now=NOW).waiting
    assert walk_in.greeters == [] and [g.id for g in drop_in.greeters] == [sam.id]
    with pytest.raises(ServiceError) as refused:
        set_duty(ctx.hub_id, TODAY, Duty.MANAGER, [sam.id])
    assert refused.value.code == "not_staff_here"


def test_claim_greet_with_staff_done(app, ctx):
    sam = _staff("sam@test.example")
    visit = _arrive(ctx)
    done = act("visit", visit.id, "claim", staff_id=sam.id, now=NOW)
    again = act("visit", visit.id, "claim", staff_id=sam.id, now=NOW)  # a double submit
    assert done.action_id and again.action_id is None
    greeted = act("visit", visit.id, "greeted", staff_id=sam.id, now=NOW, version=done.version)
    act("visit", visit.id, "with_staff", staff_id=sam.id, now=NOW, version=greeted.version)
    shown = board(ctx.hub_id, now=NOW)
    assert shown.waiting == [] and shown.with_staff[0].claimed_by.id == sam.id
    last = shown.with_staff[0].version
    act("visit", visit.id, "done", staff_id=sam.id, now=NOW, version=last)
    db.session.commit()
    checked_out = db.session.get(Visit, visit.id)
    assert checked_out.status == VisitStatus.LEFT and checked_out.left_by == "staff"
    assert board(ctx.hub_id, now=NOW).families == 0
    # Acting on a visit someone already closed.
    with pytest.raises(ServiceError) as refused:
        act("visit", visit.id, "greeted", staff_id=sam.id, now=NOW)
    assert refused.value.code == "closed"


def test_a_second_claim_is_told_who_and_a_stale_board_is_refused(app, ctx):
    sam, grace = _staff("sam@test.example"), _staff("grace@test.example")
    visit = _arrive(ctx)
    shown_version = visit.version
    act("visit", visit.id, "claim", staff_id=sam.id, now=NOW)
    with pytest.raises(ServiceError) as refused:
        act("visit", visit.id, "claim", staff_id=grace.id, now=NOW)
    assert refused.value.code == "already_claimed"
    assert refused.value.details["by"] == "Sam K."
    with pytest.raises(ServiceError) as refused:
        act("visit", visit.id, "no_show", staff_id=grace.id, now=NOW, version=shown_version)
    assert refused.value.code == "stale"


def test_hand_over_to_a_colleague_and_not_to_a_stranger(app, ctx):
    sam, grace = _staff("sam@test.example"), _staff("grace@test.example")
    visit = _arrive(ctx)
    act("visit", visit.id, "claim", staff_id=sam.id, now=NOW)
    act("visit", visit.id, "hand_over", staff_id=sam.id, now=NOW, to_staff_id=grace.id)
    assert board(ctx.hub_id, now=NOW).waiting[0].claimed_by.id == grace.id
    stranger = create_staff(
        organisation_id=sam.organisation_id,
        email="x@test.example",
        name="X Y",
        password="a-long-password",
        roles=[(ctx.other_hub_id, "practitioner")],
    )
    with pytest.raises(ServiceError) as refused:
        act("visit", visit.id, "hand_over", staff_id=sam.id, now=NOW, to_staff_id=stranger.id)
    assert refused.value.code == "not_staff_here"


def test_undo_within_ten_seconds_only(app, ctx):
    sam, grace = _staff("sam@test.example"), _staff("grace@test.example")
    visit = _arrive(ctx)
    claimed = act("visit", visit.id, "claim", staff_id=sam.id, now=NOW)
    with pytest.raises(ServiceError) as refused:
        undo(claimed.action_id, staff_id=grace.id, now=NOW)
    assert refused.value.code == "not_yours"
    undo(claimed.action_id, staff_id=sam.id, now=NOW + timedelta(seconds=9))
    db.session.commit()
    assert db.session.get(Visit, visit.id).claimed_by_id is None
    with pytest.raises(ServiceError) as refused:
        undo(claimed.action_id, staff_id=sam.id, now=NOW + timedelta(seconds=9))
    assert refused.value.code == "already_undone"
    gone = act("visit", visit.id, "no_show", staff_id=sam.id, now=NOW)
    with pytest.raises(ServiceError) as refused:
        undo(gone.action_id, staff_id=sam.id, now=NOW + timedelta(seconds=11))
    assert refused.value.code == "too_late"
    # A hand check-in undone takes the visit away again.
    made = check_in_by_hand(
        ctx.hub_id, staff_id=sam.id, first_name="Kim", adults=1, child_bands=(), now=NOW
    )
    undo(made.action_id, staff_id=sam.id, now=NOW)
    db.session.commit()
    assert (
        db.session.scalar(select(func.count()).select_from(Visit).filter_by(first_name="Kim")) == 0
    )


def test_a_hand_check_in_submitted_twice_makes_one_visit(app, ctx):
    sam = _staff("sam@test.example")
    first = check_in_by_hand(
        ctx.hub_id,
        staff_id=sam.id,
        first_name="Kim",
        adults=1,
        child_bands=("1-3", "3-5"),
        now=NOW,
        nonce="n" * 20,
    )
    second = check_in_by_hand(
        ctx.hub_id,
        staff_id=sam.id,
        first_name="Kim",
        adults=1,
        child_bands=("1-3", "3-5"),
        now=NOW,
        nonce="n" * 20,
    )
    assert first.visit.id == second.visit.id and not second.created
    assert second.action_id == first.action_id  # Undo still undoes the one check-in
    with pytest.raises(ServiceError) as refused:
        check_in_by_hand(
            ctx.hub_id, staff_id=sam.id, first_name=" ", adults=1, child_bands=(), now=NOW
        )
    assert refused.value.field == "first_name"


def test_escalation_amber_then_red_once_and_the_duty_manager_is_told(app, ctx):
    manager = _staff("manager@test.example")
    set_duty(ctx.hub_id, TODAY, Duty.MANAGER, [manager.id])
    visit = _arrive(ctx)
    db.session.commit()
    assert escalate_overdue(NOW + timedelta(minutes=4)) == []
    [amber] = escalate_overdue(NOW + timedelta(minutes=5))
    assert amber.level == 1
    assert escalate_overdue(NOW + timedelta(minutes=6)) == []  # idempotent
    assert board(ctx.hub_id, now=NOW + timedelta(minutes=6)).waiting[0].level == 1
    [red] = escalate_overdue(NOW + timedelta(minutes=10))
    assert (red.id, red.level) == (visit.id, 2)
    db.session.commit()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "manager@test.example" and "Amira" not in str(message.payload)
    assert escalate_overdue(NOW + timedelta(minutes=20)) == []
    kinds = db.session.scalars(select(ArrivalEvent.kind).order_by(ArrivalEvent.id)).all()
    assert kinds.count("escalated") == 2


def test_with_nobody_on_the_manager_rota_the_hubs_managers_are_told(app, ctx):
    """An escalation never goes to no one: the same rule as an unanswered
    connection's (``greeters.duty_managers``)."""
    from frontdoor.models import Role

    _arrive(ctx)
    db.session.commit()
    escalate_overdue(NOW + timedelta(minutes=11))
    db.session.commit()
    told = {m.recipient for m in db.session.scalars(select(OutboxMessage))}
    managers = {person.email for person in staff_at(ctx.hub_id, (Role.MANAGER,))}
    assert managers and told == managers


def test_escalation_runs_as_a_scheduled_job_with_no_board_open(app, ctx):
    from frontdoor.models import JobRun
    from frontdoor.outbox import Links, render_message
    from frontdoor.scheduler import run_job

    manager = _staff("manager@test.example")
    set_duty(ctx.hub_id, TODAY, Duty.MANAGER, [manager.id])
    visit = _arrive(ctx)
    db.session.commit()
    run_job("arrivals.escalate", now=NOW + timedelta(minutes=11))
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).escalation == 2
    assert db.session.scalar(select(JobRun.result).filter_by(job="arrivals.escalate")) == ("1 done")
    [message] = db.session.scalars(select(OutboxMessage)).all()
    words = render_message(message, Links("https://hub.example", "secret"))
    assert "has waited 11 minutes" in words.body and "Amira" not in words.body + words.subject
    assert "https://hub.example/admin/arrivals" in words.body


def test_the_duty_managers_email_names_who_should_have_greeted_never_the_family(app, ctx):
    """Grace is on today's duty rota and Sam leads Stay and Play: the greeter
    rule asks Grace, so the email does too, as the board and the kiosk do."""
    from frontdoor.outbox import Links, render_message

    manager, grace = _staff("manager@test.example"), _staff("grace@test.example")
    set_duty(ctx.hub_id, TODAY, Duty.MANAGER, [manager.id])
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [grace.id])
    _arrive(ctx, first="Amira")
    claimed = _arrive(ctx, first="Bea")
    act("visit", claimed.id, "claim", staff_id=_staff("sam@test.example").id, now=NOW)
    db.session.commit()
    escalate_overdue(NOW + timedelta(minutes=11))
    db.session.commit()
    links = Links("https://hub.example", "secret")
    first, second = (
        render_message(m, links)
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    )
    assert "To greet them: Grace O." in first.body
    assert "Sam K. said they would greet them." in second.body
    for words in (first, second):
        assert "Amira" not in words.body + words.subject and "Bea" not in words.body


def test_urgent_help_escalates_after_two_minutes_and_greeted_people_never_do(app, ctx):
    sam = _staff("sam@test.example")
    urgent = request_help(ctx.hub_id, topic="in_person", now=NOW, urgent=True)
    visit = _arrive(ctx)
    act("visit", visit.id, "greeted", staff_id=sam.id, now=NOW)
    db.session.commit()
    [red] = escalate_overdue(NOW + timedelta(minutes=2))
    assert (red.subject, red.id, red.level) == ("help", urgent.id, 2)
    assert escalate_overdue(NOW + timedelta(hours=1)) == []


def test_check_out_after_the_session_plus_grace_and_at_the_end_of_the_day(app, ctx):
    in_play = _arrive(ctx)  # Stay and Play ends 11:30 local (11:30 UTC in November)
    walk_in = check_in_by_hand(
        ctx.hub_id,
        staff_id=_staff("sam@test.example").id,
        first_name="Kim",
        adults=1,
        child_bands=(),
        now=NOW,
    ).visit
    db.session.commit()
    assert check_out_finished(NOW + timedelta(hours=2, minutes=29)) == 0
    assert check_out_finished(NOW + timedelta(hours=2, minutes=31)) == 1
    assert check_out_finished(NOW + timedelta(hours=2, minutes=32)) == 0
    db.session.commit()
    assert db.session.get(Visit, in_play.id).left_by == "auto"
    assert db.session.get(Visit, walk_in.id).status == VisitStatus.WAITING
    assert check_out_finished(NOW.replace(hour=20, minute=1)) == 1  # the end of the day
    db.session.commit()
    assert roll_call(ctx.hub_id, now=NOW).visits == []


def test_leaving_from_the_kiosk(app, ctx):
    visit = _arrive(ctx, first="Zara")
    assert [v.id for v in visits_to_leave(ctx.hub_id, " zara ", now=NOW)] == [visit.id]
    leave(visit.id, hub_id=ctx.hub_id, now=NOW)
    leave(visit.id, hub_id=ctx.hub_id, now=NOW)  # twice is once
    db.session.commit()
    assert db.session.get(Visit, visit.id).left_by == "kiosk"
    assert visits_to_leave(ctx.hub_id, "Zara", now=NOW) == []
    with pytest.raises(ServiceError):
        leave(visit.id, hub_id=ctx.other_hub_id, now=NOW)


def test_roll_call_counts_everyone_in_and_not_out(app, ctx):
    _arrive(ctx, first="Amira")
    gone = _arrive(ctx, first="Bea")
    request_help(ctx.hub_id, topic="money", now=NOW, first_name="Cleo")
    act("visit", gone.id, "done", staff_id=_staff("sam@test.example").id, now=NOW)
    db.session.commit()
    called = roll_call(ctx.hub_id, now=NOW)
    assert [v.first_name for v, _, _ in called.visits] == ["Amira"]
    assert called.visits[0][1] == "Main hall"
    assert [h.first_name for h in called.help] == ["Cleo"]
    assert (called.adults, called.children) == (1, 1)


def test_roll_call_names_staff_on_todays_duty_rota_and_those_signed_in(app, ctx):
    """A fire warden looks for everyone on today's rota, signed in or not, and
    for everyone signed in to Front Door today, and can tell which is which."""
    grace, sam = _staff("grace@test.example"), _staff("sam@test.example")
    manager = _staff("manager@test.example")
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [grace.id])
    set_duty(ctx.hub_id, TODAY, Duty.MANAGER, [manager.id])
    set_duty(ctx.hub_id, TODAY - timedelta(days=1), Duty.PRACTITIONER, [sam.id])
    for person, seen in ((manager, NOW), (sam, NOW - timedelta(minutes=5))):
        db.session.add(
            StaffLogin(
                user_id=person.id, token_hash=f"t{person.id}", created_at=seen, last_seen_at=seen
            )
        )
    db.session.commit()
    called = roll_call(ctx.hub_id, now=NOW)
    assert [(s.person.name, s.duties, s.signed_in) for s in called.staff] == [
        ("Grace Okafor", ("practitioner",), False),
        ("Priya Shah", ("manager",), True),
        ("Sam Kowalski", (), True),
    ]
    assert (called.on_duty, called.signed_in) == (2, 2)


def test_events_reach_subscribers_on_commit_only_and_are_kept_for_catching_up(app, ctx):
    events_bus = bus()
    if hasattr(events_bus, "wait_until_listening"):
        assert events_bus.wait_until_listening()
    subscription = events_bus.subscribe(ctx.hub_id)
    try:
        check_in_drop_in(
            ctx.play, hub_id=ctx.hub_id, first_name="Rolled", adults=1, child_bands=(), now=NOW
        )
        db.session.rollback()
        visit = _arrive(ctx)
        event = subscription.get(timeout=5)
        assert event is not None and event.kind == "visit.arrived"
        assert event.data == {"subject": "visit", "id": visit.id}
        assert subscription.get(timeout=0.5) is None  # the rolled-back one never came
        act("visit", visit.id, "claim", staff_id=_staff("sam@test.example").id, now=NOW)
        db.session.commit()
        claimed = subscription.get(timeout=5)
        assert claimed.kind == "visit.claim"
        assert [e.id for e in missed_events(ctx.hub_id, event.id)] == [claimed.id]
        assert "Amira" not in claimed.payload()
    finally:
        events_bus.unsubscribe(subscription)


def test_two_staff_claiming_at_once_one_wins_the_other_is_told_who(
    app,
    roomy_app,  # noqa: F811
    place,  # noqa: F811
):
    with roomy_app.app_context():
        visit_id = _arrive(place).id
        ids = [_staff("sam@test.example").id, _staff("grace@test.example").id]
        extra = [
            create_staff(
                organisation_id=_staff("sam@test.example").organisation_id,
                email=f"p{n}@test.example",
                name=f"Person {n}",
                password="a-long-password",
                roles=[(place.hub_id, "practitioner")],
            ).id
            for n in range(6)
        ]
        db.session.commit()
        db.session.remove()
    people = ids + extra
    start = threading.Event()

    def attempt(n: int) -> str:
        with roomy_app.app_context():
            try:
                start.wait(60)
                act("visit", visit_id, "claim", staff_id=people[n], now=NOW)
                db.session.commit()
                return "won"
            except ServiceError as error:
                db.session.rollback()
                return f"{error.code}:{error.details.get('by')}"
            finally:
                db.session.remove()

    results = in_parallel(len(people), attempt, start)
    assert results.count("won") == 1, results
    with roomy_app.app_context():
        winner = db.session.get(StaffUser, db.session.get(Visit, visit_id).claimed_by_id)
        db.session.remove()
    assert sorted(r for r in results if r != "won") == [f"already_claimed:{winner.short_name}"] * 7


def test_the_sweep_command_runs_both_jobs_once(app, place):  # noqa: F811
    from frontdoor import clock

    with app.app_context():
        _arrive(place)
    clock.freeze(NOW + timedelta(hours=12))  # past the end of the day
    result = app.test_cli_runner().invoke(args=["arrivals", "sweep"])
    assert result.exit_code == 0, result.output
    assert "checked out 1" in result.output
    again = app.test_cli_runner().invoke(args=["arrivals", "sweep"])
    assert "Escalated 0; checked out 0." in again.output


def test_an_expected_appointment_is_checked_in_at_the_desk_and_its_practitioner_greets(app):
    from arrivals.actions import check_in_expected
    from arrivals.board import expected
    from booking.appointments import book_appointment
    from booking.contact import Contact, Party
    from tests.appointment_fixtures import NOW as MORNING
    from tests.appointment_fixtures import make_practice

    with app.app_context():
        practice = make_practice()
        starts = MORNING.replace(hour=11, minute=0)
        made = book_appointment(
            practice.type_id,
            practice.staff[0],
            starts,
            Party(1),
            Contact("Nadia", last_name="Bello", email="nadia@example.com"),
            now=MORNING - timedelta(days=1),
        )
        db.session.commit()
        now = starts - timedelta(minutes=20)
        [due] = expected(practice.hub_id, now=now)
        assert due.booking_id == made.booking.id and due.name == "Nadia B."
        check_in_expected(
            due.booking_id, hub_id=practice.hub_id, staff_id=practice.staff[0], now=now
        )
        db.session.commit()
        shown = board(practice.hub_id, now=now)
        assert shown.expected == []
        [row] = shown.waiting
        assert [g.id for g in row.greeters] == [practice.staff[0]]
        with pytest.raises(ServiceError) as refused:
            check_in_expected(
                due.booking_id, hub_id=practice.hub_id, staff_id=practice.staff[0], now=now
            )
        assert refused.value.code == "already_checked_in"
        db.session.rollback()
        db.session.remove()


def test_the_event_bus_is_chosen_by_configuration(tmp_path):
    from frontdoor.config import ConfigError, load_config

    base = {"secret_key": "x", "instance_path": tmp_path}
    sqlite = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    postgres = "postgresql+psycopg://postgres@127.0.0.1/x"
    assert load_config({**base, "database_url": sqlite}).event_bus == "local"
    assert load_config({**base, "database_url": postgres}).event_bus == "postgres"
    assert (
        load_config({**base, "database_url": postgres, "event_bus": "local"}).event_bus == "local"
    )
    with pytest.raises(ConfigError):
        load_config({**base, "database_url": sqlite, "event_bus": "postgres"})
    with pytest.raises(ConfigError):
        load_config({**base, "database_url": sqlite, "event_bus": "redis"})
