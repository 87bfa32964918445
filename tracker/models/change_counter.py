"""The change counter: a number the database raises on every change to what the lists count
and search, so that values computed from them can be kept until the data changes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base


class ChangeCounter(Base):
    """One row, raised by triggers (see the "data version" migration, which named its
    table) on every insert, update and delete of agreements, their parties, meetings,
    agenda items, points, parties, action items and people.

    Lists reuse a total they counted, and choices they read, while the counter stands still
    (:func:`tracker.data.cache.remember`): a count over 250,000 rows is not repeated on
    every page view, yet never outlives a change, whichever process or tool made it.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger, default=0)
