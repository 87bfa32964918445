"""Values read from the database and kept, in each app, until the data changes."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app

from tracker.data import access
from tracker.extensions import db
from tracker.models import ChangeCounter

T = TypeVar("T")
KEPT = 512


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for ``key`` before if the data has not changed since.

    The database's change counter, raised by triggers on every change to agreements, their
    parties, meetings, agenda items, points and parties, tells; whichever process or tool
    made the change. Values must be plain data, never ORM objects, and not be changed by
    the caller. Each is kept per reader's access (tracker/data/access.py): readers who see
    different records never share a value.
    """
    count = db.session.scalar(sa.select(ChangeCounter.n).where(ChangeCounter.id == 1))
    if count is None:
        return compute()
    kept: dict = current_app.extensions.setdefault("tracker.cache", {})
    cache_key = (count, access.current(db.session).key, key)
    try:
        return kept[cache_key]
    except KeyError:
        pass
    value = compute()
    if len(kept) >= KEPT:
        kept.clear()
    kept[cache_key] = value
    return value
