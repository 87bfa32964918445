"""Reads for the point forms: the point with what its form edits, and the meeting choices."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from tracker.extensions import db
from tracker.models import AgendaItem, Agreement, AgreementParty, Meeting, NegotiationPoint
from tracker.models.clock import local_day
from tracker.render.dates import format_date
from tracker.web.forms import NONE_CHOSEN


def _with_parties():
    return selectinload(Agreement.party_links).joinedload(AgreementParty.party)


def agreement_for_form(agreement_id: int) -> Agreement | None:
    """An agreement with its parties, for the forms that add to it."""
    stmt = sa.select(Agreement).where(Agreement.id == agreement_id).options(_with_parties())
    return db.session.scalars(stmt).one_or_none()


def point_for_form(point_id: int) -> NegotiationPoint | None:
    """A point with its agreement's parties and its positions."""
    stmt = (
        sa.select(NegotiationPoint)
        .where(NegotiationPoint.id == point_id)
        .options(
            joinedload(NegotiationPoint.agreement).options(_with_parties()),
            selectinload(NegotiationPoint.positions),
        )
    )
    return db.session.scalars(stmt).one_or_none()


def meeting_problem(meeting: Meeting, agreement_id: int) -> str | None:
    """Why ``meeting`` cannot be newly chosen for a point or an action of the agreement, as
    the forms' choices would not offer it (archived, or it never discussed the agreement);
    None if it can."""
    if meeting.archived_at is not None:
        return f"“{meeting.title}” is archived: choose another meeting."
    discussed = db.session.scalar(
        sa.select(
            sa.exists().where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.agreement_id == agreement_id
            )
        )
    )
    if not discussed:
        return (
            f"“{meeting.title}” did not discuss this agreement: put the agreement on its "
            "agenda first, or choose another meeting."
        )
    return None


def meeting_choices(agreement: Agreement, keep: Iterable[int | None] = ()) -> list[SelectChoice]:
    """Meetings that discussed ``agreement``, newest first; archived ones only if already chosen."""
    keep = [id_ for id_ in keep if id_ is not None]
    discussed = sa.select(AgendaItem.meeting_id).where(AgendaItem.agreement_id == agreement.id)
    stmt = (
        sa.select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.timezone)
        .where(
            sa.or_(
                sa.and_(Meeting.id.in_(discussed), Meeting.archived_at.is_(None)),
                Meeting.id.in_(keep),
            )
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    choices = [NONE_CHOSEN]
    for id_, title, starts_at, zone in db.session.execute(stmt):
        day = format_date(local_day(starts_at, zone))  # the date where it was held
        choices.append(SelectChoice(str(id_), f"{day} · {title}"))
    return choices
