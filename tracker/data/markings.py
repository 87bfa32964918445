"""The markings in use: read once per app and kept (their rows never change), and stored on
demand when a record is given a marking nobody has used yet."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from tracker.models import Marking, MarkingValue, marking_release
from tracker.models.marking import DEFAULT_CAVEATS, DEFAULT_LEVELS

KEPT = "tracker.markings"


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


def known(session: Session, *, refresh: bool = False) -> dict[int, MarkingValue]:
    """Every marking stored, by id. ``refresh``: first ask whether another process stored
    new ones (one small query)."""
    kept = _kept()
    if refresh or not kept.values:
        top = session.scalar(sa.select(sa.func.max(Marking.id))) or 0
        if top != kept.top:
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
    """The id of ``value``'s row, stored now (flushed, not committed) if it is new."""
    # Asked of the database, not of what is kept: a row kept from a transaction that then
    # rolled back must not be pointed at.
    found = session.scalar(sa.select(Marking.id).where(Marking.key == value.key))
    if found is None:
        row = Marking(
            key=value.key,
            level=value.level,
            caveats=",".join(sorted(value.caveats)),
            declassify_on=value.declassify_on,
            downgrade_to=value.downgrade_to,
        )
        session.add(row)
        # The whole session: flushing only some objects is deprecated in SQLAlchemy 2 (a
        # warning, which the tests treat as an error).
        session.flush()
        if value.release_to:
            session.execute(
                sa.insert(marking_release),
                [{"marking_id": row.id, "party_id": p} for p in sorted(value.release_to)],
            )
        found = row.id
    return found
