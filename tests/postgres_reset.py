"""Putting the PostgreSQL test schema back as the migrations left it, between tests.

TRUNCATE of all 36 tables took 0.1-0.3 s of the server's time after every PostgreSQL test
(each table and index gets new files), more than most tests took themselves. What a test
wrote is found instead (a table with rows, a sequence that moved) and only that is deleted
and set back: a few milliseconds.
"""

from __future__ import annotations

import sqlalchemy as sa

# The rows the migrations put in, which every test starts with: the lowest marking, which
# every record points at by default, and the change counter at 0.
SEEDED = {
    "marking": {
        "changed": "id <> 1",
        "reset": ["DELETE FROM marking WHERE id <> 1"],
    },
    "data_version": {
        "changed": "NOT (id = 1 AND n = 0)",
        "reset": ["DELETE FROM data_version", "INSERT INTO data_version (id, n) VALUES (1, 0)"],
    },
}
# Its trigger refuses to delete an audit entry (to the tables' owner too); TRUNCATE fires no
# row triggers.
APPEND_ONLY = {"audit_record"}
_SEQUENCES = sa.text(
    "SELECT sequencename, last_value, start_value FROM pg_sequences"
    " WHERE schemaname = current_schema()"
)


class SchemaReset:
    """What the schema held once migrated, and how to go back to it."""

    def __init__(self, connection: sa.Connection, metadata: sa.MetaData) -> None:
        # Parents before children: deleted the other way round.
        self.tables = [table.name for table in metadata.sorted_tables]
        held = [name for name in self.tables if connection.scalar(self._any(name))]
        if sorted(held) != sorted(SEEDED):
            raise RuntimeError(
                f"The migrated test schema holds rows in {held}, tests/postgres_reset.py "
                f"knows of {sorted(SEEDED)}: say there what a new migration puts in"
            )
        # Each sequence's last value (None: never used) as the migrations left it.
        self.sequences = {name: last for name, last, _ in connection.execute(_SEQUENCES)}
        self._changed = sa.text(
            " UNION ALL ".join(
                f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\""
                + (
                    f' WHERE {SEEDED[name]["changed"]}) OR NOT EXISTS (SELECT FROM "{name}")'
                    if name in SEEDED
                    else ")"
                )
                for name in self.tables
            )
        )

    @staticmethod
    def _any(name: str) -> sa.TextClause:
        return sa.text(f'SELECT EXISTS (SELECT FROM "{name}")')

    def statements(self, connection: sa.Connection) -> list[str]:
        """What puts the schema back, read on ``connection``: nothing if nothing changed."""
        changed = set(connection.scalars(self._changed))
        statements = []
        for name in reversed(self.tables):
            if name not in changed or name in SEEDED:
                continue
            verb = "TRUNCATE" if name in APPEND_ONLY else "DELETE FROM"
            statements.append(f'{verb} "{name}"')
        if statements or changed & SEEDED.keys():
            # Deleting from a counted table raises the change counter, so it goes back last.
            statements += SEEDED["marking"]["reset"] + SEEDED["data_version"]["reset"]
        for sequence, last, start in connection.execute(_SEQUENCES):
            if sequence in self.sequences and last != self.sequences[sequence]:
                was = self.sequences[sequence]
                value = f"{int(start)}, false" if was is None else f"{int(was)}, true"
                statements.append(f"SELECT setval('\"{sequence}\"', {value})")
        return statements

    def reset(self, engine: sa.Engine) -> None:
        """Put the schema back, in one transaction; an OperationalError if a lock was not
        had within two minutes."""
        with engine.begin() as connection:
            # The connections' usual bound on a lock wait (tracker/data/database.py) is
            # short for a busy machine, where a connection the test's app has just closed
            # may still be ending on the server; a lock held for good still fails.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '120s'")
            statements = self.statements(connection)
            if not statements:
                return
            connection.exec_driver_sql("; ".join(statements))
            # Cheap (two reads), and a reset that missed something would let tests see each
            # other's rows.
            left = self.statements(connection)
            if left:
                raise RuntimeError(f"The test schema was not put back; still needed: {left}")
