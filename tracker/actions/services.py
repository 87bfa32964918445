"""Changes to action items. Services add and flush; the view commits once."""

from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.markings.services import MarkingChoice, set_marking
from tracker.models import ActionItem, Agreement, Meeting, Person, clock
from tracker.models.errors import RuleError
from tracker.points.queries import meeting_problem


class ActionError(RuleError):
    """A change that would break a rule about actions."""


def _apply(
    action: ActionItem,
    agreement: Agreement,
    *,
    description: str,
    owner_id: int | None,
    due_on: date | None,
    meeting_id: int | None,
    marking: MarkingChoice | None = None,
) -> None:
    description = (description or "").strip()
    if not description:
        raise ActionError("Describe what has to be done.", "description")
    if len(description) > 500:
        raise ActionError("The description can be at most 500 characters.", "description")
    owner = None
    if owner_id is not None:
        owner = db.session.get(Person, owner_id)
        if owner is None:
            raise ActionError("The owner chosen does not exist.", "owner_id")
        # As the form's choices: archived people own nothing new, but keep what they own.
        if owner.archived_at is not None and owner.id != action.owner_id:
            raise ActionError(f"{owner.name} is archived: choose another owner.", "owner_id")
    meeting = None
    if meeting_id is not None:
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None:
            raise ActionError("The meeting chosen does not exist.", "meeting_id")
        # As the form's choices: a meeting that discussed the agreement, not archived,
        # unless it is the one already chosen.
        if meeting.id != action.meeting_id:
            problem = meeting_problem(meeting, agreement.id)
            if problem:
                raise ActionError(problem, "meeting_id")
    set_marking(action, marking, parents=[agreement])
    action.description = description
    action.owner = owner
    action.due_on = due_on
    action.meeting = meeting


def create_action(
    agreement: Agreement,
    *,
    description: str,
    owner_id: int | None = None,
    due_on: date | None = None,
    meeting_id: int | None = None,
    marking: MarkingChoice | None = None,
) -> ActionItem:
    """Add an open action item to ``agreement``."""
    # Attached to the agreement only once valid, so a refused action is never half-added.
    action = ActionItem(done=False)
    _apply(
        action,
        agreement,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
        meeting_id=meeting_id,
        marking=marking,
    )
    action.agreement = agreement
    db.session.add(action)
    db.session.flush()
    return action


def _set_done(action: ActionItem, done: bool, today: date) -> None:
    if done and not action.done:
        action.done, action.done_on = True, today
    elif not done:
        action.done, action.done_on = False, None


def update_action(
    action: ActionItem,
    *,
    description: str,
    owner_id: int | None,
    due_on: date | None,
    meeting_id: int | None,
    done: bool,
    marking: MarkingChoice | None = None,
) -> None:
    """Replace the action's details; marking it done records today, reopening clears it."""
    _apply(
        action,
        action.agreement,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
        meeting_id=meeting_id,
        marking=marking,
    )
    _set_done(action, done, clock.today())
    db.session.flush()


def toggle_done(action: ActionItem, today: date) -> None:
    """Mark an open action done on ``today``, or reopen a done one."""
    set_done(action, not action.done, today)


def set_done(action: ActionItem, done: bool, today: date) -> None:
    """Mark the action done on ``today`` (unless it already is), or reopen it."""
    _set_done(action, done, today)
    db.session.flush()


def delete_action(action: ActionItem) -> None:
    db.session.delete(action)
    db.session.flush()
