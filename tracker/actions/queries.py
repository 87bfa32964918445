"""Reads for the action item forms."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from tracker.extensions import db
from tracker.models import ActionItem, Agreement, AgreementParty, Party, Person
from tracker.points.queries import agreement_for_form, meeting_choices
from tracker.web.forms import NONE_CHOSEN

__all__ = ["action_for_form", "agreement_for_form", "meeting_choices", "owner_choices"]


def action_for_form(action_id: int) -> ActionItem | None:
    """An action item with its agreement and that agreement's parties."""
    stmt = (
        sa.select(ActionItem)
        .where(ActionItem.id == action_id)
        .options(
            joinedload(ActionItem.agreement)
            .selectinload(Agreement.party_links)
            .joinedload(AgreementParty.party)
        )
    )
    return db.session.scalars(stmt).one_or_none()


def owner_choices(agreement: Agreement, keep: int | None = None) -> list[SelectChoice]:
    """People grouped by party, the agreement's parties first; archived ones only if kept."""
    own = [link.party_id for link in agreement.party_links]
    first = sa.case((Party.id.in_(own), 0), else_=1) if own else sa.literal(1)
    stmt = (
        sa.select(Person.id, Person.name, Person.position, Party.name)
        .join(Person.party)
        .where(sa.or_(Person.archived_at.is_(None), Person.id == keep))
        .order_by(first, Party.name, Person.name, Person.id)
    )
    choices = [NONE_CHOSEN]
    for id_, name, position, party in db.session.execute(stmt):
        label = f"{name}, {position}" if position else name
        choices.append(SelectChoice(str(id_), label, optgroup=party))
    return choices
