"""Five years of a 50-hub council for the reach bench (issue 12): about 18 million
visits and 6 million bookings, written with PostgreSQL COPY into its own database.

``python -m bench.reach_data [--hubs N] [--days N]`` fills (or reuses) the database;
``FRONTDOOR_BENCH_REACH_HUBS`` / ``_DAYS`` set the scale for ``make bench``.

What it makes, per hub: four weekly series (two drop-in, two booked), a session of
each on its days (Sundays closed), bookings (about 12% cancelled, 10% of the rest
no-shows), a visit for every booking that came, drop-ins, walk-ins without a session
and help requests, from pools of families (``bench.reach_rows``). Rows older than 13
months carry no names, as the retention purge leaves them.

The load is one transaction: foreign keys, unique constraints and secondary indexes
of the four big tables are dropped, the tables truncated and filled with
``COPY ... FREEZE``, then everything is rebuilt, as PostgreSQL advises for bulk
loads. A marker table records the parameters, so a second run reuses the data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

from bench.common import POSTGRES_URL
from bench.reach_rows import BIG_TABLES, SERIES, Scale, Writer
from frontdoor import clock, create_app, passwords
from frontdoor.extensions import db
from frontdoor.models import Hub, Organisation, ServiceCategory, SessionSeries

REACH_URL = os.environ.get(
    "FRONTDOOR_BENCH_REACH_DATABASE_URL", POSTGRES_URL.rsplit("/", 1)[0] + "/frontdoor_bench_reach"
)


@dataclass
class Loaded:
    """What is in the database: the last day of data and how long it took to make."""

    last_day: date
    seconds: float
    counts: dict[str, int]
    reused: bool


def reach_app(url: str = REACH_URL) -> Flask:
    passwords.use_cheap_hashing()
    _create_database(url)
    instance = Path(os.environ.get("TMPDIR", "/tmp")) / "frontdoor-bench-reach"
    instance.mkdir(exist_ok=True)
    return create_app(
        {
            "env": "test",
            "database_url": url,
            "secret_key": "bench",
            "instance_path": instance,
            "log_level": "WARNING",
        }
    )


def _create_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def ensure(app: Flask, scale: Scale, *, log=print) -> Loaded:
    """Reuse the data if the marker says it was made with these parameters and this
    schema; otherwise start from an empty schema and generate it."""
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    with app.app_context():
        heads = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        wanted = json.dumps({**asdict(scale), "schema": sorted(heads.get_heads())})
        found = _upgraded(scale, wanted, log) if _has_marker() else None
        if found:
            return Loaded(found.last_day, found.seconds, json.loads(found.counts), True)
        db.session.remove()
        db.engine.dispose()
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        started = time.perf_counter()
        last_day = clock.today() - timedelta(days=1)
        counts = generate(scale, last_day, log=log)
        seconds = time.perf_counter() - started
        db.session.execute(
            text(
                "CREATE TABLE bench_reach_marker (params text PRIMARY KEY, last_day date,"
                " seconds float, counts text)"
            )
        )
        db.session.execute(
            text("INSERT INTO bench_reach_marker VALUES (:p, :d, :s, :c)"),
            {"p": wanted, "d": last_day, "s": seconds, "c": json.dumps(counts)},
        )
        db.session.commit()
        return Loaded(last_day, seconds, counts, False)


def _upgraded(scale: Scale, wanted: str, log):
    """The marker's row if the data was made at this scale: a schema that has moved
    on since is brought up to date in place, as a council's database would be (a
    migration costs seconds here; generating again costs minutes)."""
    from flask_migrate import upgrade

    for params in db.session.execute(text("SELECT params FROM bench_reach_marker")).scalars():
        if {k: v for k, v in json.loads(params).items() if k != "schema"} != asdict(scale):
            continue
        if params != wanted:
            log("the bench data's schema is behind: upgrading it in place")
            db.session.commit()
            upgrade()
            db.session.execute(text("UPDATE bench_reach_marker SET params = :p"), {"p": wanted})
            db.session.commit()
        return db.session.execute(
            text("SELECT last_day, seconds, counts FROM bench_reach_marker")
        ).first()
    return None


def _has_marker() -> bool:
    return bool(db.session.scalar(text("SELECT to_regclass('bench_reach_marker') IS NOT NULL")))


def generate(scale: Scale, last_day: date, *, log=print) -> dict[str, int]:
    """Make the council with the ORM, then COPY the rows; return the rows per table."""
    first_day = last_day - timedelta(days=scale.days - 1)
    hub_ids, series_ids = _council(scale, first_day)
    db.session.commit()
    connection = db.session.connection().connection.driver_connection
    writer = Writer(scale, hub_ids, series_ids, last_day)
    with _bulk_load(connection, log):
        day = first_day
        while day <= last_day:
            writer.day(day)
            if writer.pending() > 300_000 or day == last_day:
                writer.flush(connection)
            day += timedelta(days=1)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return writer.counts


def _council(scale: Scale, first_day: date) -> tuple[list[int], list[list[int]]]:
    council = Organisation(name="Bench Reach Council", slug="bench-reach")
    db.session.add(council)
    db.session.flush()
    categories = [
        ServiceCategory(organisation_id=council.id, name=name)
        for name in ("Play", "Baby", "Feeding", "Parenting")
    ]
    hubs = [
        Hub(organisation=council, slug=f"reach-{n + 1}", name=f"Hub {n + 1:02d}")
        for n in range(scale.hubs)
    ]
    db.session.add_all([*categories, *hubs])
    db.session.flush()
    series_ids = []
    for hub in hubs:
        made = [
            SessionSeries(
                hub_id=hub.id,
                category_id=category.id,
                title=title,
                weekdays=list(weekdays),
                start_date=first_day,
                start_time=starts,
                duration_minutes=minutes,
                capacity=60 if booked else 120,
                booking_mode="booking" if booked else "drop_in",
            )
            for (title, booked, weekdays, starts, minutes), category in zip(
                SERIES, categories, strict=True
            )
        ]
        db.session.add_all(made)
        db.session.flush()
        series_ids.append([series.id for series in made])
    return [hub.id for hub in hubs], series_ids


@contextmanager
def _bulk_load(connection, log) -> Iterator[None]:
    """Drop the four tables' foreign keys, unique constraints and secondary indexes,
    truncate them (so COPY may FREEZE), and rebuild it all after the load."""
    names = ", ".join(f"'{name}'" for name in BIG_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            f" FROM pg_constraint WHERE contype IN ('f', 'u')"
            f" AND (conrelid::regclass::text IN ({names})"
            f" OR (contype = 'f' AND confrelid::regclass::text IN ({names})))"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            f" WHERE indrelid::regclass::text IN ({names}) AND NOT indisprimary"
            " AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"TRUNCATE {', '.join(BIG_TABLES)}")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        # Unique constraints first: the foreign keys may lean on them.
        for table, name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[2]):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in BIG_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    log(f"  indexes and constraints rebuilt in {time.perf_counter() - started:.0f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", type=int, default=Scale.from_environment().hubs)
    parser.add_argument("--days", type=int, default=Scale.from_environment().days)
    arguments = parser.parse_args(argv)
    loaded = ensure(reach_app(), Scale(hubs=arguments.hubs, days=arguments.days))
    verb = "reused" if loaded.reused else "generated"
    print(f"{verb}: {loaded.counts} up to {loaded.last_day} in {loaded.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
