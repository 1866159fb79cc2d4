"""Open Referral UK 3.0 in and out (directory.oruk): a council's feed reads, bad feeds
and bad services are refused in plain words, and what Front Door publishes follows
the ORUK 3.0 rules written in tests/oruk_rules.py."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from directory.oruk import (
    MEGABYTE,
    OrukPhone,
    OrukService,
    api_meta,
    display_phone,
    page_json,
    parse_feed,
    plain_text,
    read_feed,
    schedule_for_weekly,
    service_json,
)
from frontdoor.errors import ServiceError
from frontdoor.timetable import Recurrence
from frontdoor.words.staff import for_staff
from tests.oruk_rules import page_problems, problems

SAMPLE = Path(__file__).parent / "data" / "oruk_sample.json"
LONDON = ZoneInfo("Europe/London")


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def feed(document: object) -> bytes:
    return json.dumps(document).encode()


def refused(data: bytes, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        parse_feed(data, **kwargs)
    return caught.value


# --- the sample feed -------------------------------------------------------------------------


def test_a_councils_sample_feed_imports_every_service():
    parsed = parse_feed(SAMPLE.read_bytes())
    assert len(parsed.services) == 12 and parsed.skipped == ()
    assert parsed.total_items == 12 and parsed.page_number == 1
    club = parsed.services[0]
    assert club.name == "Saturday Mini Kickers (ages 5 to 11)"
    assert club.organization and club.organization.name.startswith("Canal Side")
    assert club.eligibility.minimum_age == 5 and club.eligibility.maximum_age == 11
    assert club.locations[0].postcode == "LS11 6RT"
    assert club.schedules[0].opens_at == time(9, 30) and club.schedules[0].byday == "SA"
    assert club.contacts[0].phones[0].display == "07700 900123"
    assert [t.name for t in club.topics] == ["Activities and play"]
    assert club.last_modified == datetime(2026, 10, 2, 9, 15, tzinfo=UTC)


def test_a_bare_list_of_services_reads_like_a_page():
    assert (
        parse_feed(feed(sample()["contents"])).services == parse_feed(SAMPLE.read_bytes()).services
    )


# --- what Front Door publishes --------------------------------------------------------------


def test_every_published_service_follows_oruk_3():
    for service in parse_feed(SAMPLE.read_bytes()).services:
        assert problems(service_json(service)) == [], service.name


def test_a_service_with_little_said_about_it_still_follows_oruk_3():
    sparse = {
        "id": "7c0d6a3e-35f4-4c50-9a0e-2f1f3b1d8c11",
        "name": "Toy library",
        "status": "active",
        "organization": {"name": "Riverside Toy Library"},
        "service_at_locations": [{"location": {"name": "Village hall"}}],
        "languages": [{}],
    }
    service = parse_feed(feed([sparse])).services[0]
    assert problems(service_json(service)) == []


def test_published_pages_follow_the_oruk_api_paging():
    services = parse_feed(SAMPLE.read_bytes()).services
    first = page_json(services[:5], page=1, size=5, total=12)
    last = page_json(services[10:], page=3, size=5, total=12)
    beyond = page_json((), page=4, size=5, total=12)
    for page in (first, last, beyond, page_json((), page=1, size=5, total=0)):
        assert page_problems(page) == []
    assert (first["total_pages"], first["first_page"], first["last_page"]) == (3, True, False)
    assert (last["size"], last["last_page"], beyond["empty"]) == (2, True, True)


def test_reading_what_we_publish_gives_the_same_services():
    services = parse_feed(SAMPLE.read_bytes()).services
    republished = feed([service_json(service) for service in services])
    assert parse_feed(republished).services == services
    one = parse_feed(feed(service_json(services[2]))).services
    assert one == (services[2],)


def test_the_api_root_says_which_version_it_follows():
    meta = api_meta("https://example.org/profile", "https://example.org/openapi.json")
    assert meta["version"] == "3.0"


# --- the validator can fail -------------------------------------------------------------------


def test_the_oruk_rules_catch_a_missing_required_field():
    body = service_json(parse_feed(SAMPLE.read_bytes()).services[0])
    del body["status"]
    assert problems(body) == ["service.status is required"]


def test_the_oruk_rules_catch_bad_formats_and_unknown_fields():
    body = service_json(parse_feed(SAMPLE.read_bytes()).services[0])
    body["id"] = "42"
    body["email"] = "not an email"
    body["schedules"][0]["byday"] = "Saturday"
    body["service_at_locations"][0]["location"]["addresses"][0].pop("postal_code")
    body["languages"][0]["spoken"] = True
    found = problems(body)
    assert "service.id is not a valid uuid" in found
    assert "service.email is not a valid email" in found
    assert "service.schedules[0].byday is not a valid byday" in found
    assert any("addresses[0].postal_code is required" in p for p in found)
    assert any("languages[0].spoken is not a field" in p for p in found)
    page = page_json((), page=1, size=5, total=0) | {"empty": False}
    assert page_problems(page) == ["page.empty does not say whether the page is empty"]


# --- feeds refused whole ----------------------------------------------------------------------


def test_a_feed_that_is_not_json_is_refused():
    error = refused(b"<html><body>Service directory</body></html>")
    assert error.code == "oruk_not_json"
    assert "not JSON" in for_staff(error)
    assert refused(b"\xff\xfe\x00broken").code == "oruk_not_json"


def test_json_that_is_not_services_is_refused():
    error = refused(feed({"message": "Not found"}))
    assert error.code == "oruk_not_feed"
    assert for_staff(error) == "The feed is JSON but holds no list of Open Referral UK services"
    assert refused(feed("services")).code == "oruk_not_feed"


def test_a_feed_over_the_limit_is_refused_before_it_is_read():
    error = refused(b"[" + b" " * (2 * MEGABYTE) + b"]", max_bytes=MEGABYTE)
    assert error.code == "oruk_too_large"
    assert for_staff(error).startswith("The feed is larger than 1 MB")


class FiftyMegabytes(io.RawIOBase):
    """A 50 MB feed that makes its bytes only as they are read, and counts them."""

    size = 50 * MEGABYTE

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.given)
        buffer[:count] = b" " * count
        self.given += count
        return count


def test_a_50_mb_feed_is_refused_after_reading_only_up_to_the_limit():
    stream = FiftyMegabytes()
    with pytest.raises(ServiceError) as caught:
        read_feed(io.BufferedReader(stream), max_bytes=5 * MEGABYTE)
    assert caught.value.code == "oruk_too_large"
    assert stream.given <= 5 * MEGABYTE + io.DEFAULT_BUFFER_SIZE + 1
    assert read_feed(io.BytesIO(b"[]"), max_bytes=5 * MEGABYTE) == b"[]"
    exactly = b" " * MEGABYTE
    assert read_feed(io.BytesIO(exactly), max_bytes=MEGABYTE) == exactly


def test_a_feed_of_another_version_is_refused_naming_it():
    stated = refused(feed({"version": "2.0", "contents": []}))
    assert stated.code == "oruk_version"
    assert "follows 2.0, not Open Referral UK 3.0" in for_staff(stated)
    first_oruk = {"totalElements": 1, "number": 1, "content": [{"id": "1", "name": "Club"}]}
    assert "before 3.0" in for_staff(refused(feed(first_oruk)))
    old_service = {"id": "1", "name": "Club", "status": "active", "regular_schedules": []}
    assert refused(feed([old_service])).code == "oruk_version"
    assert parse_feed(feed({"version": "3.0.1", "contents": []})).services == ()


# --- services skipped one by one ---------------------------------------------------------------


def test_services_without_ids_are_skipped_and_the_rest_import():
    contents = sample()["contents"]
    del contents[1]["id"]
    contents[3]["id"] = "  "
    parsed = parse_feed(feed(contents))
    assert len(parsed.services) == 10
    assert [(e.code, e.details["position"]) for e in parsed.skipped] == [
        ("oruk_missing_id", 2),
        ("oruk_missing_id", 4),
    ]
    assert for_staff(parsed.skipped[0]) == "Service number 2 has no id, so it was not imported"


def test_a_repeated_id_keeps_the_first_service_and_reports_the_rest():
    contents = sample()["contents"]
    copied = copy.deepcopy(contents[0]) | {"name": "A second club with the same id"}
    parsed = parse_feed(feed([*contents, copied, copied]))
    assert len(parsed.services) == 12
    assert parsed.services[0].name == contents[0]["name"]
    assert [e.code for e in parsed.skipped] == ["oruk_duplicate_id", "oruk_duplicate_id"]
    assert contents[0]["id"] in for_staff(parsed.skipped[0])


def test_a_service_with_a_bad_field_is_skipped_with_its_id_and_the_reason():
    contents = sample()["contents"]
    contents[0]["status"] = "open"
    contents[1]["email"] = "food bank at example dot org"
    contents[2]["schedules"][0]["byday"] = "Wednesdays"
    parsed = parse_feed(feed([*contents, "Toy library"]))
    assert len(parsed.services) == 9
    assert [e.field for e in parsed.skipped] == ["status", "email", "schedules.byday", "service"]
    assert for_staff(parsed.skipped[3]) == (
        "Service number 13 was not imported: it is not an Open Referral UK service"
    )
    assert for_staff(parsed.skipped[1]) == (
        f"Service {contents[1]['id']} was not imported: its email is missing or not in the "
        "Open Referral UK 3.0 format"
    )


def test_ids_that_are_not_uuids_are_matched_the_same_way_every_time():
    contents = sample()["contents"][:2]
    contents[0]["id"] = 1042
    contents[1]["id"] = "FB-7"
    first = parse_feed(feed(contents)).services
    again = parse_feed(feed(contents)).services
    assert [s.id for s in first] == [s.id for s in again]
    assert problems(service_json(first[0])) == []


# --- markup and phone numbers -----------------------------------------------------------------


def test_html_and_scripts_in_descriptions_keep_their_words_and_lose_the_markup():
    contents = sample()["contents"][:1]
    contents[0]["description"] = (
        "<p>Football for <b>5 to 11s</b>.</p><script>alert('x')</script>"
        '<p onclick="steal()">Boots &amp; shin pads</p><style>p{}</style>'
    )
    contents[0]["name"] = "Mini <i>Kickers</i><img src=x onerror=alert(1)>"
    service = parse_feed(feed(contents)).services[0]
    assert service.description == "Football for 5 to 11s.\n\nBoots & shin pads"
    assert service.name == "Mini Kickers"


def test_text_that_decodes_to_markup_is_stripped_until_plain():
    assert plain_text("Use &lt;script&gt;alert(1)&lt;/script&gt;the hall") == "Use the hall"
    assert plain_text("Ages 5 < 11 & up") == "Ages 5 < 11 & up"
    assert plain_text("Come along <script>fetch('//evil.example')") == "Come along"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("07700900123", "07700 900123"),
        ("07711 900 123", "07711 900123"),
        ("0161 496 0606", "0161 496 0606"),
        ("+44 (0)7700 900 123", "07700 900123"),
        ("0044 113 496 0101", "0113 496 0101"),
        ("(0113) 496-0303", "0113 496 0303"),
        ("020-7946-0909", "020 7946 0909"),
        ("0300 123 4567", "0300 123 4567"),
        ("01632 960123", "01632 960123"),
        ("0113 496 0101 ext 204", "0113 496 0101 ext 204"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ],
)
def test_phone_numbers_in_any_format_are_kept_and_shown_the_uk_way(given, shown):
    assert display_phone(given) == shown
    assert OrukPhone(id="x", number=given).number == given


def test_a_phone_number_is_published_as_the_partner_wrote_it():
    contents = sample()["contents"][:1]
    contents[0]["contacts"][0]["phones"][0]["number"] = "(07700) 900-123"
    service = parse_feed(feed(contents)).services[0]
    published = service_json(service)["contacts"][0]["phones"][0]["number"]
    assert published == "(07700) 900-123"
    assert service.contacts[0].phones[0].display == "07700 900123"


# --- a hub's series as a schedule ---------------------------------------------------------------


def _rule(schedule) -> str:
    parts = [f"FREQ={schedule.freq}", f"INTERVAL={schedule.interval}", f"BYDAY={schedule.byday}"]
    if schedule.until:
        parts.append(f"UNTIL={schedule.until:%Y%m%d}T235959")
    return ";".join(parts)


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_clock_changes():
    # Set up in summer (BST), running past both clock changes: back on 25 October
    # 2026, forward on 28 March 2027.
    series = Recurrence(
        weekdays=(0, 2), interval_weeks=1, start_date=date(2026, 7, 1), until_date=date(2027, 4, 7)
    )
    schedule = schedule_for_weekly(series, opens_at=time(10), closes_at=time(11, 30), key="s:1")
    assert problems(service_json_schedule(schedule), "schedule") == []
    assert (schedule.byday, schedule.dtstart) == ("MO,WE", date(2026, 7, 1))
    assert (schedule.opens_at, schedule.closes_at) == (time(10), time(11, 30))
    start = datetime.combine(schedule.dtstart, schedule.opens_at)
    dates = list(rrulestr(_rule(schedule), dtstart=start))
    # What a calendar reading the rule in Europe/London puts in the diary, in UTC.
    by_day = {d.date(): d.replace(tzinfo=LONDON).astimezone(UTC).time() for d in dates}
    assert by_day[date(2026, 10, 21)] == time(9) and by_day[date(2026, 10, 26)] == time(10)
    assert by_day[date(2027, 3, 24)] == time(10) and by_day[date(2027, 3, 29)] == time(9)
    assert dates[-1].date() == date(2027, 4, 7)


def service_json_schedule(schedule) -> dict:
    """The schedule as a published service carries it."""
    service = OrukService(id=schedule.id, name="Stay and play", schedules=(schedule,))
    return service_json(service)["schedules"][0]


def test_a_fortnightly_series_for_a_number_of_sessions_ends_on_its_last_session():
    series = Recurrence(
        weekdays=(3,),
        interval_weeks=2,
        start_date=date(2026, 1, 5),
        count=4,
        skip_bank_holidays=False,
    )
    schedule = schedule_for_weekly(series, opens_at=time(13, 30), closes_at=time(15), key="s:2")
    assert (schedule.dtstart, schedule.until) == (date(2026, 1, 8), date(2026, 2, 19))
    assert schedule.interval == 2 and schedule.byday == "TH"
    again = schedule_for_weekly(series, opens_at=time(13, 30), closes_at=time(15), key="s:2")
    assert again.id == schedule.id


def test_a_series_without_days_or_with_its_end_before_its_start_is_refused():
    series = Recurrence(weekdays=(), interval_weeks=1, start_date=date(2026, 1, 5))
    with pytest.raises(ServiceError) as caught:
        schedule_for_weekly(series, opens_at=time(10), closes_at=time(11), key="s:3")
    assert caught.value.code == "no_weekdays"
    series = Recurrence(weekdays=(1,), interval_weeks=1, start_date=date(2026, 1, 5))
    with pytest.raises(ServiceError) as caught:
        schedule_for_weekly(series, opens_at=time(10), closes_at=time(9), key="s:3")
    assert caught.value.code == "ends_before_start"
