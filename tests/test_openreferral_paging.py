"""Paging the Open Referral API (``/openreferral/services``) in the database: however a
reader pages, every published service (a hub's series or a partner's checked service)
is on exactly one page, in name order, with the same ``total_items`` on every page;
what families may not be shown (due for checking, closed) is on none."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import time, timedelta

from sqlalchemy import select

from frontdoor.extensions import db
from frontdoor.models import Organisation, Partner, PartnerService, SessionSeries
from tests.test_openreferral_api import NOW, add_series, ids, listing, service_id


def add_services(app, council_slug: str, names: dict[str, int | None], **changes) -> list[str]:
    """A partner of council ``council_slug`` (made if new) with a service for each name,
    last checked so many days before NOW (None: never); their ORUK ids."""
    with app.app_context():
        council = db.session.scalar(select(Organisation).filter_by(slug=council_slug))
        if council is None:
            council = Organisation(name=f"{council_slug.title()} Council", slug=council_slug)
            db.session.add(council)
            db.session.flush()
        partner = Partner(
            organisation_id=council.id, name="Riverside Helpers", contact_email="p@x.org"
        )
        services = [
            PartnerService(
                partner=partner,
                oruk_id=str(uuid.uuid4()),
                name=name,
                topic="money",
                address="1 High Street, Riverside",
                last_checked_at=None if days is None else NOW - timedelta(days=days),
                **changes,
            )
            for name, days in names.items()
        ]
        db.session.add_all(services)
        db.session.commit()
        return [service.oruk_id for service in services]


def every_page(client, per_page: int) -> tuple[list[tuple[str, str]], set[int]]:
    """(id, name) of each service, walking the pages in turn; the totals they gave."""
    first = listing(client, f"?per_page={per_page}")
    walked, totals = [], set()
    for number in range(1, first["total_pages"] + 1):
        page = listing(client, f"?page={number}&per_page={per_page}")
        walked += [(service["id"], service["name"]) for service in page["contents"]]
        totals.add(page["total_items"])
    return walked, totals


def test_paging_shows_every_series_and_checked_service_once_in_name_order(app, client):
    series = [add_series(app, name) for name in ("Stay and play", "baby massage", "Zumba")]
    series.append(add_series(app, "Stay and play", slug="northhub"))
    shown = add_services(app, "api", {"Citizens Advice": 30, "allotment club": 100})
    shown += add_services(app, "api", {"Youth club": 170})
    # Ten services of one name (in any case): no page size may reshuffle them.
    for n in range(4):
        shown += add_services(app, "api", {"Stay and play": n, "STAY AND PLAY": n})
    due = add_services(app, "api", {"Debt advice": 200, "Carers cafe": None})
    closed = add_services(app, "api", {"Holiday club": 30}, status="inactive")
    # Another council checks every twelve months: eight months ago is checked there.
    (yearly,) = add_services(app, "yearly", {"Baby bank": 240})
    with app.app_context():
        council = db.session.scalar(select(Organisation).filter_by(slug="yearly"))
        council.settings = replace(council.settings, directory_check_months=12)
        db.session.commit()
    published = {service_id(app, s) for s in series} | set(shown) | {yearly}

    whole, _ = every_page(client, 200)
    assert {code for code, _ in whole} == published
    for per_page in (1, 2, 3, 5):
        walked, totals = every_page(client, per_page)
        assert walked == whole  # the same order, each service once, whatever the page size
        assert totals == {len(published)}
    names = [name for _, name in whole]
    assert names == sorted(names, key=str.casefold)
    for gone in due + closed:
        assert client.get(f"/openreferral/services/{gone}").status_code == 404


def test_a_series_saved_before_its_rules_were_checked_is_not_published(app, client):
    kept = add_series(app, "Kept")
    no_days = add_series(app, "No weekday")
    past_midnight = add_series(app, "Late night", start_time=time(22), end_time=time(23))
    with app.app_context():
        db.session.get(SessionSeries, no_days).weekdays = []
        db.session.get(SessionSeries, past_midnight).duration_minutes = 150  # to 00:30
        db.session.commit()
    assert ids(listing(client)) == [service_id(app, kept)]
    for gone in (no_days, past_midnight):
        assert client.get(f"/openreferral/services/{service_id(app, gone)}").status_code == 404
