"""Children's ages at every arrival (issue 12): the kiosk's drop-in and booked
check-in, and the desk's check-in by hand, count each child in an age band, as
bookings do, with one list of the bands a child may be in (``CHILD_BANDS``); the
register shows them; a band that is not one gets plain words, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from arrivals.actions import check_in_expected
from arrivals.checkin import check_in_drop_in
from booking.contact import Party
from booking.forms import CHILD_BAND_WORDS
from booking.jobs import mark_no_shows
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import AGE_BANDS, CHILD_BANDS, Booking, Session, Visit
from frontdoor.retention import months_before, purge_expired
from tests.conftest import csrf_from, sign_in
from tests.test_arrivals_views import reception  # noqa: F401  (a fixture)
from tests.test_kiosk import NOW, booked, count, only, place, screen  # noqa: F401  (fixtures)


def _value(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="(\d+)"', html)
    return found[1] if found else None


def test_a_child_may_be_expected_but_parents_are_not_a_childs_band():
    assert "pregnancy" in CHILD_BANDS and "parents" not in CHILD_BANDS
    assert set(CHILD_BANDS) <= set(AGE_BANDS)
    assert set(CHILD_BAND_WORDS) == set(CHILD_BANDS)  # every band has families' words
    Party(1, ("pregnancy", "0-1")).check(20)
    for band in ("parents", "toddler", ""):
        with pytest.raises(ServiceError) as refused:
            Party(1, (band,)).check(20)
        assert refused.value.code == "child_age_band"


def test_a_drop_in_counts_children_by_band_and_the_next_family_starts_afresh(app, screen, place):  # noqa: F811
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    # Stay and Play is for 0 to 1 and 1 to 3: a counter for each, big +/- buttons.
    assert "Children: Babies under 1" in screen.text and "Children: 1 to 3 years" in screen.text
    assert "Children: 3 to 5 years" not in screen.text
    assert 'aria-label="One more child: 1 to 3 years"' in screen.html
    # A + without JavaScript counts on the server, in its band.
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "0", "change": "c_1-3+"})
    assert _value(screen.html, "c_1-3") == "1" and _value(screen.html, "c_0-1") == "0"
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_0-1": "1", "c_1-3": "1", "next": "y"})
    screen.post("/kiosk/drop-in/name", {"first_name": "Kai"})
    assert "Thank you, Kai." in screen.text
    visit = only(app, Visit)
    assert visit.child_bands == ["0-1", "1-3"] and visit.children == 2 and visit.adults == 1
    # The next family: nothing the last one counted.
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    assert _value(screen.html, "adults") == "1"
    assert _value(screen.html, "c_0-1") == "0" and _value(screen.html, "c_1-3") == "0"
    assert "Kai" not in screen.html


def test_a_drop_in_for_all_ages_offers_every_childs_band_and_expecting(app, screen, place):  # noqa: F811
    with app.app_context():
        db.session.get(Session, place.play).series.age_bands = []
        db.session.commit()
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    assert "Expecting a baby" in screen.text and "Children: 11 to 19 years" in screen.text
    assert "Parents and carers" not in screen.text
    screen.post(
        "/kiosk/drop-in/who", {"adults": "1", "c_pregnancy": "1", "c_5-11": "1", "next": "y"}
    )
    screen.post("/kiosk/drop-in/name", {"first_name": "Ola"})
    assert only(app, Visit).child_bands == ["pregnancy", "5-11"]


@pytest.mark.parametrize(
    "data",
    [
        {"adults": "1", "c_0-1": "many"},
        {"adults": "1", "c_0-1": "-1"},
        {"adults": "1", "c_1-3": "99"},
    ],
)
def test_a_count_that_is_not_one_gets_plain_words(app, screen, place, data):  # noqa: F811
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {**data, "next": "yes"})
    assert "at least 1 person, and no more than 20" in screen.text
    assert count(app, Visit) == 0


def test_a_band_that_is_not_one_records_nothing(app, screen, place):  # noqa: F811
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    # A made-up band's counter is not one of the screen's: it counts nobody.
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_toddler": "3", "change": "c_toddler+"})
    assert "toddler" not in screen.html
    screen.post("/kiosk/drop-in/who", {"adults": "1", "c_toddler": "3", "next": "yes"})
    screen.post("/kiosk/drop-in/name", {"first_name": "Kai"})
    visit = only(app, Visit)
    assert visit.child_bands == [] and visit.children == 0
    with app.app_context(), pytest.raises(ServiceError) as refused:
        check_in_drop_in(
            place.play,
            hub_id=place.hub_id,
            first_name="Bo",
            adults=1,
            child_bands=("parents",),
            now=NOW,
        )
    assert refused.value.code == "child_age_band"


def test_a_booked_check_in_starts_from_the_bookings_bands_and_keeps_them(app, screen, place):  # noqa: F811
    _, reference = booked(app, place.massage, adults=1, children=("0-1", "3-5"))
    screen.start("booking")
    screen.open("/kiosk/booking/reference")
    screen.post("/kiosk/reference", {"reference": reference})
    # Baby Massage is for under-1s; the older sister they booked for is counted too.
    assert _value(screen.html, "c_0-1") == "1" and _value(screen.html, "c_3-5") == "1"
    screen.post("/kiosk/booking/who", {"adults": "1", "c_0-1": "1", "c_3-5": "1", "confirm": "y"})
    assert "Thank you, Amira." in screen.text
    visit = only(app, Visit)
    assert visit.child_bands == ["0-1", "3-5"] and visit.children == 2


def test_the_desk_copies_a_bookings_bands_to_the_visit(app, place):  # noqa: F811
    booking_id, _ = booked(app, place.massage, adults=2, children=("pregnancy", "0-1"))
    with app.app_context():
        made = check_in_expected(booking_id, hub_id=place.hub_id, staff_id=1, now=NOW)
        db.session.commit()
        assert made.visit.child_bands == ["pregnancy", "0-1"] and made.visit.children == 2
        assert db.session.get(Booking, booking_id).checked_in_at is not None


def test_the_desk_checks_in_children_by_band_and_the_register_shows_them(
    app,
    place,  # noqa: F811
    reception,  # noqa: F811
):
    desk = app.test_client()
    sign_in(desk, reception, "a-long-password")
    page = desk.get("/admin/arrivals/check-in?hub=testhub").get_data(as_text=True)
    assert "Children aged 0 to 1" in page and "Pregnancy" in page
    assert 'name="children"' not in page
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page)[1]
    form = {"csrf_token": csrf_from(page), "nonce": nonce, "first_name": "Kim", "adults": "1"}
    bad = desk.post("/admin/arrivals/check-in?hub=testhub", data={**form, "children_1_3": "lots"})
    assert bad.status_code == 200 and "Enter how many children, as a number like 1" in (
        bad.get_data(as_text=True)
    )
    done = desk.post(
        "/admin/arrivals/check-in?hub=testhub",
        data={**form, "children_0_1": "1", "children_3_5": "2", "session": str(place.play)},
    )
    assert done.status_code == 302
    visit = only(app, Visit)
    assert visit.child_bands == ["0-1", "3-5", "3-5"] and visit.children == 3
    manager = app.test_client()
    sign_in(manager, "manager@test.example", "a-long-password")
    register = manager.get(f"/admin/sessions/{place.play}/register").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", register).split())
    assert "1 adult, 3 children (1 aged 0 to 1, 2 aged 3 to 5)" in text
    assert "Children who came 3 children (1 aged 0 to 1, 2 aged 3 to 5)" in text


def test_the_retention_purge_keeps_childrens_ages(app, place):  # noqa: F811
    booking_id, _ = booked(app, place.massage, children=("0-1", "3-5"))
    with app.app_context():
        check_in_drop_in(
            place.play,
            hub_id=place.hub_id,
            first_name="Kai",
            adults=1,
            child_bands=("1-3",),
            now=NOW,
        )
        db.session.commit()
        totals = purge_expired(months_before(NOW, -13) + timedelta(days=10))
        assert totals["visits"] == 1 and totals["bookings"] == 1
        visit = db.session.scalars(select(Visit)).one()
        assert (visit.first_name, visit.child_bands, visit.children) == ("", ["1-3"], 1)
        booking = db.session.get_one(Booking, booking_id)
        assert (booking.first_name, booking.children) == ("", ["0-1", "3-5"])


def test_a_no_show_keeps_the_bands_the_family_booked(app, place):  # noqa: F811
    booking_id, _ = booked(app, place.massage, children=("pregnancy", "0-1"))
    with app.app_context():
        ends = db.session.get_one(Session, place.massage).ends_at
        assert mark_no_shows(ends) == {"marked": 1}
        visit = db.session.scalars(select(Visit)).one()
        assert (visit.booking_id, visit.child_bands, visit.children) == (
            booking_id,
            ["pregnancy", "0-1"],
            2,
        )
    manager = app.test_client()
    sign_in(manager, "manager@test.example", "a-long-password")
    register = manager.get(f"/admin/sessions/{place.massage}/register").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", register).split())
    assert "Children who came None" in text  # a family who did not come is not counted
