"""Reads for the portfolio: a fixed number of queries however many agreements there are."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from tracker.extensions import db
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Category,
    Meeting,
    NegotiationPoint,
    Party,
    PartyKind,
    PointStatus,
    Status,
    StatusChange,
)
from tracker.models.status import CLOSED_STATUSES
from tracker.portfolio.filters import PortfolioFilters

# Meetings from today up to this many days ahead are "upcoming".
UPCOMING_DAYS = 30
OPEN_POINTS = (PointStatus.OPEN, PointStatus.CONVERGING)
# Joins party names in SQL; no name holds this control character, so they split apart again.
_SEPARATOR = "\x1f"


def today() -> date:
    """Today's date for every portfolio reckoning; tests replace it to fix the day."""
    return date.today()


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PartyChoice:
    id: int
    name: str
    kind: PartyKind


def parties() -> list[PartyChoice]:
    """The parties the portfolio can be narrowed to: those not archived, by kind and name."""
    rows = db.session.execute(
        sa.select(Party.id, Party.name, Party.kind)
        .where(Party.archived_at.is_(None))
        .order_by(Party.kind, Party.name)
    )
    return [PartyChoice(id, name, PartyKind(kind)) for id, name, kind in rows]


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int


@dataclass(frozen=True)
class MeetingDay:
    """A meeting as a portfolio row refers to it: which one, and when on its own clock."""

    id: int
    starts_at: datetime
    timezone: str

    @property
    def local_day(self) -> date:
        return self.starts_at.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class PortfolioRow:
    """One agreement's standing, as every form of the portfolio shows it."""

    id: int
    title: str
    short_name: str | None
    category: Category
    status: Status
    parties: list[str]
    status_since: date | None
    days_in_status: int | None
    last_meeting: MeetingDay | None
    next_meeting: MeetingDay | None
    open_points: int
    overdue_actions: int
    stalled: bool


@dataclass(frozen=True)
class Summary:
    agreements: int
    stalled: int


def _conditions(filters: PortfolioFilters, *, status: bool = True) -> list:
    conditions = [Agreement.archived_at.is_(None)]
    if filters.category:
        conditions.append(Agreement.category == filters.category)
    if status and filters.status:
        conditions.append(Agreement.status == filters.status)
    if filters.party:
        conditions.append(
            Agreement.id.in_(
                sa.select(AgreementParty.agreement_id).where(
                    AgreementParty.party_id == filters.party
                )
            )
        )
    return conditions


def status_counts(filters: PortfolioFilters) -> list[StatusCount]:
    """Agreements in each status, zeros included, under every filter but the status one."""
    rows = dict(
        db.session.execute(
            sa.select(Agreement.status, sa.func.count())
            .where(*_conditions(filters, status=False))
            .group_by(Agreement.status)
        ).all()
    )
    return [StatusCount(status, rows.get(status, 0)) for status in Status]


def _meeting_id(now: datetime, *, past: bool):
    """The id of the agreement's latest meeting held by ``now``, or its next one after."""
    if past:
        when, order = Meeting.starts_at <= now, (Meeting.starts_at.desc(), Meeting.id.desc())
    else:
        when, order = Meeting.starts_at > now, (Meeting.starts_at, Meeting.id)
    return (
        sa.select(Meeting.id)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.agreement_id == Agreement.id, Meeting.archived_at.is_(None), when)
        .order_by(*order)
        .limit(1)
        .correlate(Agreement)
        .scalar_subquery()
    )


def _portfolio(
    filters: PortfolioFilters, *, today: date, now: datetime, stalled_after: int
) -> sa.Select:
    """Every row of the portfolio in one statement: per-agreement figures come from grouped
    subqueries joined once, not from a query per agreement."""
    since = (
        sa.select(StatusChange.agreement_id, sa.func.max(StatusChange.effective_on).label("since"))
        .group_by(StatusChange.agreement_id)
        .subquery()
    )
    names = (
        sa.select(
            AgreementParty.agreement_id,
            sa.func.aggregate_strings(Party.name, _SEPARATOR).label("names"),
        )
        .join(Party, Party.id == AgreementParty.party_id)
        .group_by(AgreementParty.agreement_id)
        .subquery()
    )
    points = (
        sa.select(NegotiationPoint.agreement_id, sa.func.count().label("n"))
        .where(NegotiationPoint.status.in_(OPEN_POINTS))
        .group_by(NegotiationPoint.agreement_id)
        .subquery()
    )
    overdue = (
        sa.select(ActionItem.agreement_id, sa.func.count().label("n"))
        .where(ActionItem.done.is_(False), ActionItem.due_on < today)
        .group_by(ActionItem.agreement_id)
        .subquery()
    )
    last = aliased(Meeting, name="last_meeting")
    upcoming = aliased(Meeting, name="next_meeting")

    # Stalled: recorded as such, or open with neither a meeting nor a status change taking
    # effect within the last ``stalled_after`` days (a change on the cut-off day still counts).
    cutoff = today - timedelta(days=stalled_after)
    idle = sa.and_(
        Agreement.status.not_in(CLOSED_STATUSES),
        since.c.since < cutoff,
        sa.or_(last.starts_at.is_(None), last.starts_at < datetime.combine(cutoff, time(), UTC)),
    )
    stalled = sa.case((Agreement.status == Status.STALLED, 1), (idle, 1), else_=0)

    return (
        sa.select(
            Agreement.id.label("id"),
            Agreement.title.label("title"),
            Agreement.short_name.label("short_name"),
            Agreement.category.label("category"),
            Agreement.status.label("status"),
            names.c.names.label("parties"),
            since.c.since.label("status_since"),
            last.id.label("last_id"),
            last.starts_at.label("last_starts_at"),
            last.timezone.label("last_timezone"),
            upcoming.id.label("next_id"),
            upcoming.starts_at.label("next_starts_at"),
            upcoming.timezone.label("next_timezone"),
            sa.func.coalesce(points.c.n, 0).label("open_points"),
            sa.func.coalesce(overdue.c.n, 0).label("overdue_actions"),
            stalled.label("stalled"),
        )
        .select_from(Agreement)
        .outerjoin(since, since.c.agreement_id == Agreement.id)
        .outerjoin(names, names.c.agreement_id == Agreement.id)
        .outerjoin(points, points.c.agreement_id == Agreement.id)
        .outerjoin(overdue, overdue.c.agreement_id == Agreement.id)
        .outerjoin(last, last.id == _meeting_id(now, past=True))
        .outerjoin(upcoming, upcoming.id == _meeting_id(now, past=False))
        .where(*_conditions(filters))
        .order_by(stalled.desc(), Agreement.title, Agreement.id)
    )


