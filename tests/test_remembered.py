"""What a worker remembers (``frontdoor.remembered``): kept only when it is safe to.

The tests that a revoked kiosk and a cancelled session are forgotten at once are
with the kiosk devices, the booking site and (across processes) the event bus.
"""

from __future__ import annotations

from frontdoor import create_app, remembered
from frontdoor.remembered import Remembered

DEVICE = ("kiosk_device", 1)


def test_a_row_read_while_a_change_to_it_commits_is_not_remembered():
    remembered = Remembered(lambda: True)

    def read_as_the_revocation_commits():
        remembered.forget([DEVICE])  # the bus's notice arrives mid-read
        return "the row as it was", [DEVICE]

    assert remembered.get("foyer", read_as_the_revocation_commits) == "the row as it was"
    assert remembered.get("foyer", lambda: ("the row as it is", [DEVICE])) == "the row as it is"


def test_a_worker_whose_bus_is_not_listening_reads_every_time():
    hearing = False
    remembered = Remembered(lambda: hearing)
    assert remembered.get("foyer", lambda: ("first", [DEVICE])) == "first"
    assert remembered.get("foyer", lambda: ("second", [DEVICE])) == "second"
    hearing = True
    assert remembered.get("foyer", lambda: ("third", [DEVICE])) == "third"
    assert remembered.get("foyer", lambda: ("fourth", [DEVICE])) == "third"


def test_forgetting_a_hub_forgets_everything_read_with_it():
    remembered = Remembered(lambda: True)
    remembered.get("foyer", lambda: ("foyer", [DEVICE, ("hub", 7)]))
    remembered.get("massage", lambda: ("massage", [("session", 3), ("hub", 7)]))
    remembered.get("elsewhere", lambda: ("elsewhere", [("session", 4), ("hub", 8)]))
    remembered.forget([("hub", 7)])
    assert remembered.get("foyer", lambda: ("foyer again", [DEVICE])) == "foyer again"
    assert remembered.get("massage", lambda: ("massage again", [])) == "massage again"
    assert remembered.get("elsewhere", lambda: ("read again", [])) == "elsewhere"


def test_a_worker_keeps_at_most_its_limit_and_lets_the_longest_kept_go(monkeypatch):
    monkeypatch.setattr(remembered, "LIMIT", 2)
    kept = Remembered(lambda: True)
    for name in ("foyer", "hall", "library"):
        kept.get(name, lambda name=name: (name, [("kiosk_device", len(name))]))
    assert len(kept) == 2
    assert kept.get("foyer", lambda: ("read again", [])) == "read again"
    assert kept.get("library", lambda: ("read again", [])) == "library"


def test_on_postgresql_the_one_process_bus_remembers_nothing(tmp_path):
    # Another process (the scheduler, a second worker) could change the rows unheard.
    def bus_for(url: str):
        app = create_app(
            {
                "env": "test",
                "database_url": url,
                "secret_key": "test-secret-key",
                "instance_path": tmp_path,
                "log_level": "ERROR",
                "event_bus": "local",
            }
        )
        return app.extensions["frontdoor_events"]

    assert bus_for(f"sqlite:///{tmp_path / 'one.sqlite3'}").hears_everything()
    assert not bus_for("postgresql+psycopg://nobody@127.0.0.1:5432/none").hears_everything()
