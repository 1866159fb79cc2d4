"""Two builds of the same day at once (the nightly job and ``frontdoor reach build``)
both succeed and keep the totals once (PostgreSQL: the advisory lock in
``reports.totals``; SQLite serialises writers already)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from frontdoor.extensions import db
from frontdoor.models import ReachFamilyDay, ReachFirstSeen
from reports.figures import reach_report
from reports.totals import build_day
from tests.reach_fixtures import arrive, at, hub

pytestmark = pytest.mark.postgres_only

DAY = date(2026, 8, 4)


def test_the_same_day_built_in_two_sessions_at_once_is_kept_once(app, demo):
    with app.app_context():
        riverside = hub("riverside")
        for n in range(8):
            arrive(riverside.id, at(DAY, 9 + n % 6), key=f"fam-{n}")
        db.session.commit()
        hub_id = riverside.id
    first_built = threading.Event()
    failures: list[BaseException] = []

    def build(first: bool) -> None:
        try:
            with app.app_context():
                if not first:
                    first_built.wait(30)
                build_day(DAY)
                if first:
                    first_built.set()
                    time.sleep(0.5)  # still uncommitted while the other one builds
                db.session.commit()
        except BaseException as error:  # reported below, with the thread's error
            failures.append(error)
            first_built.set()

    threads = [threading.Thread(target=build, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReachFamilyDay)) == 8
        assert db.session.scalar(select(func.count()).select_from(ReachFirstSeen)) == 8
        summary = reach_report([hub_id], DAY, DAY).figure("summary")
        assert summary is not None and ("Unique families", [8]) in summary.rows
