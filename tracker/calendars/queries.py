"""Reads for the calendar feeds: a fixed number of queries however many meetings there are."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import AgendaItem, Agreement, AuditAction, AuditRecord, Meeting, Person
from tracker.render.ical import AgendaEntry, MeetingEntry


def active_agreement(agreement_id: int) -> Agreement | None:
    """The agreement, unless it is unknown or archived."""
    stmt = sa.select(Agreement).where(Agreement.id == agreement_id, Agreement.archived_at.is_(None))
    return db.session.scalars(stmt).one_or_none()


def feed_ids(agreement_id: int | None, *, now: datetime, past_limit: int) -> sa.Select:
    """Ids of the meetings (not archived) in a feed: every meeting that discussed the
    agreement; or, for the whole collection, every meeting to come and the latest
    ``past_limit`` held, since a calendar app needs no decades-old history and a
    collection may hold hundreds of thousands of meetings."""
    active = sa.select(Meeting.id).where(Meeting.archived_at.is_(None))
    if agreement_id is not None:
        discussed = sa.select(AgendaItem.meeting_id).where(AgendaItem.agreement_id == agreement_id)
        return active.where(Meeting.id.in_(discussed))
    upcoming = active.where(Meeting.starts_at >= now)
    held = (
        active.where(Meeting.starts_at < now)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(past_limit)
    )
    return sa.select(sa.union_all(upcoming, sa.select(held.subquery())).subquery())


def _revisions(ids: sa.Select) -> dict[int, tuple[int, datetime]]:
    """``{meeting id: (changes since it was recorded, time of the last one)}``.

    Read from the audit trail, which the database keeps append-only, so the count only grows.
    Records older than the meeting belong to a deleted meeting whose id was reused.
    """
    stmt = (
        sa.select(
            AuditRecord.record_id,
            sa.func.count(AuditRecord.id),
            sa.func.max(AuditRecord.recorded_at),
        )
        .join(Meeting, Meeting.id == AuditRecord.record_id)
        .where(
            AuditRecord.record_type == "meeting",
            AuditRecord.action != AuditAction.CREATE,
            AuditRecord.recorded_at >= Meeting.created_at,
            AuditRecord.record_id.in_(ids),
        )
        .group_by(AuditRecord.record_id)
    )
    # max() keeps the column's type, so ``last`` comes back as an aware UTC datetime.
    return {record_id: (count, last) for record_id, count, last in db.session.execute(stmt)}


def _agreement_name(agreement: Agreement) -> str:
    if agreement.short_name:
        return f"{agreement.title} ({agreement.short_name})"
    return agreement.title


def _participant(person: Person) -> str:
    name = f"{person.name}, {person.position}" if person.position else person.name
    return f"{name} ({person.party.name})"


def calendar_entries(
    ids: sa.Select,
    meeting_url: Callable[[int], str],
    marking: Callable[[Iterable[int]], str] = lambda _ids: "",
) -> list[MeetingEntry]:
    """The meetings of ``ids`` (see :func:`feed_ids`) as calendar entries, by start; each
    marked (``marking`` of the marking ids of what it shows) as its meeting, agenda items
    and their agreements together."""
    stmt = (
        sa.select(Meeting)
        .where(Meeting.id.in_(ids))
        .options(
            joinedload(Meeting.parent),
            selectinload(Meeting.participants).joinedload(Person.party),
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    meetings = list(db.session.scalars(stmt))
    revisions = _revisions(ids)
    entries = []
    for meeting in meetings:
        changes, last_change = revisions.get(meeting.id, (0, meeting.updated_at))
        agenda = sorted(meeting.agenda_items, key=lambda item: item.agreement.title)
        entries.append(
            MeetingEntry(
                id=meeting.id,
                title=meeting.title,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                timezone=meeting.timezone,
                level=meeting.level.label,
                created_at=meeting.created_at,
                # Participants and outcomes live in other rows: their changes are in the trail.
                modified_at=max(meeting.updated_at, last_change),
                revision=changes,
                url=meeting_url(meeting.id),
                setting=meeting.setting,
                city=meeting.city,
                country=meeting.country,
                summary=meeting.summary,
                held_during=meeting.parent.title if meeting.parent else "",
                agenda=tuple(
                    AgendaEntry(_agreement_name(item.agreement), item.outcome) for item in agenda
                ),
                participants=tuple(_participant(person) for person in meeting.participants),
                marking=marking(
                    {
                        meeting.marking_id,
                        *(item.marking_id for item in agenda),
                        *(item.agreement.marking_id for item in agenda),
                    }
                ),
            )
        )
    return entries
