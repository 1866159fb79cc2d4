"""The arrivals board read from across the room: the order cards are shown in
(urgent help, help, waiting, with staff), a series whose lead welcomes the room
(its drop-in families on one card, escalating never one by one, first-timers and
help requests still by name), languages named for staff, the wall display page
and where a paired board display lands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from arrivals.actions import check_in_by_hand
from arrivals.board import board
from arrivals.cards import Place, Row, board_order, place_of
from arrivals.checkin import check_in_drop_in
from arrivals.greeters import DutyRota, greeters_for, set_duty
from arrivals.help_requests import request_help
from arrivals.jobs import escalate_overdue
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Duty, Hub, OutboxMessage, Session, SessionSeries
from frontdoor.templating import LANGUAGES, language_for_staff
from frontdoor.timetable import SeriesInput, save_series
from tests.conftest import sign_in
from tests.route_samples import pair_board_display
from tests.test_arrivals import _staff, ctx  # noqa: F401  (a fixture)
from tests.test_kiosk import NOW, TODAY, place  # noqa: F401  (a fixture)


def _lead_welcomes_the_room(session_id: int, capacity: int = 40) -> SessionSeries:
    """Stay and Play (Sam leads) says the lead welcomes the room, with room for many."""
    session = db.session.get(Session, session_id)
    session.series.lead_welcomes_room = True
    session.capacity = capacity
    db.session.commit()
    return session.series


def _drop_in(place, first, *, first_time=None, minutes=0, language="en"):  # noqa: F811
    made = check_in_drop_in(
        place.play,
        hub_id=place.hub_id,
        first_name=first,
        adults=1,
        child_bands=("1-3",),
        first_time=first_time,
        language=language,
        now=NOW + timedelta(minutes=minutes),
    )
    db.session.commit()
    return made.visit


def _walk_in(place, first, minutes=0):  # noqa: F811
    made = check_in_by_hand(
        place.hub_id,
        staff_id=_staff("sam@test.example").id,
        first_name=first,
        adults=1,
        child_bands=(),
        now=NOW + timedelta(minutes=minutes),
    )
    db.session.commit()
    return made.visit


# --- the order reception reads cards in ----------------------------------------------


def _row(subject, status="waiting", *, urgent=False, minutes=0) -> Row:
    return Row(
        subject=subject,
        id=minutes,
        version=1,
        status=status,
        name=f"{subject} {minutes}",
        what="",
        since=NOW + timedelta(minutes=minutes),
        waited_seconds=0,
        level=0,
        greeters=[],
        claimed_by=None,
        urgent=urgent,
    )


def test_urgent_help_comes_first_then_help_then_waiting_then_with_staff():
    with_staff = _row("visit", "with_staff", minutes=0)
    waiting = _row("visit", minutes=1)
    room = _row("room", minutes=2)
    helped = _row("help", minutes=3)
    urgent = _row("help", urgent=True, minutes=9)
    greeted_help = _row("help", "greeted", urgent=True, minutes=-5)
    shown = board_order([with_staff, waiting, room, helped, urgent, greeted_help])
    assert shown == [urgent, helped, waiting, room, greeted_help, with_staff]
    assert [place_of(r) for r in shown] == [
        Place.URGENT_HELP,
        Place.HELP,
        Place.WAITING,
        Place.WAITING,
        Place.WITH_STAFF,
        Place.WITH_STAFF,
    ]


def test_the_board_puts_an_urgent_help_request_before_families_who_came_earlier(app, ctx):  # noqa: F811
    for n in range(3):
        _walk_in(ctx, f"Early{n}", minutes=n)
    request_help(ctx.hub_id, topic="money", now=NOW + timedelta(minutes=5), first_name="Bea")
    request_help(
        ctx.hub_id, topic="in_person", now=NOW + timedelta(minutes=8), first_name="Cat", urgent=True
    )
    db.session.commit()
    shown = board(ctx.hub_id, now=NOW + timedelta(minutes=9))
    names = [row.name for row in shown.cards]
    assert names[:2] == ["Cat", "Bea"]
    assert [r.name for r in shown.help] == ["Cat", "Bea"]
    assert names[2:] == [r.name for r in shown.waiting] and len(shown.waiting) == 3


# --- the lead welcomes the room --------------------------------------------------------


def test_the_lead_welcomes_the_rooms_families_on_one_card(app, ctx):  # noqa: F811
    _lead_welcomes_the_room(ctx.play)
    for n in range(4):
        _drop_in(ctx, f"Regular{n}", first_time=False, minutes=n)
    _drop_in(ctx, "Nell", first_time=True, minutes=5)
    _drop_in(ctx, "Ola", first_time=True, minutes=6)
    request_help(ctx.hub_id, topic="money", now=NOW, first_name="Bea")
    db.session.commit()
    shown = board(ctx.hub_id, now=NOW + timedelta(minutes=7))
    [room] = [r for r in shown.waiting if r.subject == "room"]
    assert (room.name, room.families, room.first_timers) == ("Stay and Play", 6, 2)
    assert [g.short_name for g in room.greeters] == ["Sam K."]
    # First-timers and the help request still have cards of their own; regulars do not.
    assert sorted(r.name for r in shown.waiting if r.subject == "visit") == ["Nell", "Ola"]
    assert [r.name for r in shown.help] == ["Bea"]
    assert shown.families == 6  # the building still counts every family


def test_the_room_card_reads_the_same_on_the_wall_and_the_desks_board(app, ctx, client):  # noqa: F811
    _lead_welcomes_the_room(ctx.play)
    for n in range(3):
        _drop_in(ctx, f"Regular{n}", first_time=False)
    _drop_in(ctx, "Nell", first_time=True)
    request_help(ctx.hub_id, topic="money", now=NOW + timedelta(minutes=9), first_name="Bea")
    db.session.commit()
    sign_in(client, "manager@test.example", "a-long-password")
    for path in ("/admin/arrivals/wall?hub=testhub", "/admin/arrivals?hub=testhub"):
        page = client.get(path).get_data(as_text=True)
        assert "4 families, 1 here for the first time, Sam K." in page, path
        assert "Regular0" not in page and "Nell" in page, path
        # Reception reads the request to talk to someone before anyone waiting.
        assert page.index("Asked to talk to someone") < page.index("Waiting to be greeted"), path


def test_a_series_without_the_setting_greets_each_family_by_name(app, ctx):  # noqa: F811
    for n in range(2):
        _drop_in(ctx, f"Regular{n}", first_time=False)
    shown = board(ctx.hub_id, now=NOW)
    assert [r.subject for r in shown.waiting] == ["visit", "visit"]


def test_grouped_families_never_escalate_one_by_one_but_first_timers_and_help_do(app, ctx):  # noqa: F811
    set_duty(ctx.hub_id, TODAY, Duty.MANAGER, [_staff("manager@test.example").id])
    _lead_welcomes_the_room(ctx.play)
    for n in range(5):
        _drop_in(ctx, f"Regular{n}", first_time=False)
    _drop_in(ctx, "Uma")  # the kiosk's "first time?" left unanswered
    newcomer = _drop_in(ctx, "Nell", first_time=True)
    asked = request_help(ctx.hub_id, topic="money", now=NOW, first_name="Bea")
    db.session.commit()
    escalated = escalate_overdue(NOW + timedelta(minutes=11))
    db.session.commit()
    assert {(e.subject, e.id, e.level) for e in escalated} == {
        ("visit", newcomer.id, 2),
        ("help", asked.id, 2),
    }
    # The duty manager hears of two people waiting, not of every family in the room.
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2
    assert escalate_overdue(NOW + timedelta(minutes=30)) == []
    shown = board(ctx.hub_id, now=NOW + timedelta(minutes=30))
    assert [r.level for r in shown.waiting if r.subject == "room"] == [0]
    assert [(r.name, r.level) for r in shown.waiting if r.subject == "visit"] == [("Nell", 2)]


def test_the_kiosk_and_the_board_name_the_lead_for_a_regular_and_the_rota_for_a_newcomer(
    app,
    ctx,  # noqa: F811
):
    _lead_welcomes_the_room(ctx.play)
    set_duty(ctx.hub_id, TODAY, Duty.PRACTITIONER, [_staff("grace@test.example").id])
    regular = _drop_in(ctx, "Rita", first_time=False)
    newcomer = _drop_in(ctx, "Nell", first_time=True)
    rota = DutyRota(db.session.get(Hub, ctx.hub_id), NOW)
    assert [s.short_name for s in greeters_for(regular, rota)] == ["Sam K."]
    assert [s.short_name for s in greeters_for(newcomer, rota)] == ["Grace O."]


def test_a_series_with_no_lead_greets_each_family_whatever_it_says(app, ctx):  # noqa: F811
    series = _lead_welcomes_the_room(ctx.play)
    series.leads = []
    db.session.commit()
    visit = _drop_in(ctx, "Rita", first_time=False)
    [escalated] = escalate_overdue(NOW + timedelta(minutes=11))
    assert escalated.id == visit.id


def test_the_setting_is_saved_from_the_series_and_audited(app, ctx):  # noqa: F811
    series = db.session.get(Session, ctx.play).series
    save_series(
        series,
        SeriesInput(
            hub_id=series.hub_id,
            title=series.title,
            weekdays=series.weekdays,
            start_date=series.start_date,
            start_time=series.start_time,
            end_time=(NOW.replace(hour=11, minute=30)).time(),
            capacity=series.capacity,
            lead_ids=[lead.id for lead in series.leads],
            lead_welcomes_room=True,
        ),
        today=TODAY,
        staff_id=_staff("manager@test.example").id,
    )
    db.session.commit()
    assert db.session.get(SessionSeries, series.id).lead_welcomes_room is True
    detail = db.session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "series.update")
    )
    assert detail.endswith("; the lead welcomes the room")


# --- languages, as staff read them ---------------------------------------------------


def test_languages_are_named_in_english_with_their_own_name_beside():
    assert language_for_staff("pl") == "Polish (Polski)"
    assert language_for_staff("ar") == "Arabic (العربية)"
    assert language_for_staff("en") == "English"
    assert language_for_staff("other") == "another language"
    assert all(language_for_staff(code) for code in LANGUAGES)


def test_the_board_and_the_wall_say_which_language(app, ctx, client):  # noqa: F811
    _drop_in(ctx, "Ola", language="pl")
    sign_in(client, "manager@test.example", "a-long-password")
    for path in ("/admin/arrivals?hub=testhub", "/admin/arrivals/wall?hub=testhub"):
        assert "Speaks Polish (Polski)" in client.get(path).get_data(as_text=True), path


# --- the wall display ------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_a_paired_board_display_lands_on_the_wall_display_and_cannot_act(app, client):
    assert pair_board_display(client, app, "riverside") == "/admin/arrivals/wall?hub=riverside"
    wall = client.get("/admin/arrivals/wall?hub=riverside")
    page = wall.get_data(as_text=True)
    assert wall.status_code == 200 and "data-arrivals" in page
    assert "I&#39;ll greet" not in page and "I'll greet" not in page
    assert "Staff menu" not in page  # full screen: no header, menu or footer
    assert client.get("/admin/arrivals/wall?hub=northgate").status_code == 403
