"""Reads for the point forms: the point with what its form edits, and the meeting choices."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from tracker.extensions import db
from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    PointStatus,
    PositionChange,
    point_provision,
)
from tracker.models.clock import local_day
from tracker.render.dates import format_date
from tracker.texts import queries as text_queries
from tracker.texts.queries import ProvisionName
from tracker.web.forms import NONE_CHOSEN


def _with_parties():
    return selectinload(Agreement.party_links).joinedload(AgreementParty.party)


def agreement_for_form(agreement_id: int) -> Agreement | None:
    """An agreement with its parties, for the forms that add to it."""
    stmt = sa.select(Agreement).where(Agreement.id == agreement_id).options(_with_parties())
    return db.session.scalars(stmt).one_or_none()


def point_for_form(point_id: int, *, history: bool = False) -> NegotiationPoint | None:
    """A point with its agreement's parties (in the same statement) and its positions; with
    their history too if ``history`` (a change saved extends it; the form never shows it)."""
    stmt = (
        sa.select(NegotiationPoint)
        .where(NegotiationPoint.id == point_id)
        .options(
            joinedload(NegotiationPoint.agreement)
            .joinedload(Agreement.party_links)
            .joinedload(AgreementParty.party),
            selectinload(NegotiationPoint.positions),
            selectinload(NegotiationPoint.provisions),
            *([selectinload(NegotiationPoint.position_changes)] if history else []),
        )
    )
    return db.session.scalars(stmt).unique().one_or_none()


def point_for_page(point_id: int) -> NegotiationPoint | None:
    """A point with everything its page shows: its agreement, meetings, each party's
    position and the history of each, with the meetings and people it names."""
    stmt = (
        sa.select(NegotiationPoint)
        .where(NegotiationPoint.id == point_id)
        .options(
            joinedload(NegotiationPoint.agreement),
            joinedload(NegotiationPoint.raised_at),
            joinedload(NegotiationPoint.settled_at),
            selectinload(NegotiationPoint.provisions),
            selectinload(NegotiationPoint.positions).joinedload(PartyPosition.party),
            selectinload(NegotiationPoint.position_changes).options(
                joinedload(PositionChange.party),
                joinedload(PositionChange.meeting),
                joinedload(PositionChange.recorded_by),
            ),
        )
    )
    return db.session.scalars(stmt).one_or_none()


def provisions_of(point: NegotiationPoint) -> list[ProvisionName]:
    """The provisions ``point`` concerns that the reader sees named, by text and in the
    order of the text."""
    names = text_queries.provision_names([p.id for p in point.provisions])
    return sorted(names.values(), key=ProvisionName.order)


@dataclass(frozen=True)
class PointRef:
    """A point as a text's page lists it."""

    id: int
    subject: str
    status: PointStatus


def points_concerning(provision_ids: Collection[int]) -> dict[int, list[PointRef]]:
    """The points the reader sees that concern each of ``provision_ids``, oldest first."""
    if not provision_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            point_provision.c.provision_id,
            NegotiationPoint.id,
            NegotiationPoint.subject,
            NegotiationPoint.status,
        )
        .join(point_provision, point_provision.c.point_id == NegotiationPoint.id)
        .where(point_provision.c.provision_id.in_(sorted(set(provision_ids))))
        .order_by(NegotiationPoint.id)
    )
    found: dict[int, list[PointRef]] = {}
    for provision_id, id_, subject, status in rows:
        found.setdefault(provision_id, []).append(PointRef(id_, subject, status))
    return found


def point_exists(point_id: int) -> bool:
    """Whether the reader may see the point ``point_id``."""
    stmt = sa.select(NegotiationPoint.id).where(NegotiationPoint.id == point_id)
    return db.session.scalar(stmt) is not None


@dataclass(frozen=True)
class PartyHistory:
    """One party's position on a point now, and every step of it, newest first."""

    party: Party
    current: PartyPosition | None
    steps: list[PositionChange]


def histories(point: NegotiationPoint) -> list[PartyHistory]:
    """Each party that holds or held a position on ``point`` (loaded by point_for_page),
    by name."""
    current = {position.party_id: position for position in point.positions}
    steps: dict[int, list[PositionChange]] = {}
    parties = {position.party_id: position.party for position in point.positions}
    for change in point.position_changes:
        steps.setdefault(change.party_id, []).append(change)
        parties.setdefault(change.party_id, change.party)
    return sorted(
        (
            PartyHistory(party, current.get(party_id), list(reversed(steps.get(party_id, []))))
            for party_id, party in parties.items()
        ),
        key=lambda history: (history.party.name.lower(), history.party.id),
    )


def history_select(point_id: int, party_id: int | None = None) -> sa.Select:
    """The steps of the parties' positions on a point (or one party's), for a page of them
    in HISTORY_ORDER."""
    stmt = (
        sa.select(PositionChange)
        .where(PositionChange.point_id == point_id)
        .options(
            joinedload(PositionChange.party),
            joinedload(PositionChange.meeting),
            joinedload(PositionChange.recorded_by),
        )
    )
    if party_id is not None:
        stmt = stmt.where(PositionChange.party_id == party_id)
    return stmt


# Oldest first; a list of them pages through it reversed, newest first.
HISTORY_ORDER = (PositionChange.stated_on, PositionChange.recorded_at, PositionChange.id)


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
    return meeting_choice_lists(agreement, keep)[0]


def meeting_choice_lists(
    agreement: Agreement, keep: Iterable[int | None] = ()
) -> tuple[list[SelectChoice], list[SelectChoice]]:
    """:func:`meeting_choices` with ``keep``, and without it (the meetings that discussed
    ``agreement`` and are not archived), in one read."""
    keep = [id_ for id_ in keep if id_ is not None]
    discussed = sa.select(AgendaItem.meeting_id).where(AgendaItem.agreement_id == agreement.id)
    listed = sa.and_(Meeting.id.in_(discussed), Meeting.archived_at.is_(None))
    stmt = (
        sa.select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.timezone, listed)
        .where(sa.or_(listed, Meeting.id.in_(keep)))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    kept, only_listed = [NONE_CHOSEN], [NONE_CHOSEN]
    for id_, title, starts_at, zone, is_listed in db.session.execute(stmt):
        day = format_date(local_day(starts_at, zone))  # the date where it was held
        choice = SelectChoice(str(id_), f"{day} · {title}")
        kept.append(choice)
        if is_listed:
            only_listed.append(choice)
    return kept, only_listed
