"""Connection settings that must hold on every database connection, and how transactions
begin and take the write lock: every request that may write is one serializable
transaction, on both databases, and holds the write lock as briefly as that allows.

A request that reads a record, decides and writes (press "done": read the item, flip it)
must not interleave with another doing the same, or one of the two changes is lost.

**SQLite** allows one writer at a time. A transaction that starts by reading and only later
writes holds a read snapshot; when it writes, SQLite makes it the writer only if no other
connection has committed since that snapshot was taken and none holds the write lock, and
otherwise refuses at once ("database is locked", SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT),
whatever the busy timeout. For requests and the `tracker` command SQLAlchemy, not the
sqlite3 module, begins the transaction (the pattern of SQLAlchemy's "Transactions with
SQLite and the sqlite3 driver"), and uses that rule instead of fighting it:

- A request that may write (any method but GET, HEAD, OPTIONS) first runs *deferred*: a
  plain BEGIN, so loading the user and the record, parsing and validating the form, and
  showing it again with its errors all happen on a read snapshot, without the write lock.
  A request whose form is refused never takes the lock at all.
- Its first write asks for the lock. SQLite grants it only when the snapshot is still the
  latest state of the database, that is exactly when everything the request read still
  holds, and the request keeps the lock until it commits.
- If SQLite refuses, the request has written nothing and committed nothing: it is rolled
  back and run once more from the start (:func:`run_request`; the web layer resets the
  logged-in user and the session cookie), this time taking the lock first (BEGIN
  IMMEDIATE, waiting for it under the busy timeout), as every writing request once did.
  After a commit, a request's later transactions take the lock first too, so a request
  never runs again once it has changed anything.

So a save is made either on a snapshot that is still current, or under the lock since the
request's first read: what a writing request read still holds when it commits, either way.
Pages that only read begin a plain BEGIN, one consistent snapshot that never waits, since
WAL lets readers work beside the writer. The `tracker` command (:func:`writing`) takes the
lock first. Other code (tests, scripts) keeps the sqlite3 module's own transactions, which
begin at the first write. SQLite's rule covers every connection to the file, in the app or
not, so nothing there writes the write sequence below: its table exists (the migrations
are the same on both databases) and stays empty.

**PostgreSQL** at READ COMMITTED, its default, would let both presses read "open" and both
write "done", and has no rule of its own like SQLite's. The app makes one from two parts: a
transaction-scoped advisory lock (``WRITE_LOCK``, one per schema, so separate tracker
databases in one server's schemas do not wait on each other), and one row, the *write
sequence* (table ``write_sequence``), that every writer raises while it holds the lock
(``BUMP``). The row changes with every writer's commit, so a transaction on an older
snapshot cannot raise it: at REPEATABLE READ, PostgreSQL refuses the update ("could not
serialize access due to concurrent update", SQLSTATE 40001). The same steps as on SQLite
follow:

- A writing request runs *deferred*: its transaction takes no lock at its start. If its
  first statement reads, the transaction becomes REPEATABLE READ (one snapshot, taken by
  that statement, for the whole transaction), and loading, parsing, validating and drawing
  a refused form again happen on it without the lock.
- Its first write takes the lock (waiting for the writer ahead, if any) and raises the
  write sequence. A write is any statement but a SELECT that locks no rows: an ORM flush's
  INSERT, UPDATE or DELETE, a Core statement (the login throttle's), text, a SELECT ... FOR
  UPDATE; the hook is SQLAlchemy's ``before_cursor_execute``, which sees every statement
  sent through SQLAlchemy (not what goes to the driver's own cursor). If another writer
  committed since the request's snapshot, the raise is refused: :class:`WriteRefused`, and
  the request runs once more from the start, taking the lock first, as on SQLite.
  Otherwise no writer has committed since the snapshot, which is still the latest state,
  and the request keeps the lock until it commits. A deferred transaction whose first
  statement writes has read nothing: it takes the lock and raises the sequence there, at
  READ COMMITTED, and is never refused.
- Every other writer takes the lock at the start of its transaction, at READ COMMITTED, and
  raises the sequence there, whatever it goes on to do: the second run of a refused
  request, a request's transactions after its first commit, and the `tracker` command
  (:func:`writing`), which covers writes no statement hook sees (synth-data's bulk COPY)
  and `tracker db upgrade`'s migrations (the raise does nothing before the table exists).
  Such a transaction that commits having written nothing raises the sequence for nothing;
  a deferred request refused because of it runs again, no worse.

A writer that does not raise the sequence (Alembic or a script run outside the `tracker`
command, a DBA's SQL in psql, pg_restore) can commit between a deferred request's first
read and its first write unnoticed. Edited records still lose nothing: REPEATABLE READ
refuses the request's update or delete of a row that writer changed since the snapshot (the
request then runs again and sees the change), and a form loaded before the change is
refused by its record version wherever the change raised it (409, tracker/web/conflicts.py).
What can slip is a decision made on rows the request reads but does not write (whether a
user is still active, or the last active admin). Such writers are maintenance, run with the
app stopped or quiet, so that is acceptable; one that must run beside the app should go
through the `tracker` command, or take ``WRITE_LOCK`` and run ``BUMP`` in its transaction.

**On both**, a request whose save is refused (an invalid form, an edit conflict, a rule
the change breaks) ends its transaction there (:func:`done_writing`, called by the one
save path) and reads without the lock from then on, so drawing the form again with its
errors never holds the lock; writing after that is a programming error.

**Waiting.** A write waits for the lock at most ``LOCK_WAIT_SECONDS`` (SQLite's busy
timeout, PostgreSQL's ``lock_timeout``); then :class:`DatabaseBusy` is raised, which the app
answers with a 503 page and ``Retry-After``, the transaction rolled back.

**Files.** A new SQLite database file is created readable by its owner only (0600) before
SQLite opens it; SQLite gives its ``-wal`` and ``-shm`` files the database file's mode. An
existing file's mode is left as it is.

**Counters apart.** A few counters no request reads to decide what to write (the API's
calls per token) are written in short transactions of their own on another connection
(:func:`apart`): they take no lock and raise no write sequence, so counting a call never
waits for a save or makes a deferred request run again on PostgreSQL. (On SQLite the
counter's commit is a commit like any other: a deferred request that read before it runs
again when it writes.)

SERIALIZE_WRITES = False turns the serializing off: transactions then begin as the drivers
do, nothing raises the write sequence, and a save that lands between another request's read
and write is caught only where records carry a version (a 409 instead of a lost update; see
tracker/web/conflicts.py).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import CompoundSelect, Select

from tracker.extensions import db

logger = logging.getLogger("tracker.data")

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a write waits for the lock when the app's LOCK_WAIT_SECONDS does not say.
BUSY_TIMEOUT_MS = 10_000
# One lock per schema: separate tracker databases in one server's schemas do not wait on
# each other.
WRITE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('tracker writes in ' || current_schema()))"
# Raise the write sequence (tracker/models/write_sequence.py), under the lock: an upsert, as
# the first writer makes the row (and the tests empty every table). Nothing while the table
# does not exist yet, since `tracker db upgrade` runs it before the migration that makes it.
BUMP = (
    "DO $$BEGIN IF to_regclass('write_sequence') IS NOT NULL THEN "
    "INSERT INTO write_sequence (id, n) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET n = write_sequence.n + 1; END IF; END$$"
)
# PostgreSQL's error for a lock wait that ran out (lock_timeout).
LOCK_NOT_AVAILABLE = "55P03"
# PostgreSQL's error for a REPEATABLE READ transaction updating a row that a transaction
# its snapshot does not see has changed: here, another writer raised the write sequence.
SERIALIZATION_FAILURE = "40001"
# Where a PostgreSQL connection keeps how its current writing transaction stands (below).
_TRANSACTION = "tracker_write_transaction"
_FRESH = "fresh"  # deferred, no statement yet
_READING = "reading"  # deferred, REPEATABLE READ, without the lock
_LOCKED = "locked"  # holds the lock and has raised the write sequence
# A new database file: readable and writable by its owner only, like the secret key.
PRIVATE_FILE_MODE = 0o600

T = TypeVar("T")


class DatabaseBusy(exc.OperationalError):
    """A wait for the write lock that ran out: other writes kept the database busy."""


class WriteRefused(Exception):
    """The database would not let a deferred request write: another writer committed since
    the request began reading (or, on SQLite, is writing now). The request runs again,
    taking the lock first."""


@dataclass
class _Request:
    """How the transactions of one request begin (see :func:`run_request`)."""

    deferred: bool  # the lock is asked for at the first write
    done: bool = False  # the request's save was refused: it writes no more


_writing: ContextVar[bool] = ContextVar("tracker_writing", default=False)
_apart: ContextVar[bool] = ContextVar("tracker_apart", default=False)
_request: ContextVar[_Request | None] = ContextVar("tracker_request_writes", default=None)


@contextmanager
def writing() -> Iterator[None]:
    """Within this block transactions take the write lock first (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: the lock and the write sequence), outside requests: the CLI."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def apart() -> Iterator[None]:
    """Within this block transactions begin as the drivers do, without the write lock: for
    counters written on a connection of their own that no request decides on (see above)."""
    token = _apart.set(True)
    try:
        yield
    finally:
        _apart.reset(token)


