"""Reads of parties for pages: explicit eager loading, no lazy loads in templates."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import raiseload, selectinload

from tracker.extensions import db
from tracker.models import (
    Agreement,
    AgreementParty,
    Party,
    PartyKind,
    PartyPosition,
    PartyRole,
    Person,
    PositionChange,
    Status,
)
from tracker.web.pagination import Page, paginate


def list_parties(search: str, number: int, per_page: int) -> Page:
    """Active parties matching ``search`` on name or code, with their counts of people
    and agreements; items are rows of (Party, people, agreements)."""
    people = (
        sa.select(sa.func.count(Person.id))
        .where(Person.party_id == Party.id, Person.archived_at.is_(None))
        .scalar_subquery()
        .label("people")
    )
    agreements = (
        sa.select(sa.func.count())
        .select_from(AgreementParty)
        .where(AgreementParty.party_id == Party.id)
        .scalar_subquery()
        .label("agreements")
    )
    stmt = sa.select(Party, people, agreements).where(Party.archived_at.is_(None))
    if search:
        stmt = stmt.where(
            sa.or_(
                Party.name.icontains(search, autoescape=True),
                Party.code.icontains(search, autoescape=True),
            )
        )
    stmt = stmt.order_by(Party.name, Party.id)
    return paginate(stmt, number, per_page, rows=True)


def party_page(party_id: int) -> Party | None:
    """A party (archived ones too) with its people loaded; its agreements are
    read a page at a time (:func:`agreements_of`): a state can be party to thousands."""
    stmt = (
        sa.select(Party)
        .where(Party.id == party_id)
        .options(
            selectinload(Party.people),
            raiseload("*"),
        )
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def get_party(party_id: int) -> Party | None:
    """A party, archived or not, to change or delete."""
    return db.session.get(Party, party_id)


@dataclass(frozen=True)
class PartyAgreement:
    id: int
    title: str
    short_name: str | None
    status: Status
    role: PartyRole
    archived: bool


def agreements_of(party_id: int, number: int, size: int) -> Page:
    """One page of the agreements the party is party to (archived ones too), by title."""
    stmt = (
        sa.select(
            Agreement.id,
            Agreement.title,
            Agreement.short_name,
            Agreement.status,
            AgreementParty.role,
            Agreement.archived_at.is_not(None),
        )
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(AgreementParty.party_id == party_id)
        .order_by(Agreement.title, Agreement.id)
    )
    page = paginate(stmt, number, size, rows=True)
    return replace(page, items=[PartyAgreement(*row) for row in page.items])


def active_parties() -> list[Party]:
    """Parties not archived, by kind (states first) then name, for select boxes."""
    order = sa.case({kind.value: index for index, kind in enumerate(PartyKind)}, value=Party.kind)
    stmt = sa.select(Party).where(Party.archived_at.is_(None)).order_by(order, Party.name)
    return list(db.session.scalars(stmt))


@dataclass
class PartyUsage:
    """What still refers to a party; a party in use cannot be deleted."""

    people: int
    agreements: int
    positions: int
    # Steps of position histories, which name the party after its positions are gone.
    stated: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.people or self.agreements or self.positions or self.stated)


def party_usage(party_id: int) -> PartyUsage:
    def count(model, column) -> int:
        stmt = sa.select(sa.func.count()).select_from(model).where(column == party_id)
        return db.session.scalar(stmt) or 0

    return PartyUsage(
        people=count(Person, Person.party_id),
        agreements=count(AgreementParty, AgreementParty.party_id),
        positions=count(PartyPosition, PartyPosition.party_id),
        stated=count(PositionChange, PositionChange.party_id),
    )


def find_party_by_name(name: str, exclude_id: int | None = None) -> Party | None:
    """The party called ``name`` (ignoring case), other than ``exclude_id``."""
    stmt = sa.select(Party).where(sa.func.lower(Party.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Party.id != exclude_id)
    return db.session.scalars(stmt.limit(1)).first()


def find_party_by_code(code: str, exclude_id: int | None = None) -> Party | None:
    stmt = sa.select(Party).where(Party.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Party.id != exclude_id)
    return db.session.scalars(stmt.limit(1)).first()
