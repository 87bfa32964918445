"""The record version that guards edits: every save of a record raises its ``version``, and a
save from a form loaded at an older version is refused (see tracker/web/conflicts.py).

A change to a part that a record's own form edits is a change to the record, so it raises
the record's version too (and its ``updated_at``): the agreement's parties, a point's
positions, a meeting's participants and agenda with its outcomes. Without this, a save that
changed only such parts would not touch the record's row, and a form loaded before it would
overwrite it without a conflict. Models say which are their parts, as data:
``version_parts`` on a record names the collections its form replaces, ``part_of`` on a
part names the record it belongs to.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from tracker.models.clock import utcnow


class Versioned:
    """A record staff edit through forms: every UPDATE raises ``version`` and refuses to
    write over a version other than the one loaded (``StaleDataError``)."""

    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    # Collections the record's form replaces; changing them raises the version (see above).
    version_parts = ()

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def _changed_record(session: Session, obj) -> object | None:
    """The record whose version ``obj``'s pending change should raise, if any."""
    names = getattr(obj, "version_parts", ())
    if names:
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in names):
            return obj
        return None
    attribute = getattr(obj, "part_of", None)
    if attribute is None:
        return None
    if obj in session.dirty and not session.is_modified(obj, include_collections=False):
        return None
    return getattr(obj, attribute)


@event.listens_for(Session, "before_flush")
def _parts_raise_their_record_version(session: Session, _context, _instances) -> None:
    records = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        record = _changed_record(session, obj)
        if record is not None:
            records.add(record)
    for record in records:
        # New or deleted records have no version to raise; a changed column makes the ORM
        # write the row, and the version rises with it.
        if sa.inspect(record).persistent and record not in session.deleted:
            record.updated_at = utcnow()