def may_write() -> bool | None:
    """Whether this context's transactions may write: True for a request with a method that
    changes things (until its save is refused) and inside writing(), False for other
    requests; None leaves transactions to the drivers (outside requests, and everywhere when
    SERIALIZE_WRITES is off)."""
    if has_app_context() and not current_app.config.get("SERIALIZE_WRITES", True):
        return None
    if _apart.get():
        return None
    if _writing.get():
        return True
    if not has_request_context():
        return None
    state = _request.get()
    if state is not None and state.done:
        return False
    return request.method not in READING_METHODS


def _deferred() -> bool:
    state = _request.get()
    return state is not None and state.deferred and not _writing.get() and not _apart.get()


def begin_statement() -> str | None:
    """How this context's SQLite transactions begin; None leaves it to the sqlite3 module."""
    writes = may_write()
    if writes is None:
        return None
    return "BEGIN IMMEDIATE" if writes and not _deferred() else "BEGIN"


def run_request(dispatch: Callable[[], T], *, again: Callable[[], None]) -> T:
    """Run one request (``dispatch``) under the rules above: a request that may write runs
    deferred first and, if the database refuses its first write, once more after ``again()``
    has reset what the first run left in the request, taking the lock first."""
    deferred = may_write() is True
    token = _request.set(_Request(deferred=deferred))
    try:
        if not deferred:
            return dispatch()
        try:
            return dispatch()
        except WriteRefused:
            logger.debug("Write refused: %s %s runs again", request.method, request.path)
            db.session.rollback()
            again()
        _request.set(_Request(deferred=False))
        return dispatch()
    finally:
        _request.reset(token)


