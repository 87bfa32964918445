"""Reads for the portfolio: a fixed number of queries however many agreements there are."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from tracker.data import access, outgoing
from tracker.data.cache import remember
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
)
from tracker.models.base import UTCDateTime
from tracker.models.clock import local_day
from tracker.models.status import CLOSED_STATUSES
from tracker.portfolio.filters import PortfolioFilters

# Meetings from today up to this many days ahead are "upcoming".
UPCOMING_DAYS = 30
OPEN_POINTS = (PointStatus.OPEN, PointStatus.CONVERGING)
# Joins party names in SQL; no name holds this control character, so they split apart again.
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class PartyChoice:
    id: int
    name: str
    kind: PartyKind


def parties() -> tuple[PartyChoice, ...]:
    """The parties the portfolio can be narrowed to: those not archived, by kind and name;
    read once for each state of the data."""

    def read() -> tuple[PartyChoice, ...]:
        rows = db.session.execute(
            sa.select(Party.id, Party.name, Party.kind)
            .where(Party.archived_at.is_(None))
            .order_by(Party.kind, Party.name)
        )
        return tuple(PartyChoice(id, name, PartyKind(kind)) for id, name, kind in rows)

    return remember("portfolio parties", read)


def party_names() -> dict[int, str]:
    """The name of each party of :func:`parties`, by id; made once for each state of the
    data (not to be changed)."""
    return remember("portfolio party names", lambda: {party.id: party.name for party in parties()})


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
        return local_day(self.starts_at, self.timezone)


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
    """Agreements in each status, zeros included, under every filter but the status one;
    counted once for each state of the data."""

    def count() -> list[StatusCount]:
        rows = dict(
            db.session.execute(
                sa.select(Agreement.status, sa.func.count())
                .where(*_conditions(filters, status=False))
                .group_by(Agreement.status)
            ).all()
        )
        return [StatusCount(status, rows.get(status, 0)) for status in Status]

    return remember(("portfolio counts", replace(filters, status=None)), count)


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


def _last_meeting_id(now: datetime):
    """The id of the agreement's latest meeting held by ``now``. Its latest meeting of all
    is kept on its row (``last_meeting_at``); when that one has begun, it is found by its
    time, not by sorting every meeting of the agreement."""
    latest = (
        sa.select(Meeting.id)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.agreement_id == Agreement.id,
            Meeting.archived_at.is_(None),
            Meeting.starts_at == Agreement.last_meeting_at,
        )
        .order_by(Meeting.id.desc())
        .limit(1)
        .correlate(Agreement)
        .scalar_subquery()
    )
    return sa.case(
        (Agreement.last_meeting_at.is_(None), None),
        (Agreement.last_meeting_at <= now, latest),
        else_=_meeting_id(now, past=True),
    )


@dataclass(frozen=True)
class _Moments:
    """What the portfolio's statements compare with: today, now, and the stalled cut-off
    (a day, and its start as a time); values, or bound parameters of a statement built
    once and run with :func:`_moment_values`."""

    today: Any
    now: Any
    cutoff: Any
    cutoff_at: Any


def _moments(*, today: date, now: datetime, stalled_after: int) -> _Moments:
    cutoff = today - timedelta(days=stalled_after)
    return _Moments(today, now, cutoff, datetime.combine(cutoff, time(), UTC))


_BOUND = _Moments(
    sa.bindparam("today", type_=sa.Date()),
    sa.bindparam("now", type_=UTCDateTime()),
    sa.bindparam("cutoff", type_=sa.Date()),
    sa.bindparam("cutoff_at", type_=UTCDateTime()),
)


def _moment_values(moments: _Moments) -> dict:
    """The parameters of a statement built on ``_BOUND``, for ``moments``."""
    return {
        "today": moments.today,
        "now": moments.now,
        "cutoff": moments.cutoff,
        "cutoff_at": moments.cutoff_at,
    }


def stalled_flag(*, today: date, now: datetime, stalled_after: int) -> sa.ColumnElement[int]:
    """1 if the agreement is stalled, else 0 (never NULL), from its own row where it can.

    Stalled: recorded as such, or open with neither a meeting held nor a status change
    taking effect within the last ``stalled_after`` days (a change on the cut-off day still
    counts). The agreement's last status change and latest meeting are kept on its row by
    triggers; the latest may still be to come, so only when it falls after the cut-off is
    the agenda looked up, through an index, for a meeting held since then.
    """
    return _stalled(_moments(today=today, now=now, stalled_after=stalled_after))


def _stalled(moments: _Moments) -> sa.ColumnElement[int]:
    """:func:`stalled_flag` at ``moments``."""
    now, cutoff, cutoff_at = moments.now, moments.cutoff, moments.cutoff_at
    met_since = (
        sa.select(AgendaItem.meeting_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.agreement_id == Agreement.id,
            Meeting.archived_at.is_(None),
            Meeting.starts_at >= cutoff_at,
            Meeting.starts_at <= now,
        )
        .correlate(Agreement)
        .exists()
    )
    idle = sa.and_(
        Agreement.status.not_in(CLOSED_STATUSES),
        Agreement.status_changed_on < cutoff,
        sa.or_(
            Agreement.last_meeting_at.is_(None),
            Agreement.last_meeting_at < cutoff_at,
            ~met_since,
        ),
    )
    return sa.case((Agreement.status == Status.STALLED, 1), (idle, 1), else_=0)


def _raw(column) -> sa.ColumnElement:
    """``column`` as the driver gives it (SQLite: text), without SQLAlchemy's conversion."""
    return sa.type_coerce(column, sa.String)


