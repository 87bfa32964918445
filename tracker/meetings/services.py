"""Changes to meetings. Services add and flush; the view commits once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

import sqlalchemy as sa

from tracker.data import access
from tracker.extensions import db
from tracker.markings.services import MarkingChoice, set_marking
from tracker.models import AgendaItem, Agreement, Meeting, MeetingLevel, Person
from tracker.models.errors import RuleError

# The most agreements discussed and participants one meeting records: each row and each
# chosen person costs the server time to check and draw on the meeting's form (and a
# meeting's outcomes form has a section per agreement discussed), so a forged request must
# not bring thousands.
MAX_AGENDA = 60
MAX_PARTICIPANTS = 300


class MeetingError(RuleError):
    """A change that would break a rule about meetings."""


@cache
def timezone_names() -> frozenset[str]:
    """The IANA zone names a meeting may be held in."""
    return frozenset(available_timezones())


def _check_parent(meeting: Meeting, parent_id: int | None) -> Meeting | None:
    """The gathering ``meeting`` would be held during; refuses cycles, and an archived one
    unless it already is the meeting's."""
    if parent_id is None:
        return None
    parent = db.session.get(Meeting, parent_id)
    if parent is None:
        raise MeetingError("The gathering chosen does not exist.", "parent_id")
    if parent.archived_at is not None and parent is not meeting.parent:
        raise MeetingError("The gathering chosen is archived.", "parent_id")
    ancestor = parent
    while ancestor is not None:
        if ancestor is meeting:
            raise MeetingError(
                "A meeting cannot be held during itself or its own side meetings.", "parent_id"
            )
        ancestor = ancestor.parent
    return parent


def _people(meeting: Meeting, ids: Sequence[int]) -> list[Person]:
    """The people of ``ids``: archived ones only if they already are participants."""
    if not ids:
        return []
    if len(set(ids)) > MAX_PARTICIPANTS:
        raise MeetingError(f"Choose at most {MAX_PARTICIPANTS} participants.", "participant_ids")
    people = list(db.session.scalars(sa.select(Person).where(Person.id.in_(set(ids)))))
    if len(people) != len(set(ids)):
        raise MeetingError("Some of the participants chosen do not exist.", "participant_ids")
    kept = {person.id for person in meeting.participants}
    if any(person.archived_at is not None and person.id not in kept for person in people):
        raise MeetingError("Some of the participants chosen are archived.", "participant_ids")
    return people


def _check_agreements(meeting: Meeting, ids: Sequence[int]) -> None:
    """Refuse agreements that do not exist, or are archived and not yet on the agenda."""
    if not ids:
        return
    rows = db.session.execute(
        sa.select(Agreement.id, Agreement.archived_at).where(Agreement.id.in_(set(ids)))
    ).all()
    if len(rows) != len(set(ids)):
        raise MeetingError("Some of the agreements listed do not exist.", "agenda")
    kept = {item.agreement_id for item in meeting.agenda_items}
    if any(archived_at is not None and id_ not in kept for id_, archived_at in rows):
        raise MeetingError("Some of the agreements listed are archived.", "agenda")
    if meeting.id is not None and _held_above_the_reader(meeting, set(ids) - kept):
        raise MeetingError(
            "An agreement listed is already on this meeting's agenda, in a row marked above "
            "what you may read; someone cleared for it can change that row.",
            "agenda",
        )


def _held_above_the_reader(meeting: Meeting, ids: set[int]) -> bool:
    """Whether any of ``ids`` has a row on ``meeting``'s agenda that the reader may not see
    (an outcome marked above them): adding it again would collide with that row."""
    if not ids:
        return False
    with access.reading_whole(db.session):
        found = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.agreement_id.in_(ids))
            .execution_options(tracker_access=False)
        )
    return bool(found)


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
    marking: MarkingChoice | None = None,
    agenda_markings: dict[int, MarkingChoice] | None = None,
) -> None:
    if not title.strip():
        raise MeetingError("Enter a title.", "title")
    if timezone not in timezone_names():
        raise MeetingError("Choose a timezone from the list.", "timezone")
    if ends_at is not None and ends_at < starts_at:
        raise MeetingError("A meeting cannot end before it starts.", "ends_at")
    agreement_ids = [agreement_id for agreement_id, _ in agenda]
    if len(agreement_ids) > MAX_AGENDA:
        raise MeetingError(f"A meeting lists at most {MAX_AGENDA} agreements discussed.", "agenda")
    if len(agreement_ids) != len(set(agreement_ids)):
        raise MeetingError("Each agreement can be listed only once.", "agenda")
    _check_agreements(meeting, agreement_ids)
    # Every check (and the queries they make) before the first change: a query would flush
    # a half-changed meeting, and a new one that is not in the session yet cannot be.
    parent = _check_parent(meeting, parent_id)
    people = _people(meeting, participant_ids)
    set_marking(meeting, marking)
    agreements = (
        {
            a.id: a
            for a in db.session.scalars(sa.select(Agreement).where(Agreement.id.in_(agreement_ids)))
        }
        if agreement_ids
        else {}
    )
    meeting.title = title.strip()
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.timezone = timezone
    meeting.level = MeetingLevel(level)
    meeting.city = city.strip()
    meeting.country = country.strip()
    meeting.setting = setting.strip()
    meeting.summary = summary.strip()
    meeting.parent = parent
    meeting.participants = people
    # Keep the rows of agreements still on the agenda; only their outcome changes.
    existing = {item.agreement_id: item for item in meeting.agenda_items}
    items = []
    for agreement_id, outcome in agenda:
        item = existing.get(agreement_id) or AgendaItem(agreement_id=agreement_id)
        # An outcome is marked at least as its agreement and its meeting.
        set_marking(
            item,
            (agenda_markings or {}).get(agreement_id),
            parents=[agreements[agreement_id], meeting],
            field="agenda",
        )
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
