"""Putting the PostgreSQL test schema back as the migrations left it, after each test.

By TRUNCATE, which gives every table and index new files: about 0.1 s of the server's time
(60 ms of it CPU), and on a machine busy with other disk work several times that, as the new
file of each of the ~140 indexes is synced to disk. Deleting only what a test wrote takes
about 12 ms, but it leaves the deleted rows in the tables' pages, whose space and line
pointers later inserts take once autovacuum or pruning frees them: rows then come back from a
query without ORDER BY in an order that depends on earlier tests and on when autovacuum ran.
The app's collections all have an order now (an agreement's parties, a meeting's agenda, a
point's positions: tests/api/test_collection_order.py), but a test's own query for what it
wrote need not, and one comparing it with what it created would fail now and then. Emptied
by TRUNCATE, a table returns rows in the order they were inserted, in every test.
"""

from __future__ import annotations

import sqlalchemy as sa

# The rows the migrations put in, which every test starts with: the lowest marking, which
# every record points at by default, and the change counter at 0 (TRUNCATE's triggers raise
# it again).
SEEDED = {"marking", "data_version"}
PUT_BACK = [
    "DELETE FROM marking WHERE id <> 1",
    "SELECT setval(pg_get_serial_sequence('marking', 'id'), 1)",
    "DELETE FROM data_version",
    "INSERT INTO data_version (id, n) VALUES (1, 0)",
]


class SchemaReset:
    """What the schema held once migrated, and how to go back to it."""

    def __init__(self, connection: sa.Connection, metadata: sa.MetaData) -> None:
        names = [table.name for table in metadata.sorted_tables]
        held = [
            name
            for name in names
            if connection.scalar(sa.text(f'SELECT EXISTS (SELECT FROM "{name}")'))
        ]
        if sorted(held) != sorted(SEEDED):
            raise RuntimeError(
                f"The migrated test schema holds rows in {held}; tests/postgres_reset.py "
                f"puts back those of {sorted(SEEDED)}: say there what a new migration puts in"
            )
        emptied = ", ".join(f'"{name}"' for name in names if name != "marking")
        self.sql = "; ".join([f"TRUNCATE {emptied} RESTART IDENTITY CASCADE", *PUT_BACK])

    def reset(self, engine: sa.Engine) -> None:
        """Put the schema back, in one transaction; an OperationalError if a lock was not
        had within two minutes."""
        with engine.begin() as connection:
            # The connections' usual bound on a lock wait (tracker/data/database.py) is
            # short for a busy machine, where a connection the test's app has just closed
            # may still be ending on the server; a lock held for good still fails.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '120s'")
            connection.exec_driver_sql(self.sql)
