"""Reads for the status report of one agreement, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.agreements.queries import agreement_for_page, meetings_and_markings
from tracker.extensions import db
from tracker.models import (
    Agreement,
    AuditRecord,
    PositionChange,
    Revision,
    clock,
)
from tracker.models.negotiation import PointStatus
from tracker.models.text_document import IssuedBy
from tracker.reports.content import (
    LATEST_UPDATES,
    AgreementReport,
    RevisionLine,
    TextLine,
    build_report,
    end_of_day,
)
from tracker.texts import queries as texts
from tracker.texts.compare import compare
from tracker.texts.summary import round_summary
from tracker.web.outgoing import text_of


def find_agreement(reference: str) -> Agreement | None:
    """An agreement by id or by short name (case-insensitive), as the CLI accepts it."""
    reference = reference.strip()
    if reference.isascii() and reference.isdigit():
        found = db.session.get(Agreement, int(reference))
        if found is not None:
            return found
    return db.session.scalar(
        sa.select(Agreement).where(sa.func.lower(Agreement.short_name) == reference.lower())
    )


def _records_about(agreement: Agreement) -> sa.ColumnElement[bool]:
    """Audit records of the agreement itself, its points and its action items."""
    conditions = [
        sa.and_(AuditRecord.record_type == "agreement", AuditRecord.record_id == agreement.id)
    ]
    if agreement.points:
        conditions.append(
            sa.and_(
                AuditRecord.record_type == "point",
                AuditRecord.record_id.in_([point.id for point in agreement.points]),
            )
        )
    if agreement.action_items:
        conditions.append(
            sa.and_(
                AuditRecord.record_type == "action",
                AuditRecord.record_id.in_([action.id for action in agreement.action_items]),
            )
        )
    return sa.or_(*conditions)


def _latest_updates(agreement: Agreement, as_of: date, limit: int) -> list[AuditRecord]:
    stmt = (
        sa.select(AuditRecord)
        .where(_records_about(agreement), AuditRecord.recorded_at <= end_of_day(as_of))
        .options(joinedload(AuditRecord.user))
        .order_by(AuditRecord.recorded_at.desc(), AuditRecord.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def _settled_records(agreement: Agreement) -> dict[int, datetime]:
    """When each point settled without a meeting was last moved to agreed or dropped."""
    unmet = [p.id for p in agreement.points if p.status.is_settled and p.settled_at is None]
    if not unmet:
        return {}
    stmt = (
        sa.select(AuditRecord)
        .where(AuditRecord.record_type == "point", AuditRecord.record_id.in_(unmet))
        .order_by(AuditRecord.recorded_at, AuditRecord.id)
    )
    settled: dict[int, datetime] = {}
    closed = {PointStatus.AGREED.value, PointStatus.DROPPED.value}
    for record in db.session.scalars(stmt):
        for change in record.changes or ():
            if change.get("field") == "status" and change.get("new") in closed:
                settled[record.record_id] = record.recorded_at
    return settled


def _position_history(agreement: Agreement) -> dict[int, list[PositionChange]]:
    """The steps of the parties' positions on each of the agreement's points, oldest first
    (loaded with the points)."""
    return {point.id: list(point.position_changes) for point in agreement.points}


def _revision_line(revision: Revision) -> RevisionLine:
    if revision.issued_by == IssuedBy.PARTY and revision.issuing_party is not None:
        issuer = revision.issuing_party.name
    else:
        issuer = revision.issued_by.value.capitalize()
    return RevisionLine(revision.label, revision.issued_on, issuer)


def _previous(revision: Revision, issued: list[Revision]) -> Revision | None:
    """The revision ``revision`` is compared with: the one it was based on if that was
    issued (and is seen), else the issued one before it."""
    based_on = next((r for r in issued if r.id == revision.based_on_id), None)
    if based_on is not None and based_on is not revision:
        return based_on
    order = (revision.issued_on, revision.id)
    return texts.latest(r for r in issued if (r.issued_on, r.id) < order)


def _texts(agreement_id: int, as_of: date) -> tuple[list[TextLine], set[int]]:
    """Each text of the agreement the reader sees as it stood on ``as_of``, and the markings
    of what that shows, in a fixed number of queries however many texts and however long:
    the texts with their revisions and the burn-down's counts, then every compared revision
    as plain values in one pass (the markings of their alternatives come with them). Only
    issued revisions count; the internal layer is never read."""
    cutoff = end_of_day(as_of)
    shown: set[int] = set()
    chosen = []  # (text, revision, previous, issued, burn-down) of each text shown
    for text, counted in texts.counted_revisions(agreement_id):
        issued = texts.issued_by((r for r, *_ in counted), as_of)
        revision = texts.latest(issued)
        if revision is None and text.created_at > cutoff:
            continue  # not yet begun on that day
        shown.add(text.marking_id)
        previous = _previous(revision, issued) if revision is not None else None
        points = tuple(texts.burn_down_point(*row) for row in counted if row[0] in issued)
        chosen.append((text, revision, previous, issued, points))
    # Both of each text's revisions in one pass; the first revision is compared with itself.
    compared = [r for _, *pair, _, _ in chosen for r in pair if r is not None]
    documents, alternatives_marked = texts.documents_and_alternative_markings(compared)
    shown.update(alternatives_marked)
    by_revision = dict(zip((r.id for r in compared), documents, strict=True))
    lines: list[TextLine] = []
    for text, revision, previous, issued, points in chosen:
        if revision is None:
            lines.append(TextLine(text.id, text.title, text.kind.label, None, None, None, ()))
            continue
        new = by_revision[revision.id]
        old = by_revision[previous.id] if previous is not None else new
        shown.update(r.marking_id for r in issued)
        lines.append(
            TextLine(
                id=text.id,
                title=text.title,
                kind=text.kind.label,
                revision=_revision_line(revision),
                previous=_revision_line(previous) if previous is not None else None,
                summary=round_summary(compare(old, new), new),
                burn_down=points,
            )
        )
    return lines, shown


def agreement_report(
    agreement_id: int, *, as_of: date | None = None, today: date | None = None
) -> AgreementReport | None:
    """The status report of one agreement as it stood at the end of ``as_of`` (default today)."""
    today = today or clock.today()
    as_of = as_of or today
    agreement = agreement_for_page(agreement_id, agenda=False, position_history=True)
    if agreement is None:
        return None
    names = {("agreement", agreement.id): agreement.short_name or agreement.title}
    names.update({("point", point.id): point.subject for point in agreement.points})
    names.update({("action", a.id): a.description for a in agreement.action_items})
    meetings, meeting_markings = meetings_and_markings(agreement.id)
    report = build_report(
        agreement,
        meetings=meetings,
        as_of=as_of,
        today=today,
        updates=_latest_updates(agreement, as_of, LATEST_UPDATES),
        record_names=names,
        point_settled_records=_settled_records(agreement),
        meeting_markings=meeting_markings,
        position_history=_position_history(agreement),
    )
    report.texts, text_markings = _texts(agreement.id, as_of)
    report.marking_ids |= text_markings
    report.marking = text_of(report.marking_ids)
    return report
