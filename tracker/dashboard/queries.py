"""Reads for the dashboard: a handful of small queries, each bounded by a limit; totals
over whole tables are counted once per state of the data (tracker.data.cache.remember)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.data.cache import remember
from tracker.extensions import db
from tracker.models import ActionItem, AgendaItem, Agreement, Meeting
from tracker.portfolio import queries as portfolio_queries
from tracker.portfolio.filters import PortfolioFilters
from tracker.portfolio.queries import StatusCount

LIMIT = 8


def status_counts() -> list[StatusCount]:
    """How many active agreements are in each status, in workflow order, zeros included:
    the unfiltered portfolio's counts (and the same reused total)."""
    return portfolio_queries.status_counts(PortfolioFilters())


def upcoming_meetings(now: datetime, limit: int = LIMIT) -> list[Meeting]:
    stmt = (
        sa.select(Meeting)
        .where(Meeting.archived_at.is_(None), Meeting.starts_at >= now)
        .options(selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement))
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def overdue_actions(today: date, limit: int = LIMIT) -> tuple[list[ActionItem], int]:
    """The most overdue open action items of active agreements, and how many there are."""
    condition = sa.and_(
        ActionItem.done.is_(False),
        ActionItem.due_on < today,
        ActionItem.agreement.has(Agreement.archived_at.is_(None)),
    )
    total = remember(("overdue actions", today), lambda: _count_overdue(today))
    stmt = (
        sa.select(ActionItem)
        .where(condition)
        .options(joinedload(ActionItem.agreement), joinedload(ActionItem.owner))
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt)), total or 0


def _count_overdue(today: date) -> int:
    """All overdue actions (an index range) less those of the few archived agreements:
    much cheaper than checking the agreement of each of hundreds of thousands."""
    overdue = (ActionItem.done.is_(False), ActionItem.due_on < today)
    everything = sa.select(sa.func.count()).select_from(ActionItem).where(*overdue)
    # IN, not a join: SQLite would otherwise start from the overdue actions.
    archived = (
        sa.select(sa.func.count())
        .select_from(ActionItem)
        .where(
            *overdue,
            ActionItem.agreement_id.in_(
                sa.select(Agreement.id).where(Agreement.archived_at.is_not(None))
            ),
        )
    )
    return db.session.scalar(sa.select(everything.scalar_subquery() - archived.scalar_subquery()))


def recently_changed(limit: int = LIMIT) -> list[Agreement]:
    """Active agreements by their last edit, newest first; recording a status change edits
    the agreement, so it counts. Read from the end of an index, not by sorting them all."""
    stmt = (
        sa.select(Agreement)
        .where(Agreement.archived_at.is_(None))
        .options(selectinload(Agreement.status_changes))
        .order_by(Agreement.updated_at.desc(), Agreement.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
