"""`tracker backup FILE` and `tracker restore FILE`: consistent copies while the app runs.

SQLite is copied with its online backup API, which reads one consistent snapshot while the
app goes on writing (WAL), and restored through the same API, so processes that have the
database open see the restored content rather than a file swapped under them. PostgreSQL is
dumped with pg_dump (one snapshot) and restored with pg_restore in a single transaction. A
backup holds the schema revision (`alembic_version`) with the data, so a restored database
is exactly as migrated as it was when backed up.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from tracker.data.database import BUSY_TIMEOUT_MS
from tracker.data.row_security import maintenance_engine
from tracker.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(click.ClickException):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


# ---------------------------------------------------------------------------- commands


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, force: bool) -> None:
    """Write a consistent copy of the database to FILE; the app may keep running.

    SQLite databases are copied with SQLite's online backup; PostgreSQL ones are dumped
    with pg_dump (custom format). The copy holds personal data and password hashes: it is
    written readable by its owner only.
    """
    if file.exists() and not force:
        raise BackupError(f"{file} exists; choose another name or pass --force to replace it.")
    kind = database_kind()
    _end_transaction()
    # Written under a temporary name and moved into place when complete, so FILE is never a
    # half-written backup.
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".part")
    os.close(fd)
    try:
        if kind == "sqlite":
            backup_sqlite(sqlite_path(), Path(draft))
        else:
            pg_dump(Path(draft))
        os.replace(draft, file)
    finally:
        if os.path.exists(draft):
            os.unlink(draft)
    click.echo(
        f"Backed up the {KIND_NAMES[kind]} database (schema revision {backup_revision(file)}) "
        f"to {file} ({file.stat().st_size:,} bytes)."
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database's contents without asking.")
def restore(file: Path, yes: bool) -> None:
    """Replace everything in the database with the backup in FILE.

    FILE must come from `tracker backup` on the same kind of database. Restore when no one
    is editing: changes made since the backup are lost. Afterwards run `tracker db upgrade`
    if the backup is older than the installed code.
    """
    kind = database_kind()
    file_kind = backup_kind(file)
    if file_kind != kind:
        raise BackupError(
            f"{file} is a {KIND_NAMES[file_kind]} backup, but this database is "
            f"{KIND_NAMES[kind]}; restore it into a {KIND_NAMES[file_kind]} database."
        )
    revision = backup_revision(file)
    target = _engine().url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(
            f"Replace everything in {target} with the backup in {file} "
            f"(schema revision {revision})?",
            abort=True,
        )
    _end_transaction()
    if kind == "sqlite":
        restore_sqlite(file, sqlite_path())
    else:
        pg_restore(file)
    # Pooled connections may remember the old schema.
    for engine in {db.engine, _engine()}:
        engine.dispose()
    click.echo(f"Restored {file} into {target} (schema revision {revision}).")
    heads = set(migration_heads())
    if revision not in heads:
        click.echo(
            "The backup's schema revision is not the latest this code knows; "
            "run `tracker db upgrade` before starting the app."
        )


# ---------------------------------------------------------------------------- the database


def _engine() -> sa.Engine:
    """The tables' owner's (DATABASE_OWNER_URL), if set: pg_dump refuses to dump a table
    whose row-level security binds it, and a restore recreates the tables."""
    return maintenance_engine()


def database_kind() -> str:
    name = _engine().url.get_backend_name()
    if name not in KIND_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def sqlite_path() -> Path:
    database = _engine().url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Only an SQLite database in a file can be backed up or restored.")
    return Path(database)


def _end_transaction() -> None:
    """End this command's own transaction, whose locks would make a restore wait for it."""
    db.session.rollback()
    db.session.close()


def migration_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_heads()


def backup_kind(file: Path) -> str:
    with file.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{file} is not a backup made by `tracker backup`.")


def backup_revision(file: Path) -> str:
    """The schema revision a backup holds; refuses files that are not tracker databases."""
    if backup_kind(file) == "sqlite":
        try:
            with closing(_open_read_only(file)) as source:
                row = source.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
    else:
        row = _pg_dump_revision(file)
    if not row:
        raise BackupError(f"{file} holds no tracker database (no schema revision in it).")
    return row[0]


# ---------------------------------------------------------------------------- SQLite


def _open_read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def backup_sqlite(source_path: Path, target: Path) -> None:
    """Copy the live database in one step: one read snapshot, never blocking the writers."""
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    with closing(_open_read_only(source_path)) as source, closing(sqlite3.connect(target)) as copy:
        # pages=-1 copies everything in one step under one read transaction; a copy made in
        # steps would restart whenever another process wrote in between.
        source.backup(copy, pages=-1)
        # A single self-contained file: no -wal file beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
        _check_integrity(copy, target)


