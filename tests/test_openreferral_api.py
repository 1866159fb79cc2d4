"""The council's read-only Open Referral UK 3.0 API (``/openreferral/``): what a
council directory or the DfE's family hubs directory reads from Front Door. Every
answer is checked against the ORUK 3.0 rules in tests/oruk_rules.py."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import event, select

from directory.oruk import derived_id, service_json
from directory.oruk_services import address_parts, partner_service
from directory.services import is_due
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import (
    Hub,
    Organisation,
    PartnerService,
    Room,
    ServiceCategory,
    SessionSeries,
)
from frontdoor.timetable import SeriesInput, save_series
from tests.oruk_rules import page_problems, problems

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


def add_series(app, title: str = "Stay and Play", *, slug: str = "apihub", **changes) -> int:
    """A weekly Tuesday series at 10:00 to 11:30 at hub ``slug`` (made if new)."""
    clock.freeze(NOW)
    with app.app_context():
        hub = db.session.scalar(select(Hub).filter_by(slug=slug))
        if hub is None:
            council = db.session.scalar(select(Organisation).filter_by(slug="api"))
            if council is None:
                council = Organisation(name="Api Council", slug="api")
                db.session.add(council)
                db.session.flush()
                db.session.add(ServiceCategory(organisation_id=council.id, name="Stay and play"))
            hub = Hub(
                organisation=council,
                slug=slug,
                name=f"{slug.title()} Family Hub",
                address="12 Mill Lane, Riverside, rv1 2ab",
            )
            db.session.add_all([hub, Room(hub=hub, name="Hall")])
            db.session.flush()
        data = {
            "hub_id": hub.id,
            "title": title,
            "weekdays": [1],
            "start_date": NOW.date(),
            "start_time": time(10),
            "end_time": time(11, 30),
            "capacity": 10,
            "room_id": hub.rooms[0].id,
            "age_bands": ["0-1", "1-3", "parents"],
            "category_id": db.session.scalar(select(ServiceCategory.id)),
        } | changes
        series = SessionSeries()
        save_series(series, SeriesInput(**data), today=NOW.date())
        db.session.commit()
        return series.id


def service_id(app, series_id: int) -> str:
    with app.app_context():
        slug = db.session.get(SessionSeries, series_id).hub.organisation.slug
    return derived_id("series", slug, series_id)


def listing(client, query: str = "") -> dict:
    response = client.get(f"/openreferral/services{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def ids(page: dict) -> list[str]:
    return [service["id"] for service in page["contents"]]


def test_every_page_and_every_service_follows_oruk_3(app, client, demo):
    everything = listing(client, "?per_page=200")
    assert everything["total_items"] >= 5
    assert page_problems(everything) == []
    for service in everything["contents"]:
        assert problems(service) == [], service["name"]
        one = client.get(f"/openreferral/services/{service['id']}")
        assert one.mimetype == "application/json"
        assert one.get_json() == service
        assert problems(one.get_json()) == []
    for number in (1, 2, 99):
        assert page_problems(listing(client, f"?page={number}&per_page=2")) == []


def test_pages_cover_every_service_once_and_say_which_page_they_are(app, client, demo):
    total = listing(client)["total_items"]
    first = listing(client, "?per_page=2")
    assert (first["page_number"], first["first_page"], first["last_page"]) == (1, True, False)
    assert first["size"] == 2 and first["total_pages"] == -(-total // 2)
    seen = []
    for number in range(1, first["total_pages"] + 1):
        page = listing(client, f"?page={number}&per_page=2")
        assert page["total_items"] == total
        seen += ids(page)
    assert page["last_page"] and not page["empty"]
    assert len(seen) == len(set(seen)) == total
    assert seen == ids(listing(client, "?per_page=200"))
    beyond = listing(client, f"?page={first['total_pages'] + 1}&per_page=2")
    assert beyond["empty"] and beyond["contents"] == [] and beyond["size"] == 0


def test_with_nothing_to_publish_the_first_page_is_empty(app, client):
    page = listing(client)
    assert page["total_items"] == 0 and page["empty"] and page["first_page"]
    assert page_problems(page) == []


def test_a_page_holds_fifty_services_unless_asked_for_up_to_two_hundred(app, client):
    for n in range(3):
        add_series(app, f"Group {n}")
    assert listing(client, "?per_page=1")["total_pages"] == 3
    assert listing(client, "?per_page=200")["size"] == 3
    assert client.get("/openreferral/services?per_page=201").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "?page=0",
        "?page=-1",
        "?page=two",
        "?page=1.5",
        "?page=" + "1" * 30,
        "?page=%C2%B2",
        "?per_page=0",
        "?per_page=1000",
        "?per_page=",
        "?page=",
    ],
)
def test_a_bad_page_or_page_size_is_a_400_in_json(app, client, query):
    response = client.get(f"/openreferral/services{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == 400
    assert "must be a whole number from 1 to" in body["message"]


def test_an_unknown_id_is_a_404_in_json(app, client):
    add_series(app)
    for unknown in (derived_id("series", "api", 999), "not-an-id", "x" * 500):
        response = client.get(f"/openreferral/services/{unknown}")
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        assert response.get_json()["error"] == "not_found"


def test_a_series_keeps_its_id_from_one_request_to_the_next_and_when_renamed(app, client):
    series_id = add_series(app)
    before = ids(listing(client))
    assert before == [service_id(app, series_id)] == ids(listing(client))
    with app.app_context():
        db.session.get(SessionSeries, series_id).title = "Stay, Play and Sing"
        db.session.commit()
    after = listing(client)
    assert ids(after) == before and after["contents"][0]["name"] == "Stay, Play and Sing"


def test_a_stopped_or_ended_series_or_a_closed_hub_is_not_published(app, client):
    kept = add_series(app, "Kept")
    stopped = add_series(app, "Stopped")
    ended = add_series(app, "Ended", until_date=NOW.date() + timedelta(days=8))
    counted = add_series(app, "Two sessions", occurrence_count=2)
    with app.app_context():
        db.session.get(SessionSeries, stopped).active = False
        db.session.commit()
    published = set(ids(listing(client)))
    assert published == {service_id(app, s) for s in (kept, ended, counted)}
    clock.freeze(NOW + timedelta(weeks=3))  # both of the counted ones and the ended one are past
    assert set(ids(listing(client))) == {service_id(app, kept)}
    for gone in (stopped, ended, counted):
        assert client.get(f"/openreferral/services/{service_id(app, gone)}").status_code == 404
    with app.app_context():
        db.session.scalar(select(Hub).filter_by(slug="apihub")).active = False
        db.session.commit()
    assert listing(client)["total_items"] == 0


def test_a_series_is_published_with_its_weekly_schedule_in_london_time(app, client):
    series = client.get(f"/openreferral/services/{service_id(app, add_series(app))}").get_json()
    (schedule,) = series["schedules"]
    assert (schedule["freq"], schedule["interval"], schedule["byday"]) == ("WEEKLY", 1, "TU")
    assert (schedule["opens_at"], schedule["closes_at"]) == ("10:00:00", "11:30:00")
    assert schedule["dtstart"] == "2026-11-24"
    assert "Not on bank holidays." in schedule["description"]
    assert "Not on bank holidays." in series["description"]


def test_a_series_held_on_bank_holidays_does_not_say_it_skips_them(app, client):
    series_id = add_series(app, skip_bank_holidays=False)
    series = client.get(f"/openreferral/services/{service_id(app, series_id)}").get_json()
    assert "bank holiday" not in series["description"]
    assert "description" not in series["schedules"][0]


def test_the_hub_is_the_organisation_and_the_place_and_age_bands_are_who_it_is_for(app, client):
    series = client.get(f"/openreferral/services/{service_id(app, add_series(app))}").get_json()
    assert series["organization"]["name"] == "Apihub Family Hub"
    assert series["organization_id"] == series["organization"]["id"]
    (place,) = series["service_at_locations"]
    (address,) = place["location"]["addresses"]
    assert place["location"]["name"] == "Apihub Family Hub"
    assert (address["address_1"], address["city"], address["postal_code"]) == (
        "12 Mill Lane",
        "Riverside",
        "RV1 2AB",
    )
    assert (series["minimum_age"], series["maximum_age"]) == (0, 3)
    assert series["eligibility_description"] == "For: 0 to 1, 1 to 3, Parents and carers."
    assert series["attributes"][0]["taxonomy_term"]["name"] == "Stay and play"
    assert series["url"].endswith("/book/apihub/")
    assert "At Hall, Apihub Family Hub." in series["description"]


def test_a_hubs_one_box_address_becomes_oruks_address_lines():
    assert address_parts("12 Mill Lane, Riverside, RV1 2AB") == (
        "12 Mill Lane",
        "",
        "Riverside",
        "RV1 2AB",
    )
    assert address_parts("Northgate Community Centre, 4 Station Road, ng3 9cd") == (
        "Northgate Community Centre",
        "4 Station Road",
        "",
        "NG3 9CD",
    )
    assert address_parts("") == ("", "", "", "")


def test_a_page_of_many_services_asks_the_database_the_same_few_questions(app, client):
    add_series(app, "One")
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        listing(client)
        few = len(statements)
        for n in range(20):
            add_series(app, f"Group {n}", slug=f"hub{n % 3}")
        statements.clear()
        assert listing(client)["total_items"] == 21
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_api_says_which_version_it_follows(client):
    meta = client.get("/openreferral/").get_json()
    assert meta["version"] == "3.0"


def test_the_directorys_checked_services_are_published_and_due_ones_are_not(app, client, demo):
    published = set(ids(listing(client, "?per_page=200")))
    with app.test_request_context():
        services = db.session.scalars(select(PartnerService)).all()
        months = 6
        due = [s.oruk_id for s in services if is_due(s, clock.now(), months)]
        fresh = [s for s in services if not is_due(s, clock.now(), months) and s.status == "active"]
        assert due and fresh
        assert problems(service_json(partner_service(fresh[0]))) == []
    assert not published & set(due)
    assert {s.oruk_id for s in fresh} <= published
