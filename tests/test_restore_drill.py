"""The restore drill, as docs/deploy.md tells a council to rehearse it: last night's
dump (deploy/backup.sh) restored into a new database (deploy/restore.sh), the app
started on it, and every table holding what the live one held.

PostgreSQL only (pg_dump and pg_restore are PostgreSQL's). Missing tools fail the
test: a CI machine that cannot run the drill must say so, not pass quietly.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, make_url, select, text

from frontdoor import clock, create_app
from frontdoor.extensions import db
from frontdoor.scheduler import beat
from tests.conftest import PROJECT_ROOT, TEST_DATABASE_URL

pytestmark = pytest.mark.postgres_only
DEPLOY = PROJECT_ROOT / "deploy"


def _libpq_environment(url: str, tmp_path: Path) -> dict[str, str]:
    """The connection as libpq's variables, which the scripts use (no password in argv)."""
    parts = make_url(url)
    environment = {
        **os.environ,
        "PGHOST": parts.host or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_KEEP_DAYS": "14",
        "FRONTDOOR_PYTHON": str(PROJECT_ROOT / ".venv" / "bin" / "python"),
    }
    if parts.password:
        environment["PGPASSWORD"] = parts.password
    return environment


def _counts(url: str, tables: list[str]) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in tables
        }
    engine.dispose()
    return counts


def _run(command: list[str], environment: dict[str, str]) -> str:
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_last_nights_dump_restores_into_a_new_database_the_app_can_serve(
    app: Flask, demo: None, tmp_path: Path
):
    for tool in ("pg_dump", "pg_restore", "createdb"):
        assert shutil.which(tool), f"{tool} is missing: install postgresql-client"
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables]
    source = TEST_DATABASE_URL
    environment = _libpq_environment(source, tmp_path)
    name = f"test_restore_{secrets.token_hex(4)}"
    restored = make_url(source).set(database=name).render_as_string(hide_password=False)

    _run([str(DEPLOY / "backup.sh"), str(make_url(source).database)], environment)
    (dump,) = (tmp_path / "backups").glob("*.dump")
    try:
        said = _run([str(DEPLOY / "restore.sh"), str(dump), name], environment)
        assert "migrations current" in said

        before, after = _counts(source, tables), _counts(restored, tables)
        assert after == before
        assert before["hub"] and before["staff_user"] and before["session"]

        restored_app = create_app(
            {
                "env": "test",
                "database_url": restored,
                "secret_key": "test-secret-key",
                "instance_path": tmp_path / "instance",
                "log_level": "ERROR",
                "event_bus": "local",
            }
        )
        with restored_app.app_context():
            beat(clock.now())  # a scheduler started on the restored database
            hubs = db.session.scalar(select(func.count()).select_from(db.metadata.tables["hub"]))
            db.session.remove()
        client = restored_app.test_client()
        assert client.get("/readyz").get_json() == {"ready": True, "problems": []}
        assert client.get("/book/riverside/").status_code == 200
        assert hubs == before["hub"]
        with restored_app.app_context():
            db.engine.dispose()
    finally:
        engine = create_engine(source, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_restore_never_lands_on_a_database_that_exists(app: Flask, tmp_path: Path):
    environment = _libpq_environment(TEST_DATABASE_URL, tmp_path)
    _run([str(DEPLOY / "backup.sh"), str(make_url(TEST_DATABASE_URL).database)], environment)
    (dump,) = (tmp_path / "backups").glob("*.dump")
    existing = str(make_url(TEST_DATABASE_URL).database)
    done = subprocess.run(
        [str(DEPLOY / "restore.sh"), str(dump), existing],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "already exists" in done.stderr
