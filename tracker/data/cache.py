"""Values read from the database and kept, in each app, until the data changes."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from tracker.data import access
from tracker.extensions import db
from tracker.models import ChangeCounter

T = TypeVar("T")
KEPT = 512


# Where a reading request keeps the change counter it read: a page asks for several values
# (a total, the choices of its filters), and one reading of the counter serves them all.
# On the request itself, not on ``g``: an app context can outlive a request (tests).
COUNT_READ = "tracker.change_count"
READING = frozenset({"GET", "HEAD", "OPTIONS"})
_COUNTER = sa.select(ChangeCounter.n).where(ChangeCounter.id == 1)


def _change_count() -> int | None:
    """The change counter; read once per reading request (a write within one would be
    seen by the next request), and each time outside requests and in writing ones."""

    def read() -> int | None:
        # On the session's connection, in its transaction, without the ORM's work.
        return db.session.connection().scalar(_COUNTER)

    if not has_request_context() or request.method not in READING:
        return read()
    environ = request.environ
    if COUNT_READ not in environ:
        environ[COUNT_READ] = read()
    return environ[COUNT_READ]


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for ``key`` before if the data has not changed since.

    The database's change counter, raised by triggers on every change to agreements, their
    parties, meetings, agenda items, points and parties, tells; whichever process or tool
    made the change. Values must be plain data, never ORM objects, and not be changed by
    the caller. Each is kept per reader's access (tracker/data/access.py): readers who see
    different records never share a value.
    """
    count = _change_count()
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
