"""Values read from the database and kept, in each app, until the data changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

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


def _counted(count: int | None) -> None:
    """The counter as the reader's access read it (tracker/data/access.py, at the start of
    every request with a user): a reading request's one reading, without a query of its
    own. Read before anything the request computes, never after, so a value is never kept
    under a count newer than the data it was computed from."""
    if count is not None and has_request_context() and request.method in READING:
        request.environ.setdefault(COUNT_READ, count)


access.ON_COUNTED.append(_counted)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for ``key`` before if the data has not changed since.

    The database's change counter, raised by triggers on every change to agreements, their
    parties, meetings, agenda items, points, parties, action items and people, tells;
    whichever process or tool made the change. Values must be plain data, never ORM
    objects, and not be changed by the caller. Each is kept per reader's access
    (tracker/data/access.py): readers who see different records never share a value.
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


class Shelf:
    """Up to ``size`` large values kept until the data changes, per reader's access, the
    least recently used let go first: :func:`remember`'s rule, for values too big to keep
    512 of (a negotiating text's revision as plain values).

    Only reading requests use a shelf: a writing one may change what a value was computed
    from, and a value computed inside a transaction that is then rolled back must not be
    kept. Callers check with :meth:`usable` and fall back to computing.
    """

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self._lock = threading.Lock()

    @staticmethod
    def usable() -> bool:
        return has_request_context() and request.method in READING

    def _key(self, key: Hashable) -> Hashable | None:
        count = _change_count()
        if count is None:
            return None
        return (count, access.current(db.session).key, key)

    def _kept(self) -> OrderedDict:
        return current_app.extensions.setdefault(self.name, OrderedDict())

    def get(self, key: Hashable) -> Any | None:
        """What :meth:`put` kept for ``key`` while the data stood as it does now, or None."""
        if not self.usable():
            return None
        shelf_key = self._key(key)
        if shelf_key is None:
            return None
        kept = self._kept()
        with self._lock:
            value = kept.get(shelf_key)
            if value is not None:
                kept.move_to_end(shelf_key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` (plain data, never changed by anyone) for ``key``."""
        if not self.usable():
            return
        shelf_key = self._key(key)
        if shelf_key is None:
            return
        kept = self._kept()
        with self._lock:
            kept[shelf_key] = value
            kept.move_to_end(shelf_key)
            while len(kept) > self.size:
                kept.popitem(last=False)
