"""The markings in use: read once per app and kept (their rows never change), and stored on
demand when a record is given a marking nobody has used yet."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from tracker.models import Marking, MarkingValue, Party, marking_release
from tracker.models.marking import DEFAULT_CAVEATS, DEFAULT_LEVELS

KEPT = "tracker.markings"
# Called with (session, id, value) when a marking is first stored (tracker/data/access.py).
ON_NEW: list = []


@dataclass
class _Known:
    values: dict[int, MarkingValue] = field(default_factory=dict)
    top: int = 0


def levels() -> tuple[str, ...]:
    """The deployment's level names, lowest first (``CLASSIFICATION_LEVELS``)."""
    if has_app_context():
        return tuple(current_app.config.get("CLASSIFICATION_LEVELS") or DEFAULT_LEVELS)
    return DEFAULT_LEVELS


def caveats() -> tuple[str, ...]:
    """The caveats the deployment uses (``CLASSIFICATION_CAVEATS``)."""
    if has_app_context():
        return tuple(current_app.config.get("CLASSIFICATION_CAVEATS") or DEFAULT_CAVEATS)
    return DEFAULT_CAVEATS


def _kept() -> _Known:
    return current_app.extensions.setdefault(KEPT, _Known())


def _load(session: Session, known: _Known) -> None:
    rows = session.execute(
        sa.select(Marking).order_by(Marking.id).execution_options(tracker_access=False)
    ).scalars()
    releases: dict[int, set[int]] = {}
    for marking_id, party_id in session.execute(
        sa.select(marking_release.c.marking_id, marking_release.c.party_id)
    ):
        releases.setdefault(marking_id, set()).add(party_id)
    values = {row.id: row.value(releases.get(row.id, ())) for row in rows}
    known.values = values
    known.top = max(values, default=0)


def known(
    session: Session, *, top: int | None = None, count: int | None = None
) -> dict[int, MarkingValue]:
    """Every marking stored, by id; read again when ``top`` (the newest id) or ``count``
    (how many are stored), as the caller found them, are not what is kept. (The count
    tells of a marking committed after a newer one, as PostgreSQL's sequence allows:
    markings are never deleted, so as many as kept means the same ones.)"""
    kept = _kept()
    if (
        not kept.values
        or (top is not None and top != kept.top)
        or (count is not None and count != len(kept.values))
    ):
        _load(session, kept)
    return kept.values


def value_of(session: Session, marking_id: int) -> MarkingValue:
    """The marking stored under ``marking_id``."""
    values = known(session)
    if marking_id not in values:
        _load(session, _kept())
        values = _kept().values
    return values[marking_id]


def id_for(session: Session, value: MarkingValue) -> int:
    """The id of ``value``'s row, stored now (in the session's transaction) if it is new.

    Core statements on the session's connection, so it also works while the session flushes
    (the audit trail marks its rows from a flush hook).
    """
    connection = session.connection()
    # Asked of the database, not of what is kept: a row kept from a transaction that then
    # rolled back must not be pointed at.
    table = Marking.__table__
    found = connection.scalar(sa.select(table.c.id).where(table.c.key == value.key))
    if found is None:
        found = connection.execute(
            sa.insert(table).values(
                key=value.key,
                level=value.level,
                caveats=",".join(sorted(value.caveats)),
                declassify_on=value.declassify_on,
                downgrade_to=value.downgrade_to,
            )
        ).inserted_primary_key[0]
        if value.release_to:
            connection.execute(
                sa.insert(marking_release),
                [{"marking_id": found, "party_id": p} for p in sorted(value.release_to)],
            )
        for hook in ON_NEW:
            hook(session, found, value)
    return found


def combined_id(session: Session, marking_ids, day) -> int:
    """The id of the marking of something showing all of ``marking_ids`` together."""
    ids = set(marking_ids)
    if len(ids) == 1:
        return ids.pop()
    value = MarkingValue.combined((value_of(session, i) for i in ids), day)
    return id_for(session, value)


def describe(session: Session, marking_id: int) -> str:
    """The marking as banners show it, e.g. ``RESTRICTED // REL TO IND, JPN``."""
    value = value_of(session, marking_id)
    codes = {}
    if value.release_to:
        rows = session.execute(
            sa.select(Party.id, Party.code, Party.name).where(Party.id.in_(value.release_to))
        )
        codes = {id_: code or name for id_, code, name in rows}
    return value.describe(levels(), codes)
