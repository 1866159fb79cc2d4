"""An Open Referral UK 3.0 feed comes into the directory matched on its ids: importing
it again changes nothing, and a changed feed updates rather than duplicates."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory.imports import BY_FEED, import_feed
from directory.oruk import parse_feed
from directory.services import services_for_families
from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Organisation, Partner, PartnerService

SAMPLE = Path(__file__).parent / "data" / "oruk_sample.json"
NOW = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def council_id(app_context) -> int:
    council = Organisation(name="Riverside Council", slug="riverside-council")
    db.session.add(council)
    db.session.commit()
    return council.id


def _feed(change=None):
    document = json.loads(SAMPLE.read_text())
    if change:
        change(document["contents"])
    return parse_feed(json.dumps(document).encode())


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_feed_imports_and_importing_it_again_changes_nothing(council_id):
    feed = _feed()
    first = import_feed(feed, organisation_id=council_id, now=NOW)
    db.session.commit()
    assert first.added == len(feed.services) == _count(PartnerService) > 10
    assert first.skipped == []
    partners = _count(Partner)
    again = import_feed(_feed(), organisation_id=council_id, now=NOW)
    db.session.commit()
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(feed.services))
    assert (_count(PartnerService), _count(Partner)) == (len(feed.services), partners)


def test_a_changed_feed_updates_the_service_it_names(council_id):
    import_feed(_feed(), organisation_id=council_id, now=NOW)
    db.session.commit()

    def rename(services):
        services[0]["name"] = "Saturday football for under-8s"

    changed = import_feed(_feed(rename), organisation_id=council_id, now=NOW)
    db.session.commit()
    assert (changed.added, changed.updated) == (0, 1)
    names = db.session.scalars(select(PartnerService.name)).all()
    assert "Saturday football for under-8s" in names and len(names) == len(_feed().services)


def test_when_the_feed_says_it_was_checked_counts_and_a_service_it_does_not_is_hidden(
    council_id,
):
    def forget_when(services):
        services[0].pop("assured_date", None)

    feed = _feed(forget_when)
    import_feed(feed, organisation_id=council_id, now=NOW)
    db.session.commit()
    unknown = db.session.scalar(select(PartnerService).filter_by(oruk_id=feed.services[0].id))
    assert unknown is not None and unknown.last_checked_at is None
    shown = {s.oruk_id for s in services_for_families(council_id, NOW)}
    assert unknown.oruk_id not in shown
    recent = [s for s in feed.services[1:] if s.assured_date and s.assured_date.year == 2026]
    checked = db.session.scalar(select(PartnerService).filter_by(oruk_id=recent[-1].id))
    assert checked is not None and checked.last_checked_by == BY_FEED
    assert checked.last_checked_at is not None
    assert checked.last_checked_at.date() == recent[-1].assured_date


def test_a_service_whose_organisation_gives_no_contact_still_comes_in(council_id):
    def no_contacts(services):
        services[0].pop("contacts", None)
        services[0].pop("email", None)
        services[0]["organization"]["name"] = "A club with no email"
        services[0]["organization"].pop("email", None)

    result = import_feed(_feed(no_contacts), organisation_id=council_id, now=NOW)
    db.session.commit()
    assert result.skipped == [] and result.added == len(_feed().services)
    club = db.session.scalar(select(Partner).filter_by(name="A club with no email"))
    assert club is not None and club.contact_email == ""


def test_an_import_is_audited_with_its_counts(council_id):
    import_feed(_feed(), organisation_id=council_id, now=NOW)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).filter_by(action="directory.import"))
    assert event is not None and "added" in event.detail


def _serve(folder: Path):
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_command_imports_a_file_or_an_address_and_says_what_it_did(app, council_id, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["directory", "import", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"{len(_feed().services)} added, 0 updated")
    server = _serve(SAMPLE.parent)
    try:
        url = f"http://127.0.0.1:{server.server_port}/{SAMPLE.name}"
        again = runner.invoke(args=["directory", "import", url])
    finally:
        server.shutdown()
        server.server_close()
    assert again.exit_code == 0, again.output
    assert again.output.startswith(f"0 added, 0 updated, {len(_feed().services)} unchanged")


def test_the_command_refuses_what_is_not_a_feed_in_plain_words(app, council_id, tmp_path):
    junk = tmp_path / "services.json"
    junk.write_text("<html>not a feed</html>")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(junk)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "JSON" in result.output
    assert _count(PartnerService) == 0
