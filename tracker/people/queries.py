"""Reads of people for pages: explicit eager loading, no lazy loads in templates."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, raiseload

from tracker.extensions import db
from tracker.models import ActionItem, Meeting, Party, Person, meeting_participant
from tracker.web.pagination import Page, paginate


def list_people(search: str, party_id: int | None, number: int, per_page: int) -> Page:
    """Active people matching ``search`` on name or position, optionally of one party."""
    stmt = (
        sa.select(Person)
        .join(Person.party)
        .where(Person.archived_at.is_(None))
        .options(contains_eager(Person.party), raiseload("*"))
    )
    if search:
        stmt = stmt.where(
            sa.or_(
                Person.name.icontains(search, autoescape=True),
                Person.position.icontains(search, autoescape=True),
            )
        )
    if party_id is not None:
        stmt = stmt.where(Person.party_id == party_id)
    stmt = stmt.order_by(Person.name, Person.id)
    return paginate(stmt, number, per_page)


def person_page(person_id: int) -> Person | None:
    """A person (archived ones too) with their party loaded; their meetings are
    read a page at a time (:func:`meetings_of`)."""
    stmt = (
        sa.select(Person)
        .where(Person.id == person_id)
        .options(
            joinedload(Person.party),
            raiseload("*"),
        )
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def get_person(person_id: int) -> Person | None:
    """A person, archived or not, to change or delete."""
    return db.session.get(Person, person_id)


def meetings_of(person_id: int, number: int, size: int) -> Page:
    """One page of the meetings the person attended (archived ones too), newest first."""
    stmt = (
        sa.select(Meeting)
        .join(meeting_participant, meeting_participant.c.meeting_id == Meeting.id)
        .where(meeting_participant.c.person_id == person_id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    return paginate(stmt, number, size)


def get_party(party_id: int | None) -> Party | None:
    return None if party_id is None else db.session.get(Party, party_id)


@dataclass
class PersonUsage:
    """What still refers to a person; a person in use cannot be deleted."""

    meetings: int
    actions: int

    @property
    def in_use(self) -> bool:
        return bool(self.meetings or self.actions)


def person_usage(person_id: int) -> PersonUsage:
    meetings = sa.select(sa.func.count()).select_from(meeting_participant)
    meetings = meetings.where(meeting_participant.c.person_id == person_id)
    actions = sa.select(sa.func.count()).select_from(ActionItem)
    actions = actions.where(ActionItem.owner_id == person_id)
    return PersonUsage(
        meetings=db.session.scalar(meetings) or 0, actions=db.session.scalar(actions) or 0
    )
