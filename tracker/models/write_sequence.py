"""The write sequence: one row every writer on PostgreSQL updates, so that a request that
read first learns whether another writer committed since (tracker/data/database.py)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base


class WriteSequence(Base):
    """One row (id 1) whose number each writing transaction raises under the write lock;
    the first writer makes it.

    Not a record anyone edits: it is neither audited nor counted by the change counter, and
    no code reads its number. On SQLite the table stays empty (SQLite itself refuses a write
    from a snapshot that is no longer the latest).
    """

    __tablename__ = "write_sequence"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger, default=0)