def _row(row, today: date) -> PortfolioRow:
    def meeting(prefix: str) -> MeetingDay | None:
        if getattr(row, f"{prefix}_id") is None:
            return None
        return MeetingDay(
            getattr(row, f"{prefix}_id"),
            getattr(row, f"{prefix}_starts_at"),
            getattr(row, f"{prefix}_timezone"),
        )

    return PortfolioRow(
        id=row.id,
        title=row.title,
        short_name=row.short_name,
        category=Category(row.category),
        status=Status(row.status),
        parties=sorted(row.parties.split(_SEPARATOR)) if row.parties else [],
        status_since=row.status_since,
        days_in_status=(today - row.status_since).days if row.status_since else None,
        last_meeting=meeting("last"),
        next_meeting=meeting("next"),
        open_points=row.open_points,
        overdue_actions=row.overdue_actions,
        stalled=bool(row.stalled),
    )


def iter_rows(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    batch: int = 500,
) -> Iterator[PortfolioRow]:
    """The portfolio's rows, stalled first then by title, fetched ``batch`` at a time so an
    export never holds the whole portfolio in memory."""
    stmt = _portfolio(filters, today=today, now=now, stalled_after=stalled_after)
    result = db.session.execute(stmt.execution_options(yield_per=batch))
    for row in result:
        yield _row(row, today)


def page_rows(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    number: int,
    size: int,
) -> list[PortfolioRow]:
    """One page of the portfolio's rows, for the page; downloads read them all."""
    stmt = _portfolio(filters, today=today, now=now, stalled_after=stalled_after)
    result = db.session.execute(stmt.limit(size).offset((number - 1) * size))
    return [_row(row, today) for row in result]


def summary(
    filters: PortfolioFilters, *, today: date, now: datetime, stalled_after: int
) -> Summary:
    """How many agreements the portfolio lists and how many of them are stalled."""
    rows = _portfolio(filters, today=today, now=now, stalled_after=stalled_after)
    rows = rows.order_by(None).subquery()
    total, stalled = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(rows.c.stalled), 0))
    ).one()
    return Summary(agreements=total, stalled=int(stalled))


@dataclass(frozen=True)
class UpcomingMeeting:
    meeting: Meeting
    agreements: list[Agreement]

    @property
    def local_day(self) -> date:
        return self.meeting.local_starts_at.date()


def upcoming_meetings(
    filters: PortfolioFilters, *, today: date, now: datetime, days: int = UPCOMING_DAYS
) -> list[UpcomingMeeting]:
    """Meetings not yet begun whose day, on their own clock, is at most ``days`` after today.

    With filters, only meetings discussing an agreement the portfolio lists; each meeting
    names every agreement on its agenda that is not archived.
    """
    last_day = today + timedelta(days=days)
    # A day's margin in UTC either side of the zones; the exact cut is made on local days.
    until = datetime.combine(last_day + timedelta(days=2), time(), UTC)
    stmt = (
        sa.select(Meeting)
        .where(Meeting.archived_at.is_(None), Meeting.starts_at >= now, Meeting.starts_at < until)
        .options(selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if filters.party or filters.category or filters.status:
        listed = sa.select(Agreement.id).where(*_conditions(filters))
        stmt = stmt.where(Meeting.agenda_items.any(AgendaItem.agreement_id.in_(listed)))
    meetings = []
    for meeting in db.session.scalars(stmt):
        entry = UpcomingMeeting(
            meeting,
            sorted(
                (
                    item.agreement
                    for item in meeting.agenda_items
                    if item.agreement.archived_at is None
                ),
                key=lambda agreement: agreement.title,
            ),
        )
        if entry.local_day <= last_day:
            meetings.append(entry)
    return meetings
