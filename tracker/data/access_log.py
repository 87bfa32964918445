"""The access log: who read which marked record at or above ``ACCESS_LOG_LEVEL``, when and
from where, and who asked for a record they may not see (a refusal).

A request's reads are the marked records its session loaded (noted here by the records' own
identity, so records keyed by two ids, a position or an outcome, are named whole), each
once, whatever the request did with it. They are written after the response has gone, in a
short transaction of their own apart from the write lock (tracker/data/database.py), as an
API token's last use is: a page that only reads still writes nothing in its own
transaction, and a request that failed still leaves its reads in the log. Refusals are
looked for only after a 404, among the record ids of the URL: a record that exists but is
hidden from its reader is refused, at every level, since asking for it is what an officer
wants to see. Nothing of this changes a byte of the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.data import access, markings
from tracker.data.database import apart
from tracker.extensions import db
from tracker.models import (
    UNMARKED_ID,
    AccessLogEntry,
    AccessOutcome,
    ActionItem,
    Agreement,
    Marked,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Revision,
    User,
)

NOTED = "tracker.access_log.noted"
# The columns' lengths: a longer path or address is cut, never refused.
PATH_LENGTH = AccessLogEntry.__table__.c.path.type.length
ADDRESS_LENGTH = AccessLogEntry.__table__.c.address.type.length

# The URL arguments that name a marked record, and the record.
RECORD_ARGUMENTS: dict[str, type] = {
    "agreement_id": Agreement,
    "meeting_id": Meeting,
    "point_id": NegotiationPoint,
    "action_id": ActionItem,
    "text_id": NegotiatingText,
    "revision_id": Revision,
}
# Histories name their record as record_type/record_id (tracker/audit/views.py).
HISTORY_TYPES: dict[str, type] = {
    "agreement": Agreement,
    "meeting": Meeting,
    "point": NegotiationPoint,
    "action": ActionItem,
}


@dataclass(frozen=True)
class Entry:
    """One record read or refused: its table, its id (and the second of a two-id key), and
    the level it counted at."""

    record_type: str
    record_id: int
    part_id: int | None
    level: int


@dataclass(frozen=True)
class Visit:
    """Who made the request, from where, when, for which path."""

    user_id: int | None
    address: str
    path: str
    at: datetime


def noted(session: Session) -> set[tuple[str, tuple, int]]:
    """(table, primary key, marking id) of every marked record loaded: in a request, by any
    session of the request (a streamed response reads in a new app context, so with a
    session of its own), else by ``session``. The set itself, which goes on growing while a
    streamed response loads more."""
    if has_request_context():
        return request.environ.setdefault(NOTED, set())
    return session.info.setdefault(NOTED, set())


@event.listens_for(Marked, "load", propagate=True)
def _note_loaded(target, context) -> None:
    session = context.session
    if session is None:
        return
    key = sa.inspect(target).mapper.primary_key_from_instance(target)
    noted(session).add((target.__tablename__, tuple(key), target.marking_id))


def note_rows(session: Session, rows: Iterable[tuple[str, int, int]]) -> None:
    """Count records read as plain rows, not loaded as objects, as read: (table, id,
    marking id) of each (a negotiating text's alternatives and notes)."""
    noted(session).update(
        (table, (record_id,), marking_id) for table, record_id, marking_id in rows
    )


def reads(
    loaded: Iterable[tuple[str, tuple, int]], floor: int, day: date, session: Session
) -> list[Entry]:
    """The records of ``loaded`` that count at ``floor`` or above on ``day``, each once (at
    the highest level it was loaded at, should its marking have changed meanwhile)."""
    found: dict[tuple, Entry] = {}
    levels: dict[int, int] = {UNMARKED_ID: 0}
    for table, key, marking_id in list(loaded):
        if not key or key[0] is None:
            continue
        if marking_id not in levels:
            levels[marking_id] = markings.value_of(session, marking_id).level_on(day)
        level = levels[marking_id]
        if level < floor:
            continue
        record = (table, key[0], key[1] if len(key) > 1 else None)
        if record not in found or found[record].level < level:
            found[record] = Entry(*record, level)
    return sorted(found.values(), key=lambda e: (e.record_type, e.record_id, e.part_id or 0))


def may_hold_reads(loaded: Iterable[tuple[str, tuple, int]], floor: int) -> bool:
    """Whether ``loaded`` may hold a read to log: cheap, for the many requests that load
    only unmarked records."""
    return floor <= 0 or any(marking_id != UNMARKED_ID for _t, _k, marking_id in list(loaded))


def asked_for(view_args: Mapping[str, object] | None) -> list[tuple[type, int]]:
    """The marked records a URL names by id: (model, id)."""
    args = view_args or {}
    wanted = [
        (model, value)
        for name, model in RECORD_ARGUMENTS.items()
        if isinstance(value := args.get(name), int)
    ]
    history = HISTORY_TYPES.get(str(args.get("record_type", "")))
    if history is not None and isinstance(args.get("record_id"), int):
        wanted.append((history, args["record_id"]))
    return wanted


def refusals(
    session: Session, user_id: int, wanted: Iterable[tuple[type, int]], day: date
) -> list[Entry]:
    """Those of ``wanted`` that exist but that the user may not see, at their levels."""
    user = session.get(User, user_id)
    reader = access.for_user(session, user, day=day)
    refused = []
    for model, record_id in wanted:
        marking_id = session.scalar(
            sa.select(model.marking_id)
            .where(model.id == record_id)
            .execution_options(tracker_access=False)
        )
        if marking_id is None:
            continue  # no such record: an ordinary 404
        if reader.everything:
            continue
        access.use(session, reader)
        seen = session.scalar(sa.select(model.id).where(model.id == record_id))
        if seen is None:
            level = markings.value_of(session, marking_id).level_on(day)
            refused.append(Entry(model.__tablename__, record_id, None, level))
    return refused


def write(visit: Visit, entries: Iterable[tuple[Entry, AccessOutcome]]) -> int:
    """Add ``entries`` to the log in a short transaction apart; how many."""
    rows = [
        {
            "at": visit.at,
            "user_id": visit.user_id,
            "record_type": entry.record_type,
            "record_id": entry.record_id,
            "part_id": entry.part_id,
            "level": entry.level,
            "outcome": outcome.value,
            "address": (visit.address or "")[:ADDRESS_LENGTH],
            "path": (visit.path or "")[:PATH_LENGTH],
        }
        for entry, outcome in entries
    ]
    if rows:
        with apart(), db.engine.begin() as connection:
            connection.execute(sa.insert(AccessLogEntry.__table__), rows)
    return len(rows)
