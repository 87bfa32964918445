"""Changes to negotiation points. Services add and flush; the view commits once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.data import audit_trail, markings
from tracker.extensions import db
from tracker.markings.services import MarkingChoice, set_marking
from tracker.models import (
    Agreement,
    Meeting,
    NegotiationPoint,
    PartyPosition,
    PointStatus,
    PositionChange,
    Provision,
    User,
)
from tracker.models.clock import today
from tracker.models.errors import RuleError
from tracker.points import queries
from tracker.render.dates import format_date
from tracker.texts import queries as text_queries

# The provisions one point may name: a point is about a few articles, not a whole text.
MAX_PROVISIONS = 50


class PointError(RuleError):
    """A change that would break a rule about points."""


def _meeting(
    meeting_id: int | None, field: str, agreement: Agreement, kept_id: int | None
) -> Meeting | None:
    """The meeting chosen; one newly chosen must have discussed the agreement and not be
    archived (``kept_id``, the one already chosen, stays whatever became of it)."""
    if meeting_id is None:
        return None
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise PointError("The meeting chosen does not exist.", field)
    if meeting.id != kept_id:
        problem = queries.meeting_problem(meeting, agreement.id)
        if problem:
            raise PointError(problem, field)
    return meeting


@dataclass(frozen=True)
class _Statement:
    """When and where the positions changed by one save were stated."""

    on: date
    meeting: Meeting | None


def _statement(
    stated_on: date | None, stated_at_id: int | None, agreement: Agreement
) -> _Statement:
    """Check the day and meeting given for the positions a save changes: the meeting one
    that discussed the agreement, the day not in the future nor before that meeting (by
    default the meeting's day, else today)."""
    meeting = _meeting(stated_at_id, "positions_stated_at_id", agreement, None)
    now = today()
    if stated_on is None:
        if meeting is None:
            return _Statement(now, None)
        stated_on = meeting.local_day
        if stated_on > now:
            raise PointError(
                f"“{meeting.title}” is not held until {format_date(stated_on)}: no position "
                "can have been stated there yet.",
                "positions_stated_at_id",
            )
    if stated_on > now:
        raise PointError(
            "A position cannot be stated in the future: give the day it was stated, "
            f"{format_date(now)} or before.",
            "positions_stated_on",
        )
    if meeting is not None and stated_on < meeting.local_day:
        raise PointError(
            f"The positions cannot be stated before the meeting they were stated at "
            f"({format_date(meeting.local_day)}).",
            "positions_stated_on",
        )
    return _Statement(stated_on, meeting)


def _latest_stated(point: NegotiationPoint) -> dict[int, date]:
    """The day each party's position was last stated, by party id."""
    latest: dict[int, date] = {}
    for change in point.position_changes:
        latest[change.party_id] = max(change.stated_on, latest.get(change.party_id, date.min))
    return latest


def _record(
    point: NegotiationPoint,
    party_id: int,
    text: str,
    position: PartyPosition,
    statement: _Statement,
    recorded_by: User | None,
) -> None:
    """Append a step to the party's position history, marked as its position is."""
    change = PositionChange(
        party_id=party_id,
        party=position.party,
        position=text,
        stated_on=statement.on,
        meeting=statement.meeting,
        recorded_by=recorded_by,
    )
    set_marking(change, None, parents=[position])
    point.position_changes.append(change)


def _raise_history(point: NegotiationPoint, position: PartyPosition) -> None:
    """A position marked higher: the steps of its history show it too, so they rise with
    it (as its audit entries do); marked lower, they keep what they had."""
    for change in point.position_changes:
        if change.party_id == position.party_id and change.marking_id != position.marking_id:
            higher = markings.combined_id(
                db.session, {change.marking_id, position.marking_id}, today()
            )
            if higher != change.marking_id:
                change.marking_id = higher


@dataclass(frozen=True)
class _Links:
    """The provisions a save leaves a point naming, and what the audit trail says of it."""

    provisions: list[Provision]
    change: dict | None
    marking_ids: frozenset[int]


def _links(point: NegotiationPoint, agreement: Agreement, chosen: Collection[int]) -> _Links:
    """Check the provisions chosen for ``point``: each one of the agreement's texts that the
    editor sees named in a revision. Those it names that the editor does not see (in no
    revision they may read) stay, as the form and the API never offered them."""
    chosen = list(dict.fromkeys(chosen))
    if len(chosen) > MAX_PROVISIONS:
        raise PointError(f"A point can concern at most {MAX_PROVISIONS} provisions.", "provisions")
    # Loaded through the reader's rule: a provision of a text they do not see is not
    # there, so replacing the list leaves its link as it is.
    current = list(point.provisions)
    names = text_queries.provision_names({*chosen, *(p.id for p in current)})
    found = {
        provision.id: provision
        for provision in db.session.scalars(
            sa.select(Provision).where(
                Provision.id.in_(chosen), Provision.agreement_id == agreement.id
            )
        )
    }
    for provision_id in chosen:
        if provision_id not in found or provision_id not in names:
            raise PointError(
                f"Provision {provision_id} is not one of this agreement's texts that you may "
                "see: choose the provisions from the list.",
                "provisions",
            )
    unseen = [p for p in current if p.id not in names]
    before = [p.id for p in current if p.id in names]
    if set(before) == set(chosen):
        return _Links(current, None, frozenset())
    change = {
        "field": "provisions",
        "old": [name.name for name in _in_order(names, before)],
        "new": [name.name for name in _in_order(names, chosen)],
    }
    shown = frozenset(m for i in {*before, *chosen} for m in names[i].marking_ids)
    return _Links([found[i] for i in chosen] + unseen, change, shown)


def _in_order(names: dict, ids: Collection[int]) -> list:
    """The names of ``ids``, by text and in the order of the text."""
    return sorted((names[i] for i in ids), key=text_queries.ProvisionName.order)


def _apply(
    point: NegotiationPoint,
    agreement: Agreement,
    *,
    subject: str,
    details: str,
    status: PointStatus | str,
    raised_at_id: int | None,
    settled_at_id: int | None,
    positions: dict[int, str],
    marking: MarkingChoice | None = None,
    position_markings: dict[int, MarkingChoice] | None = None,
    positions_stated_on: date | None = None,
    positions_stated_at_id: int | None = None,
    recorded_by: User | None = None,
    provisions: Collection[int] | None = None,
) -> None:
    subject = (subject or "").strip()
    if not subject:
        raise PointError("Give the point a subject.", "subject")
    if len(subject) > 200:
        raise PointError("The subject can be at most 200 characters.", "subject")
    try:
        status = PointStatus(status)
    except ValueError:
        raise PointError("Choose a status from the list.", "status") from None
    raised_at = _meeting(raised_at_id, "raised_at_id", agreement, point.raised_at_id)
    settled_at = _meeting(settled_at_id, "settled_at_id", agreement, point.settled_at_id)
    if settled_at is not None and not status.is_settled:
        raise PointError(
            "A point is settled at a meeting only when it is agreed or dropped.", "settled_at_id"
        )
    if (
        raised_at is not None
        and settled_at is not None
        and settled_at.starts_at < raised_at.starts_at
    ):
        raise PointError(
            "The point cannot be settled at a meeting before the one it was raised at.",
            "settled_at_id",
        )
    party_ids = {link.party_id for link in agreement.party_links}
    unknown = set(positions) - party_ids
    if unknown:
        raise PointError("A position was given for a party not on this agreement.", "positions")
    statement = _statement(positions_stated_on, positions_stated_at_id, agreement)
    links = _links(point, agreement, provisions) if provisions is not None else None

    # The point's marking first: its positions' defaults are read from it.
    set_marking(point, marking, parents=[agreement])
    parties = {link.party_id: link.party for link in agreement.party_links}
    names = {party_id: party.name for party_id, party in parties.items()}
    point.subject = subject
    point.details = (details or "").strip()
    point.status = status
    point.raised_at = raised_at
    point.settled_at = settled_at
    if links is not None and links.change is not None:
        point.provisions = links.provisions
        # The names of the provisions, marked with what they show (their text and revision).
        audit_trail.note(db.session, point, [links.change], shown_with=links.marking_ids)
    # One row per party that holds a position; an emptied position removes the row. Each
    # position that changes (added, reworded, emptied) gets a step in its history.
    existing = {position.party_id: position for position in point.positions}
    latest = _latest_stated(point)
    kept = []
    for party_id in sorted(set(positions) | set(existing)):
        text = (positions.get(party_id) or "").strip()
        row = existing.get(party_id)
        before = row.position if row is not None else ""
        if text:
            row = row or PartyPosition(party_id=party_id, party=parties.get(party_id))
            old_marking = row.marking_id
            set_marking(
                row,
                (position_markings or {}).get(party_id),
                parents=[point],
                field=f"positions.{party_id}.marking",
                label=f"{names.get(party_id, 'A party')}'s position",
            )
            row.position = text
            kept.append(row)
            if old_marking is not None and row.marking_id != old_marking:
                _raise_history(point, row)
        if text == before:
            continue
        stated = latest.get(party_id)
        if stated is not None and statement.on < stated:
            name = names.get(party_id, "A party")
            raise PointError(
                f"{name}'s position was last stated on {format_date(stated)}: a change "
                "cannot be stated before it.",
                "positions_stated_on",
            )
        _record(point, party_id, text, row, statement, recorded_by)
    point.positions = kept


def create_point(
    agreement: Agreement,
    *,
    subject: str,
    details: str = "",
    status: PointStatus | str = "open",
    raised_at_id: int | None = None,
    settled_at_id: int | None = None,
    positions: dict[int, str] | None = None,
    marking: MarkingChoice | None = None,
    position_markings: dict[int, MarkingChoice] | None = None,
    positions_stated_on: date | None = None,
    positions_stated_at_id: int | None = None,
    recorded_by: User | None = None,
    provisions: Collection[int] = (),
) -> NegotiationPoint:
    """Add a negotiation point to ``agreement``; empty positions are not stored, and each
    one given starts its history, stated on ``positions_stated_on`` at the meeting
    ``positions_stated_at_id`` (see :func:`update_point`); ``provisions``, the ids of the
    provisions of the agreement's texts it concerns."""
    # Attached to the agreement only once valid, so a refused point is never half-added.
    point = NegotiationPoint()
    _apply(
        point,
        agreement,
        subject=subject,
        details=details,
        status=status,
        raised_at_id=raised_at_id,
        settled_at_id=settled_at_id,
        positions=positions or {},
        marking=marking,
        position_markings=position_markings,
        positions_stated_on=positions_stated_on,
        positions_stated_at_id=positions_stated_at_id,
        recorded_by=recorded_by,
        provisions=provisions,
    )
    point.agreement = agreement
    db.session.add(point)
    db.session.flush()
    return point


def update_point(
    point: NegotiationPoint,
    *,
    subject: str,
    details: str,
    status: PointStatus | str,
    raised_at_id: int | None,
    settled_at_id: int | None,
    positions: dict[int, str],
    marking: MarkingChoice | None = None,
    position_markings: dict[int, MarkingChoice] | None = None,
    positions_stated_on: date | None = None,
    positions_stated_at_id: int | None = None,
    recorded_by: User | None = None,
    provisions: Collection[int] | None = None,
) -> None:
    """Replace the point's details; ``positions`` is the whole set, by party id, and
    ``provisions`` (ids) the whole set of provisions it concerns that the editor sees
    (None: unchanged).

    Each position that changes gets a step in its party's history, stated on
    ``positions_stated_on`` (by default the day of the meeting ``positions_stated_at_id``,
    else today) and recorded by ``recorded_by``.
    """
    _apply(
        point,
        point.agreement,
        subject=subject,
        details=details,
        status=status,
        raised_at_id=raised_at_id,
        settled_at_id=settled_at_id,
        positions=positions,
        marking=marking,
        position_markings=position_markings,
        positions_stated_on=positions_stated_on,
        positions_stated_at_id=positions_stated_at_id,
        recorded_by=recorded_by,
        provisions=provisions,
    )
    db.session.flush()


def delete_point(point: NegotiationPoint) -> None:
    """Delete the point and the positions recorded on it."""
    db.session.delete(point)
    db.session.flush()
