"""The migration history builds the schema the models describe, and unwinds cleanly."""

import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import (
    POSTGRES_URL,
    drop_postgres_schema,
    postgres_url,
    reset_postgres_schema,
)
from tests.helpers import make_test_app
from tracker.data.database import writing
from tracker.data.search import is_search_object
from tracker.extensions import db
from tracker.models import WriteSequence

MIGRATION_SCHEMA = f"tracker_migration_test_{os.getpid()}"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
NUMBERED = re.compile(r"\d{4}_\w+\.py")


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


def test_the_tracker_command_migrates_under_the_write_lock(empty_app):
    """`tracker db upgrade` runs inside writing(), as every command of `tracker` does: on
    PostgreSQL each of its transactions takes the write lock and raises the write sequence,
    which must do nothing while the table does not exist yet (tracker/data/database.py)."""
    with writing():
        upgrade()
    assert _tables() == set(db.metadata.tables)
    assert db.session.scalars(sa.select(WriteSequence.n)).all() == []  # the first writer makes it
    db.session.rollback()
    with writing():
        upgrade()  # nothing to run, yet one more transaction of a writer
    raised = [1] if db.engine.dialect.name == "postgresql" else []  # SQLite: never written
    assert db.session.scalars(sa.select(WriteSequence.n)).all() == raised
    db.session.rollback()
    with writing():
        downgrade(revision="base")
    assert _tables() == set()


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


def _history(directory: Path) -> list[Script]:
    """Every revision in ``directory``, base first: Alembic's walk down from the heads, reversed."""
    return list(reversed(list(ScriptDirectory(str(directory)).walk_revisions())))


def _file_name(revision: Script) -> str:
    return Path(revision.path).name


def _ids(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


def _out_of_order(directory: Path) -> list[str]:
    """Files whose names do not sort after those of the revisions they revise or depend on.
    None means the folder sorted by name is an order the history can be applied in: for one
    line of revisions, exactly that line walked from base; with branches, any order that
    keeps each revision after what it builds on."""
    history = _history(directory)
    names = {revision.revision: _file_name(revision) for revision in history}
    return [
        f"{names[revision.revision]} sorts before {names[earlier]}, which it builds on"
        for revision in history
        for earlier in _ids(revision.down_revision) + _ids(revision.dependencies)
        if names[revision.revision] <= names[earlier]
    ]


def _number(name: str) -> int:
    return int(name.split("_", 1)[0])


def test_file_names_sort_in_history_order():
    names = [_file_name(revision) for revision in _history(MIGRATIONS)]
    assert [name for name in names if not NUMBERED.fullmatch(name)] == []
    assert _out_of_order(MIGRATIONS) == []


@pytest.fixture
def migrations_copy(tmp_path) -> Path:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_order_check_sees_a_file_out_of_place(migrations_copy):
    base, second = (_file_name(revision) for revision in _history(migrations_copy)[:2])
    moved = f"0000{second[4:]}"
    (migrations_copy / "versions" / second).rename(migrations_copy / "versions" / moved)
    assert _out_of_order(migrations_copy) == [f"{moved} sorts before {base}, which it builds on"]


@pytest.fixture
def new_file(migrations_copy, tmp_path):
    """Runs a ``tracker db`` command, through migrations/env.py and alembic.ini, on the copy of
    migrations/, and returns the name of the one file it wrote."""
    app = make_test_app(f"sqlite:///{tmp_path / 'revisions.sqlite'}")
    runner = app.test_cli_runner()

    def run(command: str, *args: str) -> str:
        before = set(os.listdir(migrations_copy / "versions"))
        result = runner.invoke(args=["db", command, "-d", str(migrations_copy), *args])
        assert result.exit_code == 0, result.output
        (written,) = set(os.listdir(migrations_copy / "versions")) - before - {"__pycache__"}
        return written

    with app.app_context():
        yield run
        db.session.remove()
        db.engine.dispose()


def test_db_migrate_numbers_the_new_file_after_the_last(migrations_copy, new_file):
    last = _number(_file_name(_history(migrations_copy)[-1]))
    upgrade(directory=str(migrations_copy))
    extra = sa.Table("unmigrated", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        written = new_file("migrate", "-m", "Unmigrated table")
    finally:
        db.metadata.remove(extra)
    assert _number(written) == last + 1 and written.endswith("_unmigrated_table.py")
    assert "create_table('unmigrated'" in (migrations_copy / "versions" / written).read_text()
    assert _out_of_order(migrations_copy) == []


def test_new_revisions_branches_and_merges_sort_after_what_they_build_on(migrations_copy, new_file):
    last = _history(migrations_copy)[-1]
    plain = new_file("revision", "-m", "Plain")
    # A second line from the same revision, as when two engineers' work meets, then a merge.
    beside = new_file("revision", "-m", "Beside", "--head", last.revision, "--splice")
    merge = new_file("merge", "-m", "Join", "heads")
    numbers = [_number(name) for name in (plain, beside, merge)]
    assert numbers == [_number(_file_name(last)) + k for k in (1, 2, 3)]
    assert len(ScriptDirectory(str(migrations_copy)).get_heads()) == 1
    assert _out_of_order(migrations_copy) == []


def test_each_existing_position_starts_its_history(empty_app):
    """Migration 56deceec21b5: one step per position, stated on its point's last change (in
    UTC), at the position's marking; downgrading drops the history and keeps the positions."""
    before_history, with_history = "c597ec7a306b", "56deceec21b5"
    upgrade(revision=before_history)
    late = "2025-03-04 23:30:00" + ("+00" if db.engine.dialect.name == "postgresql" else "")
    statements = [
        "INSERT INTO party (id, name, code, kind, created_at, updated_at) VALUES"
        " (1, 'India', 'IND', 'state', :at, :at), (2, 'Japan', 'JPN', 'state', :at, :at)",
        "INSERT INTO agreement (id, title, category, summary, status, priority, created_at,"
        " updated_at) VALUES (1, 'RPSS', 'logistics', '', 'proposed', 'normal', :at, :at)",
        "INSERT INTO negotiation_point (id, agreement_id, subject, details, status, created_at,"
        " updated_at) VALUES (1, 1, 'Scope', '', 'open', :at, :at)",
        "INSERT INTO party_position (point_id, party_id, position, marking_id) VALUES"
        " (1, 1, 'Broad', 1), (1, 2, 'Narrow', 3)",
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement), {"at": late})

    upgrade(revision=with_history)
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT point_id, party_id, position, stated_on, meeting_id, recorded_by_id,"
                " marking_id FROM position_change ORDER BY party_id"
            )
        ).all()
    day = "2025-03-04"
    assert [(*row[:3], str(row[3]), *row[4:]) for row in rows] == [
        (1, 1, "Broad", day, None, None, 1),
        (1, 2, "Narrow", day, None, None, 3),
    ]

    downgrade(revision=before_history)
    assert "position_change" not in _tables()
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM party_position")).scalar() == 2
