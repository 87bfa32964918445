"""Apply a meeting's outcomes in one go. Adds and flushes; the view commits once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.actions import services as actions
from tracker.markings.services import MarkingChoice, MarkingError, set_marking
from tracker.models import AgendaItem, Meeting, NegotiationPoint, User
from tracker.models.errors import RuleError
from tracker.points import services as points


@dataclass
class NewAction:
    description: str
    owner_id: int | None = None
    due_on: date | None = None


@dataclass
class AgreementOutcome:
    """What the meeting produced for one agreement; empty parts change nothing."""

    agreement_id: int
    outcome: str = ""
    status: str | None = None
    status_on: date | None = None
    status_note: str = ""
    point_subject: str = ""
    point_details: str = ""
    settle: dict[int, str] = field(default_factory=dict)
    new_actions: list[NewAction] = field(default_factory=list)
    # The outcome's (the agenda row's) marking; None: as it is.
    marking: MarkingChoice | None = None


class OutcomeError(RuleError):
    """One part of the outcomes cannot be recorded: ``index`` says which agreement's section,
    ``field`` which part of it."""

    def __init__(self, message: str, index: int, field: str) -> None:
        super().__init__(message, field)
        self.index = index


def record_outcomes(
    meeting: Meeting, outcomes: list[AgreementOutcome], recorded_by: User | None
) -> int:
    """Record everything in ``outcomes``, each citing ``meeting``; returns how many changes."""
    items: dict[int, AgendaItem] = {item.agreement_id: item for item in meeting.agenda_items}
    changes = 0
    seen: set[int] = set()
    for index, entry in enumerate(outcomes):
        item = items.get(entry.agreement_id)
        if item is None:
            raise OutcomeError(
                "This agreement was not discussed at the meeting.", index, "agreement_id"
            )
        if entry.agreement_id in seen:
            raise OutcomeError(
                "Give each agreement's outcomes once, in one section.", index, "agreement_id"
            )
        seen.add(entry.agreement_id)
        agreement = item.agreement
        try:
            set_marking(item, entry.marking, parents=[agreement, meeting])
        except MarkingError as error:
            raise OutcomeError(str(error), index, error.field or "marking") from None
        outcome = entry.outcome.strip()
        if outcome != item.outcome:
            item.outcome = outcome
            changes += 1
        if entry.status:
            if entry.status_on is None:
                raise OutcomeError("Give the date the change took effect.", index, "status_on")
            try:
                agreement.change_status(
                    entry.status,
                    effective_on=entry.status_on,
                    note=entry.status_note.strip(),
                    meeting=meeting,
                    recorded_by=recorded_by,
                )
            except ValueError as error:
                raise OutcomeError(str(error), index, "status") from None
            changes += 1
        open_points = {point.id: point for point in agreement.points if not point.status.is_settled}
        for point_id, status in entry.settle.items():
            point = open_points.get(point_id)
            if point is None:
                raise OutcomeError(
                    "That point is not an open point of this agreement.", index, "settle"
                )
            changes += _settle(point, status, meeting, index)
        if entry.point_details.strip() and not entry.point_subject.strip():
            raise OutcomeError("Give the new point a subject.", index, "point_details")
        if entry.point_subject.strip():
            try:
                points.create_point(
                    agreement,
                    subject=entry.point_subject,
                    details=entry.point_details,
                    raised_at_id=meeting.id,
                )
            except points.PointError as error:
                raise OutcomeError(str(error), index, "point_subject") from None
            changes += 1
        for action in entry.new_actions:
            try:
                actions.create_action(
                    agreement,
                    description=action.description,
                    owner_id=action.owner_id,
                    due_on=action.due_on,
                    meeting_id=meeting.id,
                )
            except actions.ActionError as error:
                raise OutcomeError(str(error), index, "actions") from None
            changes += 1
    return changes


def _settle(point: NegotiationPoint, status: str, meeting: Meeting, index: int) -> int:
    settled = status in ("agreed", "dropped")
    try:
        points.update_point(
            point,
            subject=point.subject,
            details=point.details,
            status=status,
            raised_at_id=point.raised_at_id,
            settled_at_id=meeting.id if settled else None,
            positions={position.party_id: position.position for position in point.positions},
        )
    except points.PointError as error:
        raise OutcomeError(f"{point.subject}: {error}", index, "settle") from None
    return 1
