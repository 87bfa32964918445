"""A change to a part that a record's own form edits is a change to the record, so it raises
the record's version too (and its ``updated_at``): the agreement's parties, a point's
positions, a meeting's participants and agenda with its outcomes.

Without this, a save that changed only such parts would not touch the record's row, and a
form loaded before it would overwrite it without a conflict.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.models.agreement import Agreement, AgreementParty
from tracker.models.base import utcnow
from tracker.models.meeting import AgendaItem, Meeting
from tracker.models.negotiation import NegotiationPoint, PartyPosition

# Collections each record's form replaces, and the rows that are parts of one record.
OWN_COLLECTIONS: dict[type, tuple[str, ...]] = {
    Agreement: ("party_links",),
    NegotiationPoint: ("positions",),
    Meeting: ("participants", "agenda_items"),
}
PART_OF: dict[type, str] = {
    AgreementParty: "agreement",
    PartyPosition: "point",
    AgendaItem: "meeting",
}


def _changed_record(session: Session, obj) -> object | None:
    """The record whose version ``obj``'s pending change should raise, if any."""
    names = OWN_COLLECTIONS.get(type(obj))
    if names:
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in names):
            return obj
        return None
    attribute = PART_OF.get(type(obj))
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
