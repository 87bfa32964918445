"""``generate``: refuse a database with records unless told, run the steps in their fixed
order in the caller's transaction, leave the id sequences ready, report."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.cli.synth.agreements import add_agreements
from tracker.cli.synth.bulk import SynthReport, reset_sequences
from tracker.cli.synth.markings import add_markings
from tracker.cli.synth.meetings import add_meetings
from tracker.cli.synth.parties import add_parties_people_staff
from tracker.cli.synth.progress import add_progress
from tracker.cli.synth.state import ID_MODELS, SynthParams, SynthRun
from tracker.models import ActionItem, Agreement, Meeting, Party, Person, StatusChange

# Tables synth-data writes to; any row in them means the database is not empty.
CONTENT_TABLES = (Party, Person, Agreement, Meeting)
# Each step draws from the one random stream after the one before: the order is the output.
STEPS = (add_parties_people_staff, add_agreements, add_meetings, add_progress, add_markings)


class NotEmptyError(RuntimeError):
    """The database already holds records and the caller did not confirm adding to them."""


def is_empty(connection: Connection) -> bool:
    return not any(
        connection.scalar(sa.select(sa.literal(1)).select_from(model).limit(1))
        for model in CONTENT_TABLES
    )


def _run(connection: Connection, params: SynthParams) -> SynthReport:
    run = SynthRun(connection, params)
    for step in STEPS:
        step(run)
    return run.report


def generate(
    connection: Connection,
    params: SynthParams,
    *,
    allow_existing: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SynthReport:
    """Write a synthetic collection in the caller's transaction; refuse a non-empty database."""
    if not allow_existing and not is_empty(connection):
        raise NotEmptyError("The database already holds records.")
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # room for the indexes being filled in random order; the default is 2 MB
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
    try:
        report = _run(connection, params)
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA cache_size = -2000")
    reset_sequences(
        connection, [model.__tablename__ for model in (*ID_MODELS, StatusChange, ActionItem)]
    )
    if progress:
        for label, rows in report.rows.items():
            progress(f"{label:>22}: {rows:>9,} rows in {report.seconds[label]:6.1f} s")
    return report
