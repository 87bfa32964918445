"""What the status report of one agreement says, as it stood on a given day.

Everything here is plain data built from loaded records: the HTML, PDF, Markdown and JSON
renderers all read the same :class:`AgreementReport` (all but JSON through its outline,
outline.py), so the formats cannot disagree.

"As of" a day means what the recorded history says held at the end of that day:
- the status is the last step of the status history effective on or before it;
- meetings are those held on or before it (on the meeting's own calendar), and the next
  meeting is the first one after it that had already been entered in the tracker by then;
- points are those raised by then (at a meeting held by then, or entered by then when no
  meeting is cited) and not yet settled (at a meeting held by then, or, without a meeting,
  by a change recorded by then);
- action items are those agreed by then and not done by then; overdue means due before it;
- each party's position on a point is the last step of its history stated on or before
  it (none if the last one removed it); a position with no recorded history at all (entered
  by a script, not through the points service) is shown as currently recorded;
- the latest updates are the audit-trail entries recorded by then;
- each negotiating text is shown at the revision that stood on it (the latest issued on or
  before it), compared with the revision before that, its burn-down running over the
  revisions issued by then; drafts are never part of the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from tracker.models import (
    ActionItem,
    Agreement,
    NegotiationPoint,
    PartyPosition,
    PointStatus,
    PositionChange,
    Status,
    clock,
)
from tracker.models.audit import AuditRecord
from tracker.render.dates import format_date
from tracker.texts.progress import BurnDownPoint
from tracker.texts.summary import RoundSummary

if TYPE_CHECKING:
    # A meeting that discussed the agreement, as its page reads it (plain values).
    from tracker.agreements.queries import MeetingLine as AgendaMeeting

# How many audit-trail entries the "latest updates" section lists.
LATEST_UPDATES = 10
KEY_DATE_LABELS = {
    "opened_on": "Negotiations opened",
    "target_on": "Target date",
    "signed_on": "Signed",
    "in_force_on": "Entered into force",
}


# What the report says about the negotiating texts it shows.
DRAFTS_NOTE = "Only issued revisions are reported: drafts in progress are not part of the report."


def positions_note(as_of_text: str) -> str:
    """What the report says about the parties' positions it shows."""
    return (
        f"Party positions are shown as they stood on {as_of_text}: "
        "the last each party stated by then."
    )


@dataclass(frozen=True)
class PartyLine:
    name: str
    code: str | None
    kind: str
    role: str


@dataclass(frozen=True)
class StatusStep:
    status: Status
    effective_on: date
    previous: Status | None
    note: str
    meeting: str | None
    recorded_by: str | None


@dataclass(frozen=True)
class MeetingLine:
    id: int
    title: str
    starts_at: datetime
    timezone: str
    day: date
    place: str
    level: str
    outcome: str


@dataclass(frozen=True)
class Position:
    party: str
    position: str


@dataclass(frozen=True)
class PointLine:
    id: int
    subject: str
    details: str
    status: PointStatus
    raised_at: str | None
    positions: tuple[Position, ...]


@dataclass(frozen=True)
class ActionLine:
    id: int
    description: str
    owner: str | None
    due_on: date | None
    overdue: bool


@dataclass(frozen=True)
class UpdateLine:
    recorded_at: datetime
    user: str | None
    action: str
    record_type: str
    record: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RevisionLine:
    label: str
    issued_on: date | None
    issued_by: str  # the issuing party's name, "Chair" or "Joint"


@dataclass(frozen=True)
class TextLine:
    """A negotiating text as it stood on the report's day (``revision`` None: none issued
    by then); ``summary`` compares ``revision`` with ``previous``, or with itself when it
    is the first issued."""

    id: int
    title: str
    kind: str
    revision: RevisionLine | None
    previous: RevisionLine | None
    summary: RoundSummary | None
    burn_down: tuple[BurnDownPoint, ...]  # the revisions issued by the report's day