def holds_snapshot(connection: Connection) -> bool:
    """Whether the rest of ``connection``'s transaction sees the database as it has so far:
    on SQLite inside a transaction (it reads one snapshot, or holds the write lock); on
    PostgreSQL a deferred request's transaction once it has read (REPEATABLE READ). Not
    at READ COMMITTED, where each statement sees what others have committed since."""
    dbapi_connection = connection.connection.driver_connection
    if _is_sqlite(dbapi_connection):
        return dbapi_connection.in_transaction
    if connection.dialect.name == "postgresql":
        return connection.info.get(_TRANSACTION) == _READING
    return False


def done_writing() -> None:
    """This request will write no more (its save was refused): end its transaction now,
    releasing the write lock if it holds it, and begin any later ones read-only."""
    state = _request.get()
    if state is None or state.done or may_write() is not True:
        return
    db.session.rollback()
    state.done = True


def _refuse_late_writes(_session, _flush_context, _instances) -> None:
    state = _request.get()
    if state is not None and state.done and has_request_context():
        raise RuntimeError(
            "This request's save was refused, so it reads without the write lock from then "
            "on; it must not write (see tracker/data/database.py)."
        )


def _committed(_connection: Connection) -> None:
    # Once a request has changed something it must never run again: later transactions take
    # the lock first.
    state = _request.get()
    if state is not None:
        state.deferred = False


def _lock_wait_ms() -> int:
    if has_app_context():
        return int(current_app.config.get("LOCK_WAIT_SECONDS", BUSY_TIMEOUT_MS / 1000) * 1000)
    return BUSY_TIMEOUT_MS


def _is_sqlite(dbapi_connection) -> bool:
    return isinstance(dbapi_connection, sqlite3.Connection)


def _create_private_file(dialect, _record, cargs, cparams) -> None:
    """Create a new SQLite database file readable by its owner only, before SQLite makes it
    with the process's umask (its -wal and -shm files then get the same mode)."""
    if dialect.name != "sqlite" or cparams.get("uri") or not cargs:
        return
    path = cargs[0]
    if not isinstance(path, str) or path in ("", ":memory:"):
        return
    # Already there (its mode is left alone), or a folder missing: SQLite says what is wrong.
    with suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


