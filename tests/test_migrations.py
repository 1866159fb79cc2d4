"""The schema comes from migrations, and models and migrations never drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from frontdoor import create_app
from frontdoor.extensions import db
from tests.conftest import TEST_DATABASE_URL, reset_schema


def _scratch_database(tmp_path) -> str:
    """An empty database of the same kind as the suite's, used only here."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_migrations"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _fresh_app(tmp_path):
    url = _scratch_database(tmp_path)
    return create_app(
        {
            "env": "test",
            "database_url": url,
            "secret_key": "x",
            "instance_path": tmp_path,
            "log_level": "WARNING",
        }
    ), url


def test_upgrade_from_empty_then_models_match_migrations(app, tmp_path):
    # ``app`` (session-wide) was migrated from empty by conftest; compare with models.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_empty_and_upgrade_again(tmp_path):
    fresh, url = _fresh_app(tmp_path)
    reset_schema(url)
    with fresh.app_context():
        upgrade()
        assert "session_series" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert "session_series" not in inspect(db.engine).get_table_names()
        upgrade()
        db.engine.dispose()
    engine = create_engine(url)
    assert "staff_user" in inspect(engine).get_table_names()
    engine.dispose()
