"""`tracker backup` and `tracker restore`: every table comes back exactly, on both databases."""

from __future__ import annotations

import os
import shutil
import stat
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, extra_app
from tracker.cli import backup as backup_module
from tracker.data import row_security
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyKind,
    PartyPosition,
    Person,
    Role,
    User,
)

# Quotes, a backslash, a tab, line breaks and other scripts must survive the round trip.
AWKWARD = 'O\'Neill "draft" \\ tab\there\nnew line — 日本語 हिन्दी 🙂'


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table (and the schema revision), in primary key order."""
    db.session.rollback()
    tables = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in connection.execute(query)]
        tables["alembic_version"] = [
            tuple(row) for row in connection.execute(sa.text("SELECT * FROM alembic_version"))
        ]
    return tables


def add_synthetic_world(db, size: int = 1) -> None:
    """A few thousand rows across every table, with awkward text."""
    users = [
        User(username=f"user{n}", display_name=f"User {n} {AWKWARD}", role=Role.EDITOR)
        for n in range(5)
    ]
    for user in users:
        user.set_password(PASSWORD)
    parties = [
        Party(name=f"Organisation {n} {AWKWARD}", kind=PartyKind.ORGANISATION)
        for n in range(20 * size)
    ]
    people = [
        Person(name=f"Person {n}", position=AWKWARD, party=parties[n % len(parties)])
        for n in range(100 * size)
    ]
    start = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)
    meetings = [
        Meeting(
            title=f"Round {n}",
            starts_at=start + timedelta(days=n, minutes=7 * n),
            timezone="Asia/Kolkata",
            level="working_group",
            summary=AWKWARD,
        )
        for n in range(20 * size)
    ]
    db.session.add_all([*users, *parties, *people, *meetings])
    for n in range(150 * size):
        agreement = Agreement(
            title=f"Agreement {n} {AWKWARD}",
            short_name=f"A{n}",
            category="logistics",
            status="proposed",
            status_on=date(2024, 1, 1) + timedelta(days=n),
            summary=AWKWARD * 3,
            lead=users[n % len(users)],
        )
        first, second = parties[n % len(parties)], parties[(n + 1) % len(parties)]
        agreement.party_links = [AgreementParty(party=first), AgreementParty(party=second)]
        db.session.add(agreement)
        db.session.add(AgendaItem(meeting=meetings[n % len(meetings)], agreement=agreement))
        point = NegotiationPoint(agreement=agreement, subject=f"Point {n}", details=AWKWARD)
        point.positions = [PartyPosition(party=first, position=AWKWARD)]
        db.session.add(point)
        for i in range(7):
            db.session.add(
                ActionItem(
                    agreement=agreement,
                    description=f"Action {n}.{i} {AWKWARD}",
                    due_on=date(2025, 1, 1) + timedelta(days=i),
                    done=i % 3 == 0,
                    done_on=date(2025, 2, 1) if i % 3 == 0 else None,
                    owner=people[(n + i) % len(people)],
                )
            )
    db.session.commit()


def round_trip(runner, db, tmp_path) -> dict[str, list[tuple]]:
    """Back up, change everything, restore; returns what was backed up."""
    before = snapshot(db)
    assert sum(map(len, before.values())) > len(before)  # not just empty tables
    file = tmp_path / "tracker.backup"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600  # it holds password hashes

    # Afterwards: one record changed, new ones added, one deleted.
    db.session.execute(sa.update(Party).values(name=Party.name + " (renamed)"))
    db.session.add(Party(name="Added after the backup", kind=PartyKind.GROUPING))
    first_action = sa.select(sa.func.min(ActionItem.id)).scalar_subquery()
    db.session.execute(sa.delete(ActionItem).where(ActionItem.id == first_action))
    db.session.commit()
    assert snapshot(db) != before

    result = runner.invoke(args=["restore", "--yes", str(file)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert snapshot(db) == before
    return before


def test_demo_data_round_trips(runner, db, tmp_path):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    created = runner.invoke(
        args=["users", "create", "ann", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert created.exit_code == 0, created.output
    round_trip(runner, db, tmp_path)


def test_a_larger_synthetic_set_round_trips_and_new_ids_follow_on(runner, db, tmp_path):
    add_synthetic_world(db)
    before = round_trip(runner, db, tmp_path)
    assert len(before["action_item"]) == 1050 and len(before["audit_record"]) > 1000
    # The id sequences came back too: a new record does not collide with a restored one.
    party = Party(name="After the restore", kind=PartyKind.GROUPING)
    db.session.add(party)
    db.session.commit()
    assert party.id > max(row[0] for row in before["party"])


def test_backup_refuses_to_overwrite_a_file_unless_forced(runner, db, tmp_path):
    file = tmp_path / "kept.backup"
    file.write_text("an older backup")
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code != 0 and "--force" in result.output
    assert file.read_text() == "an older backup"
    assert runner.invoke(args=["backup", "--force", str(file)]).exit_code == 0
    assert file.read_bytes()[:5] in {b"SQLit", b"PGDMP"}


def test_restore_asks_first_and_changes_nothing_when_refused(runner, db, tmp_path, make_party):
    file = tmp_path / "tracker.backup"
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    make_party("Kept")
    db.session.commit()
    result = runner.invoke(args=["restore", str(file)], input="n\n")
    assert result.exit_code != 0
    assert "Replace everything in" in result.output
    if db.engine.url.password:
        assert ":***@" in result.output  # the database password is not shown
    assert db.session.scalar(sa.select(Party.name)) == "Kept"


def test_restore_refuses_files_that_are_not_backups_of_this_kind(runner, db, tmp_path):
    other = tmp_path / "other.backup"
    sqlite = db.engine.url.get_backend_name() == "sqlite"
    # The other kind's signature: a PostgreSQL dump for SQLite, an SQLite file for PostgreSQL.
    other.write_bytes(b"PGDMP\x01\x0e\x00" if sqlite else b"SQLite format 3\x00" + b"\x00" * 100)
    result = runner.invoke(args=["restore", "--yes", str(other)])
    assert result.exit_code != 0
    expected = "PostgreSQL backup, but this database is SQLite"
    if not sqlite:
        expected = "SQLite backup, but this database is PostgreSQL"
    assert expected in result.output

    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    result = runner.invoke(args=["restore", "--yes", str(text)])
    assert result.exit_code != 0 and "is not a backup made by `tracker backup`" in result.output


def test_restore_says_when_the_backup_needs_an_upgrade(runner, db, tmp_path):
    file = tmp_path / "tracker.backup"
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    # As an older release left it: only the tables' owner may change the schema's revision.
    with row_security.maintenance_engine().begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'e9ab439a4770'"))
    older = tmp_path / "older.backup"
    assert runner.invoke(args=["backup", str(older)]).exit_code == 0
    result = runner.invoke(args=["restore", "--yes", str(older)])
    assert result.exit_code == 0, result.output
    assert "e9ab439a4770" in result.output and "tracker db upgrade" in result.output
    result = runner.invoke(args=["restore", "--yes", str(file)])
    assert "tracker db upgrade" not in result.output


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    """An app on its own SQLite file, for what only SQLite does."""
    path = tmp_path / "live.sqlite"
    shutil.copy(sqlite_template, path)
    with extra_app(f"sqlite:///{path}") as app, app.app_context():
        yield app, path


def test_sqlite_backup_is_consistent_while_another_connection_writes(sqlite_app, tmp_path):
    """Each of the writer's transactions adds ten parties: the copy has all ten or none."""
    app, path = sqlite_app
    runner = app.test_cli_runner()
    engine = sa.create_engine(f"sqlite:///{path}")
    stop, committed = threading.Event(), []

    def writer() -> None:
        batch = 0
        while not stop.is_set() or len(committed) < 3:
            rows = [{"name": f"w{batch}-{i}", "kind": "grouping"} for i in range(10)]
            with engine.begin() as connection:
                connection.execute(sa.insert(Party), rows)
            committed.append(batch)
            batch += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 3:  # the writer is under way before the backup starts
            threading.Event().wait(0.01)
        file = tmp_path / "live.backup"
        result = runner.invoke(args=["backup", str(file)])
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert result.exit_code == 0, result.output

    copy = sa.create_engine(f"sqlite:///{file}")
    with copy.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        names = connection.scalars(sa.select(Party.name)).all()
    copy.dispose()
    batches = {}
    for name in names:
        batch = name.split("-")[0]
        batches[batch] = batches.get(batch, 0) + 1
    assert batches and set(batches.values()) == {10}
    assert len(batches) <= len(committed)


def test_postgresql_tools_missing_is_said_plainly(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup_module.glob, "glob", lambda pattern: [])
    with pytest.raises(backup_module.BackupError, match="pg_dump was not found.*postgresql-client"):
        backup_module.pg_tool("pg_dump")


def test_postgresql_tools_are_found_outside_path(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    found = ["/usr/lib/postgresql/9/bin/pg_dump", "/usr/lib/postgresql/16/bin/pg_dump"]
    monkeypatch.setattr(backup_module.glob, "glob", lambda pattern: found)
    assert backup_module.pg_tool("pg_dump") == "/usr/lib/postgresql/16/bin/pg_dump"
