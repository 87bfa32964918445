"""Reading markings for lists: level names, and the "at or above a level" filter."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.data import markings
from tracker.extensions import db
from tracker.models.clock import today


def level_rank(name: str | None) -> int | None:
    """The rank of the level called ``name`` (any case), or None."""
    folded = (name or "").strip().casefold()
    for rank, level in enumerate(markings.levels()):
        if level.casefold() == folded:
            return rank
    return None


def level_name(rank: int | None) -> str | None:
    if rank is None:
        return None
    levels = markings.levels()
    return levels[min(rank, len(levels) - 1)]


def read_level(value: str | None) -> tuple[int | None, str | None]:
    """A list's ``level=`` argument: its rank, and what is wrong with it if anything."""
    if not value:
        return None, None
    rank = level_rank(value)
    if rank is None:
        return None, f"Not one of: {', '.join(markings.levels())}."
    return rank, None


def at_or_above(column, level: int) -> sa.ColumnElement[bool]:
    """Records whose marking (``column``, a ``marking_id``) is at ``level`` or higher
    today: a passed declassify-on date counts, as it does for who may read them."""
    day = today()
    ids = sorted(
        marking_id
        for marking_id, value in markings.known(db.session).items()
        if value.level_on(day) >= level
    )
    return column.in_(ids) if ids else sa.false()
