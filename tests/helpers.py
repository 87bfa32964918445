"""Helpers shared by the tests."""

import hashlib
from contextlib import contextmanager

import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db

PASSWORD = "correct horse battery"


def make_test_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # Throttling tests switch it on; elsewhere many logins from one address are normal.
        "RATELIMIT_ENABLED": False,
        # Where the test client's requests go.
        "BASE_URL": "http://localhost",
    }
    config.update(overrides)
    return create_app(config)


def loaded_from(record, prefix: str = "") -> dict[str, str]:
    """The hidden fields of a form loaded from ``record`` as it is now (tracker/web/conflicts.py);
    ``prefix`` names a section of a form with several, such as ``agreements-0-``."""
    return {f"{prefix}version": str(record.version), f"{prefix}seen_change": "0"}


def log_in(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


@contextmanager
def extra_app(database_url: str, **overrides):
    """A second app on the same database; its connections are closed afterwards."""
    app = make_test_app(database_url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# Bookkeeping columns that change without anyone editing a record (logging in, sessions).
SNAPSHOT_IGNORED_COLUMNS = frozenset({("user", "last_login_at"), ("user", "session_version")})


def db_snapshot(engine) -> dict[str, tuple[int, str]]:
    """``{table: (row count, hash of its contents)}`` for every table, read on a connection of
    its own so it sees what other sessions committed. Equal snapshots mean nothing was written
    (the audit trail included: a refused change must not be recorded either)."""
    snapshot = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [
                c for c in table.columns if (table.name, c.name) not in SNAPSHOT_IGNORED_COLUMNS
            ]
            rows = connection.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            digest = hashlib.sha256()
            count = 0
            for row in rows:
                digest.update(repr(tuple(row)).encode())
                count += 1
            snapshot[table.name] = (count, digest.hexdigest()[:16])
    return snapshot


def snapshot_difference(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ between two snapshots, with their row counts."""
    return [
        f"{name}: {before[name][0]} rows -> {after[name][0]} rows"
        + ("" if before[name][0] != after[name][0] else " (contents changed)")
        for name in before
        if before[name] != after[name]
    ]
