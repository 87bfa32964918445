"""Connection settings that must hold on every database connection, and how transactions
begin: every request that may write is one serializable transaction, on both databases.

A request that reads a record, decides and writes (press "done": read the item, flip it)
must not interleave with another doing the same, or one of the two changes is lost.

SQLite allows one writer at a time. A transaction that starts by reading and only later
writes holds a read snapshot; if another process commits meanwhile, SQLite cannot upgrade
it to a writer and fails at once with "database is locked", whatever the busy timeout. So
for requests and the `tracker` command SQLAlchemy, not the sqlite3 module, begins the
transaction (the pattern of SQLAlchemy's "Transactions with SQLite and the sqlite3
driver"): a request that may write (any method but GET, HEAD, OPTIONS) and the command line
begin with BEGIN IMMEDIATE, taking the write lock first and waiting for it under the busy
timeout; pages that only read begin a plain BEGIN, one consistent snapshot that never
waits, since WAL lets readers work beside the writer. Other code (tests, scripts) keeps the
sqlite3 module's own transactions, which begin at the first write.

PostgreSQL at READ COMMITTED would let both presses read "open" and both write "done". The
same writers take one transaction-scoped advisory lock first, per schema, so writes are
serialized across all app servers as on SQLite, while reads never wait for it.

SERIALIZE_WRITES = False turns all this off: transactions then begin as the drivers do, and
a save that lands between another request's read and write is caught only where records
carry a version (a 409 instead of a lost update; see tracker/web/conflicts.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 10_000
# One lock per schema: separate tracker databases in one server's schemas do not wait on
# each other.
WRITE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('tracker writes in ' || current_schema()))"

_writing: ContextVar[bool] = ContextVar("tracker_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Within this block, SQLite transactions begin IMMEDIATE (outside requests: the CLI)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def may_write() -> bool | None:
    """Whether this context's transactions may write: True for a request with a method that
    changes things and inside writing(), False for other requests; None leaves transactions
    to the drivers (outside requests, and everywhere when SERIALIZE_WRITES is off)."""
    if has_app_context() and not current_app.config.get("SERIALIZE_WRITES", True):
        return None
    if _writing.get() or (has_request_context() and request.method not in READING_METHODS):
        return True
    return False if has_request_context() else None


def begin_statement() -> str | None:
    """How this context's SQLite transactions begin; None leaves it to the sqlite3 module."""
    return {True: "BEGIN IMMEDIATE", False: "BEGIN", None: None}[may_write()]


def _is_sqlite(dbapi_connection) -> bool:
    return isinstance(dbapi_connection, sqlite3.Connection)


def _configure_sqlite(dbapi_connection, _record) -> None:
    """Enforce foreign keys and make SQLite behave under several writers."""
    if not _is_sqlite(dbapi_connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # In WAL mode NORMAL loses no committed transaction on an application crash and keeps
    # the database consistent on power loss (it may lose the last commits then).
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Large collections: keep 16 MB of pages per connection instead of the 2 MB default, so
    # indexes and rows visited again are not read again. (Memory-mapping the file would
    # count the whole database in the process's resident memory after one full read.)
    cursor.execute("PRAGMA cache_size = -16384")
    cursor.close()


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
    elif connection.dialect.name == "postgresql" and may_write():
        # Released by the transaction's commit or rollback, or when its connection closes.
        connection.exec_driver_sql(WRITE_LOCK)


def install() -> None:
    """Apply the connection settings and transaction rules above to every engine."""
    for name, listener in (("connect", _configure_sqlite), ("begin", _begin)):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)