def stored_day(value) -> date | None:
    """A stored date as a date (SQLite keeps it as ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def stored_moment(value) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite keeps it as naive UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_local_day(value, zone: str) -> date:
    """The day a stored time falls on at a place in ``zone`` (a meeting's own calendar)."""
    return local_day(stored_moment(value), zone)


def _correlated_figures(today: date) -> tuple:
    """The portfolio's per-agreement figures as subqueries of each agreement row: party
    names, open points, overdue actions."""
    names = (
        sa.select(sa.func.aggregate_strings(Party.name, SEPARATOR))
        .join(AgreementParty, AgreementParty.party_id == Party.id)
        .where(AgreementParty.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    points = (
        sa.select(sa.func.count())
        .select_from(NegotiationPoint)
        .where(
            NegotiationPoint.agreement_id == Agreement.id,
            NegotiationPoint.status.in_(OPEN_POINTS),
        )
        .correlate(Agreement)
        .scalar_subquery()
    )
    overdue = (
        sa.select(sa.func.count())
        .select_from(ActionItem)
        .where(
            ActionItem.agreement_id == Agreement.id,
            ActionItem.done.is_(False),
            ActionItem.due_on < today,
        )
        .correlate(Agreement)
        .scalar_subquery()
    )
    return names, points, overdue


def _portfolio(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    stalled_as: int | None = None,
) -> sa.Select:
    """The portfolio's rows by title, with their stalled flag. Per-agreement figures are
    correlated subqueries served by indexes, so they cost only for the rows read; callers
    put the stalled rows first by reading them, then the others (see :func:`page_rows`).
    ``stalled_as`` is the flag of every row read, for a walk that tested it already.

    Enumerations, dates and times come as the database gives them, converted by
    :func:`_row` alone: the export converts 250,000 rows."""
    moments = _moments(today=today, now=now, stalled_after=stalled_after)
    return _portfolio_at(filters, moments, stalled_as=stalled_as)


def _portfolio_at(
    filters: PortfolioFilters, moments: _Moments, *, stalled_as: int | None = None
) -> sa.Select:
    """:func:`_portfolio` at ``moments``."""
    now = moments.now
    names, points, overdue = _correlated_figures(moments.today)
    last = aliased(Meeting, name="last_meeting")
    upcoming = aliased(Meeting, name="next_meeting")
    stalled = _stalled(moments) if stalled_as is None else sa.literal(stalled_as)
    stmt = (
        sa.select(
            Agreement.id.label("id"),
            Agreement.title.label("title"),
            Agreement.short_name.label("short_name"),
            _raw(Agreement.category).label("category"),
            _raw(Agreement.status).label("status"),
            names.label("parties"),
            _raw(Agreement.status_changed_on).label("status_since"),
            last.id.label("last_id"),
            _raw(last.starts_at).label("last_starts_at"),
            last.timezone.label("last_timezone"),
            upcoming.id.label("next_id"),
            _raw(upcoming.starts_at).label("next_starts_at"),
            upcoming.timezone.label("next_timezone"),
            points.label("open_points"),
            overdue.label("overdue_actions"),
            stalled.label("stalled"),
        )
        .select_from(Agreement)
        .outerjoin(last, last.id == _last_meeting_id(now))
        # Only an agreement whose latest meeting (kept on its row) is still to come has a
        # next one: the agenda is looked up for those few, not for every row.
        .outerjoin(
            upcoming,
            upcoming.id == sa.case((Agreement.last_meeting_at > now, _meeting_id(now, past=False))),
        )
        .where(*_conditions(filters))
        .order_by(Agreement.title, Agreement.id)
    )
    return stmt


_STATUSES = {status.value: status for status in Status}
_CATEGORIES = {category.value: category for category in Category}


def _row(row, today: date) -> PortfolioRow:
    """A row of :func:`_portfolio` as a PortfolioRow (by position: the full export makes
    250,000 of them)."""
    (
        id_,
        title,
        short_name,
        category,
        status,
        parties,
        status_since,
        last_id,
        last_starts_at,
        last_timezone,
        next_id,
        next_starts_at,
        next_timezone,
        open_points,
        overdue_actions,
        stalled,
    ) = row
    status_since = stored_day(status_since)
    return PortfolioRow(
        id=id_,
        title=title,
        short_name=short_name,
        category=_CATEGORIES[category],
        status=_STATUSES[status],
        parties=sorted(parties.split(SEPARATOR)) if parties else [],
        status_since=status_since,
        days_in_status=(today - status_since).days if status_since else None,
        last_meeting=None
        if last_id is None
        else MeetingDay(last_id, stored_moment(last_starts_at), last_timezone),
        next_meeting=None
        if next_id is None
        else MeetingDay(next_id, stored_moment(next_starts_at), next_timezone),
        open_points=open_points,
        overdue_actions=overdue_actions,
        stalled=bool(stalled),
    )


def iter_records(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    batch: int = 500,
) -> Iterator[sa.Row]:
    """The portfolio's rows as the database gives them (the columns of :func:`_portfolio`:
    :func:`_row` reads them), stalled first then by title, fetched ``batch`` at a time so
    an export never holds the whole portfolio in memory.

    Read as two walks of the title index, the stalled rows then the others, so rows stream
    from the first one on instead of after a sort of the whole portfolio.
    """
    stalled = stalled_flag(today=today, now=now, stalled_after=stalled_after)
    for flag in (1, 0):
        stmt = _portfolio(
            filters,
            today=today,
            now=now,
            stalled_after=stalled_after,
            stalled_as=flag,
        )
        yield from db.session.execute(
            stmt.where(stalled == flag).execution_options(yield_per=batch)
        )


def iter_rows(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    batch: int = 500,
) -> Iterator[PortfolioRow]:
    """The rows of :func:`iter_records` as PortfolioRows."""
    for row in iter_records(
        filters, today=today, now=now, stalled_after=stalled_after, batch=batch
    ):
        yield _row(row, today)


def page_rows(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    number: int,
    size: int,
    summary: Summary,
) -> list[PortfolioRow]:
    """One page of the portfolio's rows, for the page; downloads read them all.

    Stalled rows come first, so a page is read from the stalled rows by title, then from
    the others by title, each a walk of the list's title index that stops at the page's
    end, instead of sorting every agreement on the flag.
    """
    start = (number - 1) * size
    from_stalled = max(0, min(size, summary.stalled - start))
    moments = _moments(today=today, now=now, stalled_after=stalled_after)
    rows = db.session.execute(
        _page_statement(filters),
        {
            **_moment_values(moments),
            "stalled_size": from_stalled,
            "stalled_start": min(start, summary.stalled),
            "other_size": size - from_stalled,
            "other_start": max(0, start - summary.stalled),
        },
    )
    return [_row(row, today) for row in rows]


@lru_cache(maxsize=64)
def _page_statement(filters: PortfolioFilters) -> sa.Select:
    """A page of the portfolio under ``filters``, its moments, sizes and starts bound: built
    once (a large statement), and kept by the data layer once narrowed for a reader."""
    stmt = _portfolio_at(filters, _BOUND)
    stalled = _stalled(_BOUND)
    # One statement: each part keeps its own order and limit inside a subquery.
    stalled_part = stmt.where(stalled == 1).limit(sa.bindparam("stalled_size"))
    other_part = stmt.where(stalled == 0).limit(sa.bindparam("other_size"))
    parts = sa.union_all(
        sa.select(stalled_part.offset(sa.bindparam("stalled_start")).subquery()),
        sa.select(other_part.offset(sa.bindparam("other_start")).subquery()),
    ).subquery()
    return (
        sa.select(parts)
        .order_by(parts.c.stalled.desc(), parts.c.title, parts.c.id)
        .execution_options(**access.KEPT_STATEMENT)
    )


def rows_after(
    filters: PortfolioFilters,
    *,
    today: date,
    now: datetime,
    stalled_after: int,
    after: tuple[int, str, int] | None,
    limit: int,
) -> list[PortfolioRow]:
    """Up to ``limit`` of the portfolio's rows, in its order (stalled first, then by title),
    after the row whose stalled flag (1 or 0), title and id are ``after``: the API's pages.

    As :func:`page_rows`, each part is a walk of the title index, here from the cursor on,
    so a deep page costs what the first does.
    """
    stmt = _portfolio(filters, today=today, now=now, stalled_after=stalled_after)
    stalled = stalled_flag(today=today, now=now, stalled_after=stalled_after)
    parts = []
    for flag in (1, 0):
        part = stmt.where(stalled == flag)
        if after is not None:
            after_flag, title, agreement_id = after
            if flag > after_flag:  # the stalled part was read to its end already
                continue
            if flag == after_flag:
                part = part.where(
                    sa.tuple_(Agreement.title, Agreement.id)
                    > sa.tuple_(sa.literal(title, Agreement.title.type), sa.literal(agreement_id))
                )
        parts.append(sa.select(part.limit(limit).subquery()))
    both = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery()
    rows = db.session.execute(
        sa.select(both).order_by(both.c.stalled.desc(), both.c.title, both.c.id).limit(limit)
    )
    return [_row(row, today) for row in rows]


def summary(
    filters: PortfolioFilters, *, today: date, now: datetime, stalled_after: int
) -> Summary:
    """How many agreements the portfolio lists and how many of them are stalled.

    Counted once for each state of the data (see :func:`tracker.data.cache.remember`); the
    time is part of the key because a meeting beginning can change an agreement's flag.
    """

    def count() -> Summary:
        stalled = stalled_flag(today=today, now=now, stalled_after=stalled_after)
        total, flagged = db.session.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(stalled), 0)).where(
                *_conditions(filters)
            )
        ).one()
        return Summary(agreements=total, stalled=int(flagged))

    return remember(("portfolio", filters, today, now, stalled_after), count)


