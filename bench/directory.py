"""The directory at a council's scale: 5,000 partner services (targets: a search p95 <= 50 ms,
an Open Referral page of 100 p95 <= 100 ms, importing 5,000 <= 30 s on PostgreSQL).

- search: the services families may be shown for one topic
  (``directory.services.services_for_families``), in-process;
- page: ``/openreferral/services?per_page=100`` through the WSGI app, with the 5,000
  services published beside nothing else;
- import: a 5,000-service Open Referral UK 3.0 feed (written by ``directory.oruk``)
  read and imported into an empty directory with ``directory.imports.import_feed``,
  once, timed end to end; then the same feed again (which changes nothing).
"""

from __future__ import annotations

import json
import time as wall_clock
import uuid
from datetime import UTC, datetime, timedelta

from bench.common import Result, bench_app, postgres_available, statements, timed
from directory.imports import import_feed
from directory.oruk import (
    OrukEligibility,
    OrukLanguage,
    OrukLocation,
    OrukOrganization,
    OrukService,
    OrukTopic,
    page_json,
    parse_feed,
)
from directory.services import services_for_families
from frontdoor import clock
from frontdoor.extensions import db
from frontdoor.models import Organisation, Partner, PartnerService
from frontdoor.topics import SERVICE_TOPICS

SERVICES = 5_000
PER_PARTNER = 20
NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)


def _council() -> int:
    council = Organisation(name="Bench Council", slug="bench")
    db.session.add(council)
    db.session.commit()
    return council.id


def _fill(council_id: int) -> None:
    """5,000 services of 250 partners; one in ten not checked for a year (due)."""
    partners = [
        Partner(organisation_id=council_id, name=f"Partner {n:03}", contact_email="p@example.org")
        for n in range(SERVICES // PER_PARTNER)
    ]
    db.session.add_all(partners)
    db.session.flush()
    db.session.add_all(
        PartnerService(
            partner_id=partners[n // PER_PARTNER].id,
            oruk_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{n}")),
            name=f"Service {n:04}",
            description="Help and advice for families, in plain words. " * 4,
            topic=SERVICE_TOPICS[n % len(SERVICE_TOPICS)],
            minimum_age=0,
            maximum_age=19,
            languages_text="en,pl" if n % 3 else "en",
            address=f"{n} High Street, Riverside, RV1 2AB",
            schedule_description="Mondays 10:00 to 12:00",
            last_checked_at=NOW - timedelta(days=400 if n % 10 == 0 else 30),
            last_checked_by="Bench",
        )
        for n in range(SERVICES)
    )
    db.session.commit()


def _feed() -> bytes:
    services = [
        OrukService(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"feed/{n}")),
            name=f"Imported service {n:04}",
            description="Help for families. <b>Come along</b>.",
            organization=OrukOrganization(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"org/{n // PER_PARTNER}")),
                name=f"Organisation {n // PER_PARTNER:03}",
            ),
            locations=(
                OrukLocation(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"loc/{n}")),
                    service_at_location_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"sal/{n}")),
                    address_1=f"{n} High Street",
                    city="Riverside",
                    postcode="RV1 2AB",
                ),
            ),
            eligibility=OrukEligibility(minimum_age=0, maximum_age=19),
            languages=(OrukLanguage(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"l/{n}")), code="en"),),
            topics=(
                OrukTopic(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"t/{n}")),
                    name=SERVICE_TOPICS[n % len(SERVICE_TOPICS)],
                ),
            ),
            assured_date=(NOW - timedelta(days=30)).date(),
        )
        for n in range(SERVICES)
    ]
    page = page_json(services, page=1, size=SERVICES, total=SERVICES)
    return json.dumps(page).encode()


def _search_and_page(database: str) -> list[Result]:
    clock.freeze(NOW)
    try:
        with bench_app(database) as app:
            with app.app_context():
                council_id = _council()
                _fill(council_id)
                shown = len(services_for_families(council_id, NOW, topic="money"))
                timed(lambda: services_for_families(council_id, NOW, topic="money"), count=10,
                      seconds=5)  # fmt: skip
                search = timed(
                    lambda: services_for_families(council_id, NOW, topic="money"),
                    count=200,
                    seconds=30,
                )
            client = app.test_client()
            url = "/openreferral/services?per_page=100&page=3"
            assert client.get(url).get_json()["size"] == 100
            sent = statements(app, lambda: client.get(url))
            timed(lambda: client.get(url), count=10, seconds=5)
            page = timed(lambda: client.get(url), count=100, seconds=30)
    finally:
        clock.freeze(None)
    return [
        Result(
            f"directory search, one topic ({database})",
            search,
            "target p95 <= 50 ms",
            f"({shown} of {SERVICES} services shown)",
        ),
        Result(
            f"ORUK page of 100 of {SERVICES} ({database})",
            page,
            "target p95 <= 100 ms",
            f"({sent} SQL statements a page)",
        ),
    ]


def _import(database: str) -> list[Result]:
    feed = _feed()
    with bench_app(database) as app, app.app_context():
        council_id = _council()
        took = []
        for _ in range(2):  # the second import changes nothing
            started = wall_clock.perf_counter()
            result = import_feed(parse_feed(feed), organisation_id=council_id, now=NOW)
            db.session.commit()
            took.append((wall_clock.perf_counter() - started) * 1000)
            counts = (result.added, result.updated, result.unchanged, len(result.skipped))
        assert counts == (0, 0, SERVICES, 0), counts
    return [
        Result(
            f"import {SERVICES} services ({database})",
            took[:1],
            "target <= 30 s",
            f"({len(feed) // 1024} KB feed; importing it again: {took[1] / 1000:.1f} s)",
        )
    ]


def run() -> list[Result]:
    results = _search_and_page("sqlite")
    if postgres_available():
        results += _search_and_page("postgresql") + _import("postgresql")
    else:
        print("  PostgreSQL not reachable: measured on SQLite only")
        results += _import("sqlite")
    return results
