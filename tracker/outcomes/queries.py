"""Reads for the outcomes page: the meeting with everything its sections show, and owners."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    Person,
)


def meeting_for_outcomes(meeting_id: int) -> Meeting | None:
    """The meeting, each agreement discussed with its status history, parties and points."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.agenda_items)
            .joinedload(AgendaItem.agreement)
            .options(
                selectinload(Agreement.status_changes),
                selectinload(Agreement.party_links).joinedload(AgreementParty.party),
                selectinload(Agreement.points).selectinload(NegotiationPoint.positions),
            )
        )
    )


def people() -> list[Person]:
    """People not archived, with their party, by party and name: who may own an action."""
    return list(
        db.session.scalars(
            sa.select(Person)
            .join(Person.party)
            .where(Person.archived_at.is_(None))
            .options(joinedload(Person.party))
            .order_by(Party.name, Person.name)
        )
    )
