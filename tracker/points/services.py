"""Changes to negotiation points. Services add and flush; the view commits once."""

from __future__ import annotations

from tracker.extensions import db
from tracker.markings.services import MarkingChoice, set_marking
from tracker.models import Agreement, Meeting, NegotiationPoint, PartyPosition, PointStatus
from tracker.models.errors import RuleError
from tracker.points import queries


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

    # The point's marking first: its positions' defaults are read from it.
    set_marking(point, marking, parents=[agreement])
    names = {link.party_id: link.party.name for link in agreement.party_links}
    point.subject = subject
    point.details = (details or "").strip()
    point.status = status
    point.raised_at = raised_at
    point.settled_at = settled_at
    # One row per party that holds a position; an emptied position removes the row.
    existing = {position.party_id: position for position in point.positions}
    kept = []
    for party_id, text in positions.items():
        text = (text or "").strip()
        if not text:
            continue
        row = existing.get(party_id) or PartyPosition(party_id=party_id)
        set_marking(
            row,
            (position_markings or {}).get(party_id),
            parents=[point],
            field=f"positions.{party_id}.marking",
            label=f"{names.get(party_id, 'A party')}'s position",
        )
        row.position = text
        kept.append(row)
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
) -> NegotiationPoint:
    """Add a negotiation point to ``agreement``; empty positions are not stored."""
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
) -> None:
    """Replace the point's details; ``positions`` is the whole set, by party id."""
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
    )
    db.session.flush()


def delete_point(point: NegotiationPoint) -> None:
    """Delete the point and the positions recorded on it."""
    db.session.delete(point)
    db.session.flush()
