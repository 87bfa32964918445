"""The markings of what leaves the app, where no record is loaded to say so.

Pages and files carry the combined marking of the marked records their request loaded
(``access.shown``, noted by an ORM load event). Three kinds of read show records without
loading them, and are covered here:

- **plain rows** (a list read as columns, not records): :func:`note` adds their markings to
  what the request has shown, as a load would have;
- **aggregates** (counts, the portfolio's chart) and files streamed before their rows are
  read: :func:`selected` asks the database which markings the rows a query would select
  carry, one ``SELECT DISTINCT`` over the same conditions, narrowed to the reader like
  every other query, so a count is marked as the records it counts;
- **audit entries**, which are not :class:`~tracker.models.Marked` but carry the marking of
  what they describe: loading one is noted as loading a marked record is.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.data import access
from tracker.models import AuditRecord


def note(session: Session, table: str, rows: Iterable[tuple[int | None, int]]) -> None:
    """Count ``rows`` ((record id, marking id) of ``table``) as shown by this session."""
    shown = session.info.setdefault(access.SHOWN, set())
    shown.update((table, record_id, marking_id) for record_id, marking_id in rows)


def note_markings(session: Session, marking_ids: Iterable[int], what: str = "aggregate") -> None:
    """Count records of these markings as shown: what an aggregate or a file drew on."""
    note(session, what, ((None, marking_id) for marking_id in marking_ids))


def selected(session: Session, *columns: sa.Select) -> frozenset[int]:
    """The distinct marking ids that each of ``columns`` (selects of one marking id column,
    with the conditions of what is shown) yields, in one query."""
    if not columns:
        return frozenset()
    parts = [stmt.distinct() for stmt in columns]
    union = parts[0] if len(parts) == 1 else sa.union(*parts)
    found = session.execute(union if len(parts) == 1 else sa.select(union.subquery())).scalars()
    return frozenset(found)


@event.listens_for(AuditRecord, "load")
def _note_audit_loaded(target: AuditRecord, context) -> None:
    if context.session is not None:
        note(context.session, AuditRecord.__tablename__, [(target.id, target.marking_id)])