def restore_sqlite(file: Path, target_path: Path) -> None:
    """Copy the backup over the live database through SQLite, as one write transaction."""
    with closing(_open_read_only(file)) as source:
        _check_integrity(source, file)
        with closing(sqlite3.connect(target_path)) as target:
            target.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            source.backup(target, pages=-1)
            # The copy brought the backup's journal mode; the app runs SQLite in WAL.
            target.execute("PRAGMA journal_mode = WAL")
            _check_integrity(target, target_path)


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError(f"{path} failed SQLite's integrity check: {result[:3]}")


# ---------------------------------------------------------------------------- PostgreSQL


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if candidates:
        return max(candidates, key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)))
    raise BackupError(
        f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL "
        "client tools of the server's release or newer (Debian: apt-get install "
        "postgresql-client)."
    )


def _libpq_environment() -> dict[str, str]:
    """Environment naming the app's database for libpq tools; the password never appears
    on a command line, where other users of the machine could read it."""
    url = _engine().url
    settings = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    query = {key: value for key, value in url.query.items() if isinstance(value, str)}
    for key, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("options", "PGOPTIONS"),
    ):
        settings[variable] = query.get(key)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment.update({k: v for k, v in settings.items() if v})
    return environment


def _current_schema() -> str:
    with _engine().connect() as connection:
        return connection.scalar(sa.text("SELECT current_schema()"))


def _run(command: list[str], what: str) -> str:
    result = subprocess.run(  # noqa: S603  (a fixed tool and arguments, no shell)
        command, env=_libpq_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def pg_dump(target: Path) -> None:
    """Dump the app's schema (only: a server may hold other applications) in one snapshot."""
    schema = _current_schema()
    _run(
        [
            pg_tool("pg_dump"),
            "--format=custom",
            f"--schema={schema}",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
        ],
        "pg_dump",
    )


# "215; 1259 16390 TABLE public agreement owner"; kinds are upper case, some of two words.
TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (?P<kind>[A-Z]+(?: [A-Z]+)*) (?P<schema>\S+) (?P<name>\S+)")


def _pg_toc(file: Path) -> list[tuple[str, str, str, str]]:
    """The dump's table of contents: (kind, schema, name, line) for each entry."""
    listing = _run([pg_tool("pg_restore"), "--list", str(file)], "pg_restore")
    entries = []
    for line in listing.splitlines():
        match = TOC_ENTRY.match(line)
        if match:
            entries.append((match["kind"], match["schema"], match["name"], line))
    return entries


def _pg_dump_revision(file: Path) -> tuple[str] | None:
    data = _run(
        [pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(file)],
        "pg_restore",
    )
    match = re.search(r"^COPY \S*alembic_version .*?;\n(\S+)\n", data, re.MULTILINE)
    return (match.group(1),) if match else None


def pg_restore(file: Path) -> None:
    """Replace the app's tables with the dump's, in one transaction: all or nothing."""
    schema = _current_schema()
    toc = _pg_toc(file)
    dumped_schemas = {entry_schema for kind, entry_schema, _, _ in toc if kind == "TABLE"}
    if dumped_schemas != {schema}:
        raise BackupError(
            f"{file} holds schema {', '.join(sorted(dumped_schemas)) or '(none)'}, but the app "
            f"uses schema {schema}; restore it into a database whose app schema has that name."
        )
    dumped_tables = {name for kind, _, name, _ in toc if kind == "TABLE"}
    live_tables = set(sa.inspect(_engine()).get_table_names(schema=schema))
    if extra := live_tables - dumped_tables:
        raise BackupError(
            f"The database has tables the backup lacks ({', '.join(sorted(extra))}), so it is "
            "newer than the backup. Restore into an empty database (create a new one, point "
            "TRACKER_DATABASE_URL at it), then run `tracker db upgrade`."
        )
    # The schema itself stays (it may be `public`, with its own owner and grants); only
    # the objects in it are dropped and recreated.
    entries = [
        line
        for kind, _, name, line in toc
        if kind != "SCHEMA" and not (kind == "COMMENT" and name == "SCHEMA")
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write("\n".join(entries) + "\n")
        listing.flush()
        _run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--use-list={listing.name}",
                f"--dbname={_engine().url.database}",
                str(file),
            ],
            "pg_restore",
        )
