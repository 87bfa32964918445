"""Reads of the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.data import outgoing
from tracker.extensions import db
from tracker.models import (
    AccessGroup,
    ActionItem,
    Agreement,
    AuditRecord,
    Meeting,
    NegotiationPoint,
    Party,
    Person,
    User,
)
from tracker.web.pagination import Page, paginate

RECORD_MODELS = {
    "agreement": Agreement,
    "meeting": Meeting,
    "party": Party,
    "person": Person,
    "point": NegotiationPoint,
    "action": ActionItem,
    "user": User,
    "group": AccessGroup,
}
RECORD_TYPES = tuple(RECORD_MODELS)
# Histories only admins may read: a user's holds their username, role and state, and a
# group's its members, which only the admins' pages show.
ADMIN_HISTORIES = frozenset({"user", "group"})


def record_exists(record_type: str, record_id: int) -> bool:
    return db.session.get(RECORD_MODELS[record_type], record_id) is not None


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    record_type: str = ""
    since: date | None = None
    until: date | None = None


def _conditions(filters: AuditFilters) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if filters.user_id:
        conditions.append(AuditRecord.user_id == filters.user_id)
    if filters.record_type:
        conditions.append(AuditRecord.record_type == filters.record_type)
    if filters.since:
        conditions.append(AuditRecord.recorded_at >= datetime.combine(filters.since, time(), UTC))
    if filters.until and filters.until < date.max:  # the last day there is bounds nothing
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        conditions.append(AuditRecord.recorded_at < end)
    return conditions


def _filtered(filters: AuditFilters) -> sa.Select:
    stmt = sa.select(AuditRecord).options(joinedload(AuditRecord.user))
    stmt = stmt.where(*_conditions(filters))
    return stmt.order_by(AuditRecord.recorded_at.desc(), AuditRecord.id.desc())


def audit_page(filters: AuditFilters, number: int, size: int) -> Page:
    return paginate(_filtered(filters), number, size)


def marking_ids(filters: AuditFilters) -> frozenset[int]:
    """The markings of the entries an export of ``filters`` would hold, asked of the
    database in one query before the first is read."""
    stmt = sa.select(AuditRecord.marking_id).where(*_conditions(filters))
    return outgoing.selected(db.session, stmt)


def iter_audit(filters: AuditFilters, batch: int = 500) -> Iterator[AuditRecord]:
    """Every matching record, fetched in batches so an export need not fit in memory."""
    result = db.session.execute(_filtered(filters).execution_options(yield_per=batch))
    for (record,) in result:
        yield record


# The order of a record's history: newest first.
HISTORY_ORDER = (AuditRecord.recorded_at, AuditRecord.id)


def history_select(record_type: str, record_id: int) -> sa.Select:
    """The audit records of one record with their users, in no order (see HISTORY_ORDER)."""
    return (
        sa.select(AuditRecord)
        .where(AuditRecord.record_type == record_type, AuditRecord.record_id == record_id)
        .options(joinedload(AuditRecord.user))
    )


def history(record_type: str, record_id: int) -> list[AuditRecord]:
    """What happened to one record, newest first."""
    stmt = history_select(record_type, record_id).order_by(*(key.desc() for key in HISTORY_ORDER))
    return list(db.session.scalars(stmt))


def users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.username)))