@dataclass
class AgreementReport:
    id: int
    title: str
    short_name: str | None
    category: str
    priority: str
    summary: str
    lead: str | None
    as_of: date
    is_today: bool
    generated_at: datetime
    status: Status | None
    status_since: date | None
    parties: list[PartyLine] = field(default_factory=list)
    history: list[StatusStep] = field(default_factory=list)
    meetings: list[MeetingLine] = field(default_factory=list)
    next_meeting: MeetingLine | None = None
    open_points: list[PointLine] = field(default_factory=list)
    open_actions: list[ActionLine] = field(default_factory=list)
    latest_updates: list[UpdateLine] = field(default_factory=list)
    key_dates: dict[str, date | None] = field(default_factory=dict)
    texts: list[TextLine] = field(default_factory=list)
    # The markings of every record the report shows (not of those the as-of day leaves
    # out), and their combined marking in words, which every format carries top and bottom.
    marking_ids: frozenset[int] = frozenset()
    marking: str = ""

    @property
    def name(self) -> str:
        return self.short_name or self.title

    @property
    def days_in_status(self) -> int | None:
        return None if self.status_since is None else (self.as_of - self.status_since).days

    @property
    def overdue_actions(self) -> list[ActionLine]:
        return [action for action in self.open_actions if action.overdue]

    @property
    def as_of_text(self) -> str:
        day = format_date(self.as_of)
        return f"today, {day}" if self.is_today else day

    @property
    def positions_note(self) -> str:
        return positions_note(self.as_of_text)

    @property
    def recorded(self) -> bool:
        """False when the as-of day is before the agreement's first recorded status."""
        return self.status is not None


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in UTC: what was recorded by then counts."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1
    )


def _meeting_line(meeting: AgendaMeeting, outcome: str) -> MeetingLine:
    return MeetingLine(
        id=meeting.id,
        title=meeting.title,
        starts_at=meeting.starts_at,
        timezone=meeting.timezone,
        day=meeting.local_day,
        place=meeting.place,
        level=meeting.level.label,
        outcome=outcome,
    )


def _settled_on(point: NegotiationPoint, settled_records: dict[int, datetime]) -> date | None:
    """When a settled point was settled: its meeting, else the recorded change, else unknown."""
    if not point.status.is_settled:
        return None
    if point.settled_at is not None:
        return point.settled_at.local_day
    recorded = settled_records.get(point.id) or point.updated_at
    return recorded.date()


def _point_known(point: NegotiationPoint, as_of: date) -> bool:
    if point.raised_at is not None:
        return point.raised_at.local_day <= as_of
    return point.created_at <= end_of_day(as_of)


def positions_as_of(
    point: NegotiationPoint, history: Sequence[PositionChange], as_of: date
) -> list[PositionChange | PartyPosition]:
    """Each party's position on ``point`` at the end of ``as_of``: the last step of its
    ``history`` (the point's, oldest first) stated by then, unless that removed it; a party
    with no history at all keeps its current position."""
    last: dict[int, PositionChange] = {}
    for change in history:
        if change.stated_on <= as_of:
            last[change.party_id] = change
    with_history = {change.party_id for change in history}
    found: list[PositionChange | PartyPosition] = [
        change for change in last.values() if change.position
    ]
    found += [p for p in point.positions if p.party_id not in with_history]
    return sorted(found, key=lambda p: p.party.name)


def _point_line(
    point: NegotiationPoint,
    status: PointStatus,
    positions: Sequence[PositionChange | PartyPosition],
) -> PointLine:
    return PointLine(
        id=point.id,
        subject=point.subject,
        details=point.details,
        status=status,
        raised_at=point.raised_at.title if point.raised_at else None,
        positions=tuple(Position(position.party.name, position.position) for position in positions),
    )


def _action_known(action: ActionItem, as_of: date) -> bool:
    if action.meeting is not None:
        return action.meeting.local_day <= as_of
    return action.created_at <= end_of_day(as_of)


def _action_open(action: ActionItem, as_of: date) -> bool:
    if not action.done:
        return True
    # Done, but perhaps after the as-of day; without a date it counts as done all along.
    return action.done_on is not None and action.done_on > as_of