def _configure_connection(dbapi_connection, _record) -> None:
    """Enforce foreign keys and make SQLite behave under several writers; bound the wait
    for a lock on both databases."""
    if not _is_sqlite(dbapi_connection):
        _configure_postgresql(dbapi_connection)
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {_lock_wait_ms()}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # In WAL mode NORMAL loses no committed transaction on an application crash and keeps
    # the database consistent on power loss (it may lose the last commits then).
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Large collections: keep 16 MB of pages per connection instead of the 2 MB default, so
    # indexes and rows visited again are not read again. (Memory-mapping the file would
    # count the whole database in the process's resident memory after one full read.)
    cursor.execute("PRAGMA cache_size = -16384")
    cursor.close()


def _configure_postgresql(dbapi_connection) -> None:
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    # Outside any transaction, so the setting holds for the connection's whole life.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = {_lock_wait_ms()}")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def _begin(connection: Connection) -> None:
    dbapi_connection = connection.connection.driver_connection
    if _is_sqlite(dbapi_connection):
        statement = begin_statement()
        # Set for each transaction, as pooled connections serve every context; no
        # transaction is open at this point, so changing the mode commits nothing.
        if statement is None:
            dbapi_connection.isolation_level = ""  # the sqlite3 module begins before a write
        else:
            dbapi_connection.isolation_level = None  # the sqlite3 module begins nothing
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        # Set for each transaction: the connection's info outlives it.
        connection.info[_TRANSACTION] = None
        if may_write():
            if _deferred():
                connection.info[_TRANSACTION] = _FRESH
            else:
                _take_write_lock(connection)


def _take_write_lock(connection: Connection) -> None:
    """Take the write lock (released by the transaction's commit or rollback, or when its
    connection closes) and raise the write sequence; refused as WriteRefused on a stale
    REPEATABLE READ snapshot (see _lock_errors)."""
    connection.exec_driver_sql(WRITE_LOCK)
    connection.exec_driver_sql(BUMP)
    connection.info[_TRANSACTION] = _LOCKED


# The row-locking clauses of a PostgreSQL SELECT: a SELECT with one locks rows.
ROW_LOCK = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


def _reads_only(context: ExecutionContext | None, sql: str) -> bool:
    """Whether a statement only reads: a SELECT that locks no rows. Anything else (INSERT,
    UPDATE, DELETE, text or driver SQL, DDL) counts as a write. (Values are bound, never in
    ``sql``, so only the statement itself can hold the row-locking words.)"""
    compiled = getattr(context, "compiled", None)
    statement = compiled.statement if compiled is not None else None
    return isinstance(statement, (Select, CompoundSelect)) and not ROW_LOCK.search(sql)


def _before_statement(connection, _cursor, statement, _parameters, context, _executemany):
    """PostgreSQL, a deferred writing transaction: before its first statement, REPEATABLE
    READ if that statement reads, or the lock if it writes; before its first write, the
    lock (see the module's text)."""
    if connection.dialect.name != "postgresql":
        return
    state = connection.info.get(_TRANSACTION)
    if state not in (_FRESH, _READING):
        return
    reads = _reads_only(context, statement)
    if reads and state == _READING:
        return
    connection.info[_TRANSACTION] = None  # our own statements below pass through here too
    if reads:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        connection.info[_TRANSACTION] = _READING
    else:
        _take_write_lock(connection)


def _lock_errors(context: exc.ExceptionContext) -> Exception | None:
    """A refused or timed-out lock as WriteRefused (a deferred request runs again) or
    DatabaseBusy (the wait ran out); other errors as they are."""
    error = context.original_exception
    if isinstance(error, sqlite3.OperationalError):
        if not getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
            return None
        if _deferred():
            return WriteRefused(str(error))
    else:
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate == SERIALIZATION_FAILURE and _deferred():
            # Only a deferred transaction is REPEATABLE READ, and it has committed nothing.
            return WriteRefused(str(error))
        if sqlstate != LOCK_NOT_AVAILABLE:
            return None
    return DatabaseBusy(context.statement, context.parameters, error)


def install() -> None:
    """Apply the connection settings and transaction rules above to every engine."""
    listeners = (
        (Engine, "do_connect", _create_private_file),
        (Engine, "connect", _configure_connection),
        (Engine, "begin", _begin),
        (Engine, "before_cursor_execute", _before_statement),
        (Engine, "commit", _committed),
        (Engine, "handle_error", _lock_errors),
        (Session, "before_flush", _refuse_late_writes),
    )
    for target, name, listener in listeners:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
