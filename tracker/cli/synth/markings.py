"""Markings on the synthetic collection, so that access control is measured at scale: of
every ten agreements (by id) one is Unclassified, five Restricted, three Confidential and
one Secret, and what is under an agreement carries its marking. Meetings stay at the lowest
level, as a meeting's existence usually is.

Runs as the last step of a new collection, and on a collection built before markings existed
(``mark``): plain UPDATEs in the caller's transaction, deterministic, repeatable.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.models import Marking, MarkingValue

# The level of the agreement whose id ends in 0, 1, … 9.
LEVEL_BY_LAST_DIGIT = (0, 1, 1, 1, 1, 1, 2, 2, 2, 3)
# Tables of records under an agreement: each takes its agreement's marking.
UNDER_AGREEMENT = ("status_change", "negotiation_point", "action_item", "agenda_item")


def _marking_id(connection: Connection, level: int) -> int:
    value = MarkingValue(level=level)
    table = Marking.__table__
    found = connection.scalar(sa.select(table.c.id).where(table.c.key == value.key))
    if found is None:
        found = connection.execute(
            sa.insert(table).values(key=value.key, level=level, caveats="")
        ).inserted_primary_key[0]
    return found


def is_marked(connection: Connection) -> bool:
    """Whether the collection has markings (any agreement above the lowest)."""
    table = sa.table("agreement", sa.column("marking_id"))
    return connection.scalar(sa.select(sa.literal(1)).where(table.c.marking_id != 1).limit(1)) == 1


def mark(connection: Connection) -> None:
    """Give every agreement, and what is under it, its synthetic marking."""
    ids = [_marking_id(connection, level) for level in LEVEL_BY_LAST_DIGIT]
    cases = " ".join(f"WHEN {digit} THEN {ids[digit]}" for digit in range(10))
    last_digit = "id - (id / 10) * 10"  # integer division on both databases
    connection.exec_driver_sql(
        f"UPDATE agreement SET marking_id = CASE {last_digit} {cases} END"  # noqa: S608  (numbers)
    )
    for table in UNDER_AGREEMENT:
        connection.exec_driver_sql(
            f"UPDATE {table} SET marking_id = "  # noqa: S608  (fixed names)
            f"(SELECT marking_id FROM agreement WHERE agreement.id = {table}.agreement_id)"
        )
    connection.exec_driver_sql(
        "UPDATE party_position SET marking_id = (SELECT marking_id FROM negotiation_point p "
        "WHERE p.id = party_position.point_id)"
    )


def add_markings(run) -> None:
    """The synth step (see tracker/cli/synth/load.py)."""
    mark(run.connection)
