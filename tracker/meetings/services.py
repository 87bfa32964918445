"""Changes to meetings. Services add and flush; the view commits once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AgendaItem, Meeting, MeetingLevel, Person
from tracker.models.errors import RuleError

# The most agreements discussed and participants one meeting records: each row and each
# chosen person costs the server time to check and draw on the meeting's form (and a
# meeting's outcomes form has a section per agreement discussed), so a forged request must
# not bring thousands.
MAX_AGENDA = 60
MAX_PARTICIPANTS = 300


class MeetingError(RuleError):
    """A change that would break a rule about meetings."""


def _check_parent(meeting: Meeting, parent_id: int | None) -> Meeting | None:
    """The gathering ``meeting`` would be held during; refuses cycles."""
    if parent_id is None:
        return None
    parent = db.session.get(Meeting, parent_id)
    if parent is None:
        raise MeetingError("The gathering chosen does not exist.")
    ancestor = parent
    while ancestor is not None:
        if ancestor is meeting:
            raise MeetingError("A meeting cannot be held during itself or its own side meetings.")
        ancestor = ancestor.parent
    return parent


def _people(ids: Sequence[int]) -> list[Person]:
    if not ids:
        return []
    if len(set(ids)) > MAX_PARTICIPANTS:
        raise MeetingError(f"Choose at most {MAX_PARTICIPANTS} participants.", "participant_ids")
    people = list(db.session.scalars(sa.select(Person).where(Person.id.in_(set(ids)))))
    if len(people) != len(set(ids)):
        raise MeetingError("Some of the participants chosen do not exist.")
    return people


def _apply(
    meeting: Meeting,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    timezone: str,
    level: MeetingLevel | str,
    city: str = "",
    country: str = "",
    setting: str = "",
    summary: str = "",
    parent_id: int | None = None,
    participant_ids: Sequence[int] = (),
    agenda: Sequence[tuple[int, str]] = (),
) -> None:
    if ends_at is not None and ends_at < starts_at:
        raise MeetingError("A meeting cannot end before it starts.")
    agreement_ids = [agreement_id for agreement_id, _ in agenda]
    if len(agreement_ids) > MAX_AGENDA:
        raise MeetingError(f"A meeting lists at most {MAX_AGENDA} agreements discussed.", "agenda")
    if len(agreement_ids) != len(set(agreement_ids)):
        raise MeetingError("Each agreement can be listed only once.")
    meeting.title = title.strip()
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.timezone = timezone
    meeting.level = MeetingLevel(level)
    meeting.city = city.strip()
    meeting.country = country.strip()
    meeting.setting = setting.strip()
    meeting.summary = summary.strip()
    meeting.parent = _check_parent(meeting, parent_id)
    meeting.participants = _people(participant_ids)
    # Keep the rows of agreements still on the agenda; only their outcome changes.
    existing = {item.agreement_id: item for item in meeting.agenda_items}
    items = []
    for agreement_id, outcome in agenda:
        item = existing.get(agreement_id) or AgendaItem(agreement_id=agreement_id)
        item.outcome = outcome
        items.append(item)
    meeting.agenda_items = items


def create_meeting(**values) -> Meeting:
    """Record a new meeting; see :func:`_apply` for the values."""
    meeting = Meeting()
    _apply(meeting, **values)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, **values) -> Meeting:
    """Replace the meeting's details, participants and agenda."""
    _apply(meeting, **values)
    db.session.flush()
    return meeting


def delete_meeting(meeting: Meeting) -> None:
    """Delete for good: side meetings, decisions and actions lose the link, not their rows."""
    db.session.delete(meeting)
    db.session.flush()