@dataclass(frozen=True)
class UpcomingMeeting:
    meeting: Meeting
    agreements: list[Agreement]

    @property
    def local_day(self) -> date:
        return self.meeting.local_day


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
    meetings = []
    for meeting in db.session.scalars(_upcoming_statement(filters), {"now": now, "until": until}):
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


@lru_cache(maxsize=64)
def _upcoming_statement(filters: PortfolioFilters) -> sa.Select:
    """The meetings of :func:`upcoming_meetings` from ``now`` to ``until`` (bound): built
    once per filters, and kept by the data layer once narrowed for a reader."""
    now, until = (
        sa.bindparam("now", type_=UTCDateTime()),
        sa.bindparam("until", type_=UTCDateTime()),
    )
    stmt = (
        sa.select(Meeting)
        .where(Meeting.archived_at.is_(None), Meeting.starts_at >= now, Meeting.starts_at < until)
        .options(selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if filters.party or filters.category or filters.status:
        listed = sa.select(Agreement.id).where(*_conditions(filters))
        stmt = stmt.where(Meeting.agenda_items.any(AgendaItem.agreement_id.in_(listed)))
    return stmt.execution_options(**access.KEPT_STATEMENT)


def marking_ids(filters: PortfolioFilters, *, today: date, chart: bool) -> frozenset[int]:
    """The markings of every record the portfolio's figures draw on, asked of the database
    (one query, counted once for each state of the data): the agreements it lists (with
    ``chart``, every status, as the chart counts them), the open points and overdue actions
    it counts, and the meetings (with their agenda items) that discussed those agreements,
    of which it shows the last and the next: a meeting it does not show can only mark the
    portfolio higher, never lower."""
    listed_filters = replace(filters, status=None) if chart else filters

    def read() -> frozenset[int]:
        listed = sa.select(Agreement.id).where(*_conditions(listed_filters))
        return outgoing.selected(
            db.session,
            sa.select(Agreement.marking_id).where(*_conditions(listed_filters)),
            sa.select(NegotiationPoint.marking_id).where(
                NegotiationPoint.agreement_id.in_(listed),
                NegotiationPoint.status.in_(OPEN_POINTS),
            ),
            sa.select(ActionItem.marking_id).where(
                ActionItem.agreement_id.in_(listed),
                ActionItem.done.is_(False),
                ActionItem.due_on < today,
            ),
            sa.select(AgendaItem.marking_id).where(AgendaItem.agreement_id.in_(listed)),
            sa.select(Meeting.marking_id)
            .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(AgendaItem.agreement_id.in_(listed), Meeting.archived_at.is_(None)),
        )

    return remember(("portfolio markings", listed_filters, today), read)
