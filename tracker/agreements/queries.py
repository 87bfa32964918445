"""Reads of agreements for pages: explicit eager loading, no lazy loads in templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    PartyPosition,
    StatusChange,
    User,
)
from tracker.pagination import Page, paginate
from tracker.reports.timeline import MeetingMark, Phase

SORTS = ("title", "status", "activity")


@dataclass(frozen=True)
class AgreementFilters:
    """What the agreements list is narrowed and ordered by; lives in the URL."""

    q: str = ""
    status: str = ""
    category: str = ""
    party: int | None = None
    lead: int | None = None
    sort: str = "title"
    archived: bool = False


@dataclass
class AgreementRow:
    agreement: Agreement
    status_since: date | None
    last_meeting_at: datetime | None

    @property
    def last_activity(self) -> date | None:
        meeting_day = self.last_meeting_at.date() if self.last_meeting_at else None
        dates = [day for day in (self.status_since, meeting_day) if day]
        return max(dates) if dates else None


def _status_since():
    return (
        sa.select(sa.func.max(StatusChange.effective_on))
        .where(StatusChange.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )


def _last_meeting_at():
    return (
        sa.select(sa.func.max(Meeting.starts_at))
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.agreement_id == Agreement.id, Meeting.archived_at.is_(None))
        .correlate(Agreement)
        .scalar_subquery()
    )


def list_agreements(filters: AgreementFilters, page: int, size: int) -> Page:
    """One page of agreements with what each list row shows, in a fixed number of queries."""
    status_since = _status_since().label("status_since")
    last_meeting_at = _last_meeting_at().label("last_meeting_at")
    stmt = sa.select(Agreement, status_since, last_meeting_at)
    if filters.archived:
        stmt = stmt.where(Agreement.archived_at.is_not(None))
    else:
        stmt = stmt.where(Agreement.archived_at.is_(None))
    if filters.q:
        stmt = stmt.where(
            sa.or_(
                Agreement.title.icontains(filters.q, autoescape=True),
                Agreement.short_name.icontains(filters.q, autoescape=True),
            )
        )
    if filters.status:
        stmt = stmt.where(Agreement.status == filters.status)
    if filters.category:
        stmt = stmt.where(Agreement.category == filters.category)
    if filters.lead:
        stmt = stmt.where(Agreement.lead_id == filters.lead)
    if filters.party:
        stmt = stmt.where(
            Agreement.id.in_(
                sa.select(AgreementParty.agreement_id).where(
                    AgreementParty.party_id == filters.party
                )
            )
        )

    if filters.sort == "status":
        order = [Agreement.status, Agreement.title]
    elif filters.sort == "activity":
        since = _status_since()
        meeting_day = sa.func.coalesce(sa.func.date(_last_meeting_at()), since)
        activity = sa.case((meeting_day > since, meeting_day), else_=since)
        order = [sa.desc(activity), Agreement.title]
    else:
        order = [Agreement.title]
    order.append(Agreement.id)
    stmt = stmt.options(
        selectinload(Agreement.party_links).joinedload(AgreementParty.party)
    ).order_by(*order)
    result = paginate(stmt, page, size, rows=True)
    result.items = [AgreementRow(agreement, since, last) for agreement, since, last in result.items]
    return result


def agreement_for_page(agreement_id: int) -> Agreement | None:
    """One agreement with everything its page shows, loaded up front."""
    stmt = (
        sa.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            joinedload(Agreement.lead),
            selectinload(Agreement.party_links).joinedload(AgreementParty.party),
            selectinload(Agreement.status_changes).options(
                joinedload(StatusChange.meeting), joinedload(StatusChange.recorded_by)
            ),
            selectinload(Agreement.agenda_items).joinedload(AgendaItem.meeting),
            selectinload(Agreement.points).options(
                joinedload(NegotiationPoint.raised_at),
                joinedload(NegotiationPoint.settled_at),
                selectinload(NegotiationPoint.positions).joinedload(PartyPosition.party),
            ),
            selectinload(Agreement.action_items).options(
                joinedload(ActionItem.owner), joinedload(ActionItem.meeting)
            ),
        )
    )
    return db.session.scalar(stmt)


def timeline_parts(agreement: Agreement) -> tuple[list[Phase], list[MeetingMark]]:
    """The status phases and unarchived meetings of an agreement loaded by agreement_for_page."""
    phases = [Phase(change.to_status, change.effective_on) for change in agreement.status_changes]
    marks = [
        MeetingMark(
            # The day it was where it was held, as the meetings list shows it.
            day=item.meeting.local_starts_at.date(),
            title=item.meeting.title,
            level=item.meeting.level.label,
        )
        for item in agreement.agenda_items
        if item.meeting.archived_at is None
    ]
    return phases, marks


def staff_choices() -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.display_name))
    )
