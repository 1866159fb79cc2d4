"""Where families come from: a typed postcode becomes a district, an LSOA and a
deprivation decile, and nothing more is kept. The lookups come from the files a
council imports (``frontdoor areas import``); these tests use the demo's made-up
extract (demo/areas), read the same way."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from arrivals.actions import check_in_by_hand
from booking.contact import Contact, Party
from booking.services import book_session
from frontdoor import clock
from frontdoor.area_import import BATCH
from frontdoor.areas import NO_AREA, NOT_IN_LOOKUP, OUTSIDE, area_for_postcode
from frontdoor.demo import DEMO_AREAS, load_demo_areas
from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models import (
    AreaDeprivation,
    AreaPostcode,
    Booking,
    Hub,
    OutboxMessage,
    StaffUser,
    Visit,
)
from frontdoor.retention import purge_hub
from frontdoor.words.families import family_words
from frontdoor.words.staff import staff_words
from tests.appointment_fixtures import make_practice
from tests.conftest import csrf_from
from tests.test_appointment_views import FAMILY as APPOINTMENT_FAMILY
from tests.test_appointment_views import _book_url as appointment_url
from tests.test_appointment_views import _form as appointment_form
from tests.test_arrivals_views import _client, reception  # noqa: F401  (a fixture)
from tests.test_booking_site import post_booking, session_id_of, site  # noqa: F401
from tests.test_kiosk import only, place, screen  # noqa: F401  (fixtures)
from tests.test_register import html_of, post_form, upcoming

POSTCODES = DEMO_AREAS / "PCD_OA21_LSOA21_MSOA21_LAD_DEMO_UK_LU.csv"
DEPRIVATION = DEMO_AREAS / "File_7_IoD2025_DEMO_All_Ranks_Scores_Deciles.csv"


@pytest.fixture
def areas(app):
    with app.app_context():
        load_demo_areas()
        db.session.commit()
        yield
        db.session.remove()


# --- a typed postcode, as an area ------------------------------------------------------------


def test_an_english_postcode_in_the_lookup_gives_its_area_and_decile(areas):
    area = area_for_postcode("NG3 9ZA")
    assert (area.district, area.lsoa, area.imd_decile, area.in_england) == (
        "NG3",
        "E01999901",
        1,
        True,
    )
    assert area.no_decile_because == ""


@pytest.mark.parametrize("typed", ["ng79zb", "NG7 9ZB", "  ng7   9zb ", "Ng79Zb"])
def test_any_case_with_or_without_spaces_is_the_same_postcode(areas, typed):
    assert area_for_postcode(typed).imd_decile == 9


def test_an_english_postcode_not_in_the_lookup_keeps_only_its_district(areas):
    area = area_for_postcode("sw1a 1aa")
    assert (area.district, area.lsoa, area.imd_decile, area.in_england) == ("SW1A", "", None, True)
    assert area.no_decile_because == NOT_IN_LOOKUP


@pytest.mark.parametrize(
    ("typed", "district"),
    [
        ("EH1 1YZ", "EH1"),  # Scotland
        ("G2 1DU", "G2"),  # Scotland
        ("LL11 1AA", "LL11"),  # Wales, not in the lookup
        ("BT1 1AA", "BT1"),  # Northern Ireland
    ],
)
def test_a_postcode_outside_england_is_real_but_has_no_decile(areas, typed, district):
    area = area_for_postcode(typed)
    assert (area.district, area.imd_decile, area.in_england) == (district, None, False)
    assert area.no_decile_because == OUTSIDE


def test_a_welsh_postcode_in_the_lookup_keeps_only_its_district(areas):
    area = area_for_postcode("cf10 9zz")
    assert (area.district, area.lsoa, area.imd_decile, area.in_england) == (
        "CF10",
        "",
        None,
        False,
    )
    assert area.no_decile_because == OUTSIDE


@pytest.mark.parametrize("typed", ["BFPO 1234", "bfpo801", "", "   "])
def test_a_forces_address_or_an_empty_box_is_no_area(areas, typed):
    assert area_for_postcode(typed) == NO_AREA


@pytest.mark.parametrize(
    "typed",
    [
        "ZZ99 9ZZ",
        "AB1 2CD",
        "hello",
        "SW1A 1AA 1",
        "12345",
        "NG3 9Z",
        "NG3-9ZA",
        "\u212aW1 1AA",
        "BFPO \u0661\u0662",
        "Q" * 500,
    ],
)
def test_a_made_up_postcode_is_refused_in_plain_words(areas, typed):
    with pytest.raises(ServiceError) as refused:
        area_for_postcode(typed)
    assert (refused.value.code, refused.value.field) == ("postcode_unknown", "postcode")


def test_families_and_staff_are_told_plainly(app):
    with app.test_request_context():
        assert "Enter a UK postcode" in family_words("postcode_unknown")
    assert "not a UK postcode" in staff_words("postcode_unknown")
    assert "outside England" in staff_words(OUTSIDE) and "none is guessed" in staff_words(OUTSIDE)
    assert "not known" in staff_words(NOT_IN_LOOKUP)


# --- importing the lookups -------------------------------------------------------------------


def _import(app, *args: str):
    return app.test_cli_runner().invoke(args=["areas", "import", *args])


def _rows(app) -> tuple[int, int]:
    with app.app_context():
        counted = (
            db.session.scalar(select(func.count()).select_from(AreaPostcode)),
            db.session.scalar(select(func.count()).select_from(AreaDeprivation)),
        )
        db.session.remove()
    return counted


def test_importing_the_same_files_twice_changes_nothing(app):
    first = _import(app, "--postcodes", str(POSTCODES), "--deprivation", str(DEPRIVATION))
    assert first.exit_code == 0, first.output
    assert "Postcodes: 6 read, 6 added or changed." in first.output
    assert "Areas: 5 read, 5 added or changed." in first.output
    again = _import(app, "--postcodes", str(POSTCODES), "--deprivation", str(DEPRIVATION))
    assert "Postcodes: 6 read, 0 added or changed." in again.output
    assert "Areas: 5 read, 0 added or changed." in again.output
    assert _rows(app) == (6, 5)


def test_a_new_release_updates_rows_rather_than_adding_them(app, tmp_path):
    assert _import(app, "--deprivation", str(DEPRIVATION)).exit_code == 0
    newer = tmp_path / "newer.csv"
    newer.write_text(
        DEPRIVATION.read_text().replace("Demo Council,52.1,812,1", "Demo Council,40,900,3")
    )
    result = _import(app, "--deprivation", str(newer))
    assert "Areas: 5 read, 1 added or changed." in result.output
    assert _rows(app) == (0, 5)
    with app.app_context():
        assert db.session.get(AreaDeprivation, "E01999901").imd_decile == 3


def test_a_file_with_the_wrong_columns_is_refused_naming_the_line(app, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,area\nNG3 9ZA,E01999901\n")
    result = _import(app, "--postcodes", str(wrong))
    assert result.exit_code != 0
    assert "Line 1: the header lacks these columns: pcds, lsoa21cd." in result.output
    swapped = _import(app, "--deprivation", str(POSTCODES))
    lacks = "Line 1: the header lacks these columns: LSOA code (2021), LSOA name (2021), Index"
    assert lacks in swapped.output
    assert _rows(app) == (0, 0)


def test_a_file_in_another_encoding_is_refused_naming_the_line(app, tmp_path):
    latin = tmp_path / "latin.csv"
    lines = POSTCODES.read_text().splitlines()
    lines[3] = lines[3].replace("Demo Council 001C", "Démo Council 001C")
    latin.write_bytes("\n".join(lines).encode("cp1252"))
    result = _import(app, "--postcodes", str(latin))
    assert result.exit_code != 0
    assert "Line 4 is not in the utf-8-sig encoding. Try --encoding cp1252" in result.output
    assert _rows(app) == (0, 0)  # nothing half-imported
    assert _import(app, "--postcodes", str(latin), "--encoding", "cp1252").exit_code == 0
    assert _rows(app) == (6, 0)


def test_a_row_that_is_not_an_area_is_refused_naming_the_line(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(DEPRIVATION.read_text().replace(",7\n", ",eleven\n"))
    result = _import(app, "--deprivation", str(bad))
    assert "Line 5 could not be read" in result.output
    assert _rows(app) == (0, 0)


def test_the_2019_indices_import_with_a_warning_about_2011_areas(app, tmp_path):
    old = tmp_path / "iod2019.csv"
    old.write_text(
        '"LSOA code (2011)","LSOA name (2011)","Index of Multiple Deprivation (IMD) Decile '
        '(where 1 is most deprived 10% of LSOAs)"\nE01000001,City of London 001A,9\n'
    )
    result = _import(app, "--deprivation", str(old))
    assert result.exit_code == 0, result.output
    assert "uses 2011 LSOAs" in result.output and "no decile" in result.output


def test_a_large_file_is_written_in_batches(app, tmp_path):
    big = tmp_path / "big.csv"
    rows = [
        f"NG7 {n % 10}{chr(65 + n // 10 % 26)}{chr(65 + n // 260 % 26)},E01{n:06d}"
        for n in range(BATCH + 7)
    ]
    big.write_text("pcds,lsoa21cd\n" + "\n".join(rows) + "\n")
    result = _import(app, "--postcodes", str(big))
    assert f"Postcodes: {BATCH + 7} read" in result.output, result.output
    assert _rows(app)[0] == BATCH + 7


# --- asked at booking, at a first drop-in, at the desk -----------------------------------


def _everything_stored(app) -> str:
    """Every value in every table but the postcode lookup itself, as one text."""
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            if table.name == AreaPostcode.__tablename__:
                continue
            for row in db.session.execute(select(table)).all():
                values.extend(str(v) for v in row)
        db.session.remove()
    return "\n".join(values).upper()


def _never_kept(app, caplog, *typed: str) -> None:
    stored = _everything_stored(app)
    logged = "\n".join(r.getMessage() for r in caplog.records).upper()
    with app.app_context():
        payloads = " ".join(
            str(p) for p in db.session.scalars(select(OutboxMessage.payload)).all()
        ).upper()
        db.session.remove()
    for postcode in typed:
        for form in (postcode.upper(), "".join(postcode.split()).upper()):
            assert form not in stored, form
            assert form not in logged, form
            assert form not in payloads, form


def test_a_booking_with_a_postcode_keeps_only_its_area(site, client, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    url = f"/book/riverside/sessions/{session_id_of(site, 'Baby Massage')}/book"
    response = post_booking(client, url, postcode="ng3 9za")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    with site.app_context():
        booking = db.session.scalars(select(Booking)).one()
        kept = (booking.postcode_district, booking.lsoa, booking.imd_decile)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 1
    assert kept == ("NG3", "E01999901", 1)
    _never_kept(site, caplog, "NG3 9ZA")
    assert "9ZA" not in response.headers.get("Location", "").upper()


def test_a_made_up_postcode_on_the_booking_form_is_said_next_to_the_box(site, client):  # noqa: F811
    url = f"/book/riverside/sessions/{session_id_of(site, 'Baby Massage')}/book"
    response = post_booking(client, url, postcode="ZZ99 9ZZ")
    assert response.status_code == 200
    assert "Enter a UK postcode, like SW1A 1AA, or leave it empty." in response.get_data(
        as_text=True
    )
    with site.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_booking_without_a_postcode_has_no_area(site, client):  # noqa: F811
    url = f"/book/riverside/sessions/{session_id_of(site, 'Baby Massage')}/book"
    assert post_booking(client, url).status_code in (302, 303)
    with site.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert (booking.postcode_district, booking.lsoa, booking.imd_decile) == ("", "", None)


def _drop_in(screen, place, **answers):  # noqa: F811
    screen.start("drop_in")
    screen.post("/kiosk/drop-in", {"session": str(place.play)})
    screen.post("/kiosk/drop-in/who", {"adults": "1", "children": "1", "next": "yes"})
    return screen.post("/kiosk/drop-in/name", {"first_name": "Ola", **answers})


def test_a_first_drop_in_at_the_kiosk_keeps_the_area(app, screen, place, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        load_demo_areas()
        db.session.commit()
    _drop_in(screen, place, first_time="yes", postcode="NG79ZB")
    assert "Thank you, Ola." in screen.text
    visit = only(app, Visit)
    assert (visit.postcode_district, visit.lsoa, visit.imd_decile) == ("NG7", "E01999905", 9)
    _never_kept(app, caplog, "NG7 9ZB")
    screen.never_addressed("9ZB")
    cookie = screen.client.get_cookie("session")
    if cookie is not None:
        state = app.session_interface.get_signing_serializer(app).loads(cookie.value)
        assert "9ZB" not in str(state).upper()


def test_the_kiosk_asks_the_postcode_only_of_a_first_visit(app, screen, place):  # noqa: F811
    _drop_in(screen, place, first_time="no", postcode="NG79ZB")
    visit = only(app, Visit)
    assert (visit.postcode_district, visit.imd_decile) == ("", None)


def test_a_made_up_postcode_at_the_kiosk_asks_again(app, screen, place):  # noqa: F811
    _drop_in(screen, place, first_time="yes", postcode="QQ1 1QQ")
    assert "Enter a UK postcode, like SW1A 1AA, or leave it empty." in screen.text
    assert "What is your first name?" in screen.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_at_the_desk_a_scottish_postcode_is_kept_as_its_district_and_said_so(
    app,
    place,  # noqa: F811
    reception,  # noqa: F811
):
    desk = _client(app, reception)
    page = desk.get("/admin/arrivals/check-in?hub=testhub").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "nonce": re.search(r'name="nonce" type="hidden" value="([^"]+)"', page)[1],
        "first_name": "Isla",
        "adults": "1",
        "children": "0",
        "language": "en",
        "session": "",
        "postcode": "eh1 1yz",
    }
    done = desk.post("/admin/arrivals/check-in?hub=testhub", data=data)
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    board = " ".join(desk.get(done.headers["Location"]).get_data(as_text=True).split())
    assert "Postcode outside England" in board and "none is guessed" in board
    visit = only(app, Visit)
    assert (visit.postcode_district, visit.lsoa, visit.imd_decile) == ("EH1", "", None)
    assert "1YZ" not in _everything_stored(app)


def test_the_demo_ships_its_made_up_extract(app):
    assert Path(POSTCODES).exists() and Path(DEPRIVATION).exists()
    assert "made up" in (DEMO_AREAS / "README.md").read_text()


def test_the_retention_purge_erases_the_family_but_keeps_the_area(site):  # noqa: F811
    session_id = session_id_of(site, "Baby Massage")
    with site.app_context():
        hub = db.session.scalars(select(Hub).where(Hub.slug == "riverside")).one()
        booked = book_session(
            session_id,
            Party(1),
            Contact("Ana", email="ana@example.com"),
            now=clock.now(),
            postcode="ng3 9za",
        ).booking
        walked_in = check_in_by_hand(
            hub.id,
            staff_id=db.session.scalars(select(StaffUser.id)).first(),
            first_name="Ben",
            adults=1,
            child_bands=(),
            now=clock.now(),
            postcode="NG7 9ZB",
        ).visit
        db.session.commit()
        purge_hub(hub.id, clock.now() + timedelta(days=60))
        db.session.commit()
        db.session.expire_all()
        assert (booked.first_name, booked.email) == ("", "")
        assert (booked.postcode_district, booked.lsoa, booked.imd_decile) == ("NG3", "E01999901", 1)
        assert walked_in.first_name == ""
        assert (walked_in.postcode_district, walked_in.imd_decile) == ("NG7", 9)


def test_an_appointment_with_a_postcode_keeps_only_its_area(app, client):
    with app.app_context():
        load_demo_areas()
        practice = make_practice(practitioners=1)
        db.session.commit()
    url = appointment_url(practice)
    refused = client.post(
        url, data={**APPOINTMENT_FAMILY, **appointment_form(client, url), "postcode": "AB1 2CD"}
    )
    assert "Enter a UK postcode, like SW1A 1AA, or leave it empty." in refused.get_data(
        as_text=True
    )
    booked = client.post(
        url, data={**APPOINTMENT_FAMILY, **appointment_form(client, url), "postcode": "ng7 9zb"}
    )
    assert booked.status_code == 302
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert (booking.postcode_district, booking.lsoa, booking.imd_decile) == (
            "NG7",
            "E01999905",
            9,
        )
    assert "9ZB" not in _everything_stored(app)


def test_staff_booking_a_family_from_the_register_keeps_only_the_area(app, signed_in):
    with app.app_context():  # not the ``areas`` fixture: its context would outlive requests
        load_demo_areas()
        db.session.commit()
    session_id = upcoming(app)
    client = signed_in("reception@riverside.example")
    page = f"/admin/sessions/{session_id}/book"
    refused = post_form(client, page, {"adults": "1", "first_name": "Zoë", "postcode": "ZZ99 9ZZ"})
    assert refused.status_code == 200
    assert staff_words("postcode_unknown") in html_of(refused)
    booked = post_form(client, page, {"adults": "1", "first_name": "Zoë", "postcode": "ng3 9za"})
    assert booked.status_code == 302, html_of(booked)[:2000]
    with app.app_context():
        made = db.session.scalars(select(Booking).filter_by(session_id=session_id)).one()
        assert (made.postcode_district, made.lsoa, made.imd_decile) == ("NG3", "E01999901", 1)
    assert "9ZA" not in _everything_stored(app)
