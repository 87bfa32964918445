"""The migration history builds the schema the models describe, and unwinds cleanly."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import (
    POSTGRES_URL,
    drop_postgres_schema,
    postgres_url,
    reset_postgres_schema,
)
from tests.helpers import make_test_app
from tracker.data.search import is_search_object
from tracker.extensions import db

MIGRATION_SCHEMA = f"tracker_migration_test_{os.getpid()}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not POSTGRES_URL,
                reason="PostgreSQL tests need TRACKER_TEST_POSTGRES_URL (see README, 'Tests')",
            ),
        ),
    ]
)
def empty_app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    else:
        reset_postgres_schema(MIGRATION_SCHEMA)
        url = postgres_url(MIGRATION_SCHEMA)
    app = make_test_app(url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_postgres_schema(MIGRATION_SCHEMA)


def _differences():
    with db.engine.connect() as connection:
        # As migrations/env.py does: the full-text indexes are the migrations' own.
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, parents: not is_search_object(name, type_),
            },
        )
        return compare_metadata(context, db.metadata)


def _tables():
    names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not is_search_object(name, "table")}


def test_upgrade_downgrade_upgrade(empty_app):
    assert _tables() == set()
    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _differences() == []

    downgrade(revision="base")
    assert _tables() == set()

    upgrade()
    assert _differences() == []


def test_db_check_command_reports_no_pending_change(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_db_check_fails_when_models_and_history_differ(empty_app):
    upgrade()
    extra = sa.Table("unmigrated", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        assert any(diff[0] == "add_table" for diff in _differences())
        result = empty_app.test_cli_runner().invoke(args=["db", "check"])
        assert result.exit_code != 0
    finally:
        db.metadata.remove(extra)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'pragmas.sqlite'}")
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -16384


def test_upgrading_a_populated_database_keeps_every_link(empty_app):
    """Tables that SQLite rebuilds keep the rows that point at them (no ON DELETE side effects),
    and every later migration keeps the data of the first."""
    upgrade(revision="e9ab439a4770")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                'INSERT INTO "user" (id, username, display_name, password_hash, role, active,'
                " created_at) VALUES (1, 'ann', 'Ann', 'x', 'editor', true, '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO agreement (id, title, category, summary, status, priority, lead_id,"
                " created_at, updated_at) VALUES (1, 'RPSS', 'logistics', '', 'proposed',"
                " 'normal', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO status_change (id, agreement_id, to_status, effective_on, note,"
                " recorded_by_id, recorded_at) VALUES (1, 1, 'proposed', '2025-01-01', '', 1,"
                " '2025-01-01 00:00:00')"
            )
        )

    upgrade()

    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT lead_id FROM agreement")).scalar() == 1
        recorded_by = connection.execute(sa.text("SELECT recorded_by_id FROM status_change"))
        assert recorded_by.scalar() == 1
        if db.engine.dialect.name == "sqlite":
            # The migrations' connection went back to the pool with foreign keys on again.
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
