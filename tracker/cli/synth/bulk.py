"""Writing rows in bulk, counting and timing them, and tidying the database afterwards.

Nothing here knows what the rows are; the generators hand over lazy iterators of dicts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.engine import Connection

BATCH = 5_000


@dataclass
class SynthReport:
    """Rows written per table and how long each step took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _batches(rows: Iterator[dict], size: int = BATCH) -> Iterator[list[dict]]:
    while batch := list(islice(rows, size)):
        yield batch


class BulkWriter:
    """Inserts rows into one connection in batches and tallies them in a report."""

    def __init__(self, connection: Connection, report: SynthReport) -> None:
        self.connection = connection
        self.report = report

    # One step: build rows lazily, insert them in batches, time it. The rows go straight to
    # the driver's executemany, with each column's own bind processing (UTC datetimes, dates
    # as SQLite stores them) applied here: SQLAlchemy's per-row parameter handling would
    # otherwise cost more than the database's work.
    def insert(self, label: str, table: sa.Table, rows: Iterator[dict]) -> None:
        started = time.perf_counter()
        count = 0
        dialect = self.connection.dialect
        statement = processors = None
        for batch in _batches(rows):
            if statement is None:
                columns = list(batch[0])
                marker = "?" if dialect.paramstyle == "qmark" else "%s"
                quote = dialect.identifier_preparer.quote
                statement = (
                    f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                    f"VALUES ({', '.join([marker] * len(columns))})"
                )
                processors = [
                    table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                    for name in columns
                ]
                converting = [(k, p) for k, p in enumerate(processors) if p is not None]
            values = [list(row.values()) for row in batch]
            for row in values:
                for k, process in converting:
                    row[k] = process(row[k])
            if dialect.name == "postgresql":
                self._copy(table, columns, values)
            else:
                self.connection.exec_driver_sql(statement, [tuple(row) for row in values])
            count += len(batch)
        self.report.rows[label] = self.report.rows.get(label, 0) + count
        elapsed = time.perf_counter() - started
        self.report.seconds[label] = self.report.seconds.get(label, 0.0) + elapsed

    def _copy(self, table: sa.Table, columns: list[str], values: list[list]) -> None:
        """PostgreSQL's COPY: one statement per batch, where executemany sends one per row
        (and statement-level triggers would run for each)."""
        quote = self.connection.dialect.identifier_preparer.quote
        names = ", ".join(map(quote, columns))
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)


def reset_sequences(connection: Connection, tables: Iterable[str]) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not advance."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
            )
        )


def tidy(engine: sa.Engine) -> None:
    """After a bulk load: statistics for the query planner, and on PostgreSQL the space of
    the dead rows the triggers' updates left behind (VACUUM cannot run in a transaction)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