def build_report(
    agreement: Agreement,
    *,
    meetings: Sequence[AgendaMeeting],
    as_of: date,
    today: date,
    updates: list[AuditRecord],
    record_names: dict[tuple[str, int], str],
    point_settled_records: dict[int, datetime],
    generated_at: datetime | None = None,
    meeting_markings: dict[int, set[int]] | None = None,
    position_history: dict[int, list[PositionChange]] | None = None,
) -> AgreementReport:
    """Assemble the report from an agreement loaded with everything it shows and the
    meetings that discussed it (``meeting_markings``: each one's marking and its agenda
    item's, which plain meeting lines do not carry; ``position_history``: each point's
    steps of its parties' positions, oldest first)."""
    meeting_markings = meeting_markings or {}
    position_history = position_history or {}
    shown: set[int] = {agreement.marking_id}
    history = [change for change in agreement.status_changes if change.effective_on <= as_of]
    report = AgreementReport(
        id=agreement.id,
        title=agreement.title,
        short_name=agreement.short_name,
        category=agreement.category.label,
        priority=agreement.priority.label,
        summary=agreement.summary,
        lead=agreement.lead.display_name if agreement.lead else None,
        as_of=as_of,
        is_today=as_of == today,
        generated_at=generated_at or clock.utcnow(),
        status=history[-1].to_status if history else None,
        status_since=history[-1].effective_on if history else None,
    )
    report.key_dates = {
        "opened_on": _known(agreement.opened_on, as_of),
        "target_on": agreement.target_on,
        "signed_on": _known(agreement.signed_on, as_of),
        "in_force_on": _known(agreement.in_force_on, as_of),
    }
    report.parties = [
        PartyLine(link.party.name, link.party.code, link.party.kind.label, link.role.label)
        for link in agreement.party_links
    ]
    report.history = [
        StatusStep(
            status=change.to_status,
            effective_on=change.effective_on,
            previous=change.from_status,
            note=change.note,
            meeting=change.meeting.title if change.meeting else None,
            recorded_by=change.recorded_by.display_name if change.recorded_by else None,
        )
        for change in history
    ]
    for change in history:
        shown.add(change.marking_id)
        if change.meeting:
            shown.add(change.meeting.marking_id)

    cutoff = end_of_day(as_of)
    lines = [
        (_meeting_line(meeting, meeting.outcome), meeting.created_at)
        for meeting in sorted(meetings, key=lambda meeting: (meeting.starts_at, meeting.id))
    ]
    report.meetings = [line for line, _ in lines if line.day <= as_of]
    upcoming = [line for line, created_at in lines if line.day > as_of and created_at <= cutoff]
    if upcoming:
        report.next_meeting = replace(upcoming[0], outcome="")
    for line in [*report.meetings, *([report.next_meeting] if report.next_meeting else [])]:
        shown.update(meeting_markings.get(line.id, ()))

    for point in sorted(agreement.points, key=lambda p: (p.created_at, p.id)):
        if not _point_known(point, as_of):
            continue
        settled_on = _settled_on(point, point_settled_records)
        if settled_on is not None and settled_on <= as_of:
            continue
        # Settled later: on the day it was still being negotiated.
        status = point.status if settled_on is None else PointStatus.OPEN
        positions = positions_as_of(point, position_history.get(point.id, ()), as_of)
        report.open_points.append(_point_line(point, status, positions))
        shown.add(point.marking_id)
        shown.update(position.marking_id for position in positions)
        if point.raised_at:
            shown.add(point.raised_at.marking_id)

    actions = [
        action
        for action in agreement.action_items
        if _action_known(action, as_of) and _action_open(action, as_of)
    ]
    actions.sort(key=lambda a: (a.due_on is None, a.due_on or date.max, a.id))
    shown.update(action.marking_id for action in actions)
    report.open_actions = [
        ActionLine(
            id=action.id,
            description=action.description,
            owner=action.owner.name if action.owner else None,
            due_on=action.due_on,
            overdue=action.due_on is not None and action.due_on < as_of,
        )
        for action in actions
    ]

    updates = [record for record in updates if record.recorded_at <= cutoff][:LATEST_UPDATES]
    shown.update(record.marking_id for record in updates)
    report.latest_updates = [
        UpdateLine(
            recorded_at=record.recorded_at,
            user=record.user.display_name if record.user else None,
            action=record.action.label,
            record_type=record.record_type,
            record=record_names.get((record.record_type, record.record_id))
            or record.summary
            or f"{record.record_type} {record.record_id}",
            fields=tuple(field_label(change["field"]) for change in record.changes or ()),
        )
        for record in updates
    ]
    report.marking_ids = frozenset(shown)
    return report


def field_label(name: str) -> str:
    """A stored field name as readers say it: raised_at_id → raised at."""
    return name.removesuffix("_id").replace("_", " ")


def _known(day: date | None, as_of: date) -> date | None:
    return day if day is not None and day <= as_of else None
