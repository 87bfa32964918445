"""PostgreSQL row-level security: the database enforces the need-to-know rule too.

The app narrows every ORM query to what its reader may see (tracker/data/access.py). On
PostgreSQL, migration 0017 also makes the rule each table's row-level security policy, a
second line that holds for a query which forgot the first (a Core statement, raw SQL, a
query run with ``tracker_access=False``). The policies read three settings, which this
module makes in every transaction, before its first statement, with ``SET LOCAL`` (gone
at the transaction's end, so a pooled connection carries nothing to its next user):

- ``tracker.everything`` = ``on``: every row (the command line, scripts, a request's
  reads of the rule's own tables: :func:`tracker.data.access.reading_whole`);
- ``tracker.markings``: the ids of the markings the reader may read, comma-separated;
- ``tracker.agreements``: the need-to-know agreements whose access list holds them.

What a transaction's statements run for is ``access.current(session)`` for a session's
connection, and for any other connection what a session without a reader would get:
everything outside a request, nothing in one. It is looked at before each statement, so a
reader set or changed in an open transaction (``access.use()`` after a login) holds from
the next statement on; the settings are sent only when they change.

``SET LOCAL`` takes no snapshot, so a deferred writing transaction can still become
REPEATABLE READ after it (tracker/data/database.py), and it goes straight to the driver's
cursor, so that hook does not take it for a write (which would take the write lock).

The policies bind only a role that neither owns the tables nor has BYPASSRLS: the app must
connect as such a role for them to count, and the migrations and backups run as the owner
(``DATABASE_OWNER_URL``, :func:`maintenance_engine`; README, "PostgreSQL roles and
row-level security"). The settings are no secret from SQL the app runs: they guard against
a query that forgot the rule, not against SQL injected into the app.
"""

from __future__ import annotations

import weakref

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tracker.data import access
from tracker.data.database import BUMP, WRITE_LOCK
from tracker.extensions import db

# Where a connection keeps, for its current transaction, the session it serves and the
# access its settings were last made for.
SESSION = "tracker.row_security.session"
APPLIED = "tracker.row_security.applied"
# The bind Flask-SQLAlchemy makes for DATABASE_OWNER_URL (tracker/config.py).
OWNER_BIND = "owner"
# The write lock's own statements touch no marked table.
_UNMARKED = frozenset({WRITE_LOCK, BUMP})


def settings_sql(reader: access.Access) -> str:
    """The ``SET LOCAL`` statements that make the settings the policies read for ``reader``."""
    if reader.everything:
        values = {"everything": "on", "markings": "", "agreements": ""}
    else:
        values = {
            "everything": "off",
            "markings": ",".join(str(int(i)) for i in sorted(reader.markings)),
            "agreements": ",".join(str(int(i)) for i in sorted(reader.agreements)),
        }
    return "; ".join(f"SET LOCAL tracker.{name} = '{value}'" for name, value in values.items())


def _reader(connection: Connection) -> access.Access:
    found = connection.info.get(SESSION)
    session = found() if found is not None else None
    if session is not None:
        return access.current(session)
    return access.NOTHING if has_request_context() else access.EVERYTHING


def _apply(connection: Connection, reader: access.Access) -> None:
    applied = connection.info.get(APPLIED)
    if applied is reader or (applied is not None and applied.key == reader.key):
        connection.info[APPLIED] = reader
        return
    cursor = connection.connection.cursor()
    try:
        cursor.execute(settings_sql(reader))
    finally:
        cursor.close()
    connection.info[APPLIED] = reader


def _begin(connection: Connection) -> None:
    # The connection's info outlives its transaction (and its checkout): start afresh.
    connection.info.pop(SESSION, None)
    connection.info.pop(APPLIED, None)


def _bind(session: Session, _transaction, connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.info[SESSION] = weakref.ref(session)


def _before_statement(connection, _cursor, statement, _parameters, _context, _executemany):
    if connection.dialect.name != "postgresql" or statement in _UNMARKED:
        return
    _apply(connection, _reader(connection))


def install() -> None:
    """Make the settings in every PostgreSQL transaction of every engine and session."""
    listeners = (
        (Engine, "begin", _begin),
        (Session, "after_begin", _bind),
        (Engine, "before_cursor_execute", _before_statement),
    )
    for target, name, listener in listeners:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def maintenance_engine() -> sa.Engine:
    """The engine of the tables' owner (``DATABASE_OWNER_URL``), for migrations and backups;
    the app's own engine when no owner is configured."""
    return db.engines.get(OWNER_BIND) or db.engine


def grant_statements(connection: Connection, role: str) -> list[str]:
    """What the app's role needs on the schema ``connection`` (the tables' owner) uses:
    reading and writing every table and sequence there, now and those later migrations add
    (default privileges), except changing the audit trail (but raising an entry's marking
    with its record's) or the schema's revision."""
    quote = connection.dialect.identifier_preparer.quote
    schema = quote(connection.scalar(sa.text("SELECT current_schema()")))
    owner = quote(connection.scalar(sa.text("SELECT current_user")))
    app = quote(role)
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT"
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"{defaults} SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"{defaults} USAGE, SELECT ON SEQUENCES TO {app}",
        f"REVOKE UPDATE, DELETE ON audit_record FROM {app}",
        f"GRANT UPDATE (marking_id) ON audit_record TO {app}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {app}",
    ]


def grant(connection: Connection, role: str) -> None:
    """Grant ``role`` what the app needs (:func:`grant_statements`), as the tables' owner."""
    for statement in grant_statements(connection, role):
        connection.exec_driver_sql(statement)
