"""Load the demo world from ``world.toml``; records already present are left alone.

The world marks some of its material (see the top of ``world.toml``); its demo accounts, at
several clearances, are made only by ``tracker setup`` on an empty database
(:func:`create_demo_accounts`).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tracker.accounts import services as accounts
from tracker.cli.demo.texts import load_texts
from tracker.data import markings
from tracker.extensions import db
from tracker.models import (
    AccessEntry,
    AccessGroup,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    MarkingValue,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
    PositionChange,
)
from tracker.models.clock import today


def read_world() -> dict:
    return tomllib.loads(files(__package__).joinpath("world.toml").read_text(encoding="utf-8"))


def _level(name: str) -> int:
    try:
        return markings.levels().index(name)
    except ValueError:
        raise ValueError(f"the demo world uses a level this deployment lacks: {name!r}") from None


class _Markings:
    """The world's marking tables as stored markings, each child at least its parent's."""

    def __init__(self, parties: dict[str, Party]):
        self.parties = parties
        self.values: dict[int, MarkingValue] = {}

    def value(self, spec: dict | None, parent: MarkingValue) -> MarkingValue:
        if not spec:
            return parent
        known = set(markings.caveats())
        caveats = frozenset(spec.get("caveats", ()))
        if not caveats <= known:
            raise ValueError(f"the demo world uses caveats not configured: {caveats - known}")
        value = MarkingValue(
            level=_level(spec["level"]),
            release_to=frozenset(self.parties[name].id for name in spec.get("rel_to", ())),
            caveats=caveats,
        )
        if value.level < parent.level:
            raise ValueError(f"a demo record is marked below what it belongs to: {spec}")
        return value

    def id(self, value: MarkingValue) -> int:
        marking_id = markings.id_for(db.session, value)
        self.values[marking_id] = value
        return marking_id


UNMARKED = MarkingValue()


def load_demo_data() -> Counter:
    """Add what is missing of the demo world; returns how many of each kind were created."""
    world = read_world()
    created: Counter = Counter()
    session = db.session

    groups = {}
    for row in world.get("group", []):
        group = session.scalar(sa.select(AccessGroup).where(AccessGroup.name == row["name"]))
        if group is None:
            group = AccessGroup(name=row["name"], description=row.get("description", ""))
            session.add(group)
            created["access groups"] += 1
        groups[row["name"]] = group

    parties = {}
    for row in world["party"]:
        party = session.scalar(sa.select(Party).where(Party.name == row["name"]))
        if party is None:
            party = Party(name=row["name"], code=row["code"], kind=row["kind"])
            session.add(party)
            created["parties"] += 1
        parties[row["name"]] = party
    session.flush()  # releasability names parties by id
    marks = _Markings(parties)

    people = {}
    for row in world["person"]:
        party = parties[row["party"]]
        person = session.scalar(
            sa.select(Person).where(Person.name == row["name"], Person.party == party)
        )
        if person is None:
            person = Person(name=row["name"], position=row["position"], party=party)
            session.add(person)
            created["people"] += 1
        people[row["name"]] = person

    meetings = {}
    for row in world["meeting"]:
        zone = ZoneInfo(row["timezone"])
        starts_at = datetime.fromisoformat(row["starts_at"]).replace(tzinfo=zone)
        meeting = session.scalar(
            sa.select(Meeting).where(Meeting.title == row["title"], Meeting.starts_at == starts_at)
        )
        if meeting is None:
            ends_at = row.get("ends_at")
            meeting = Meeting(
                title=row["title"],
                starts_at=starts_at,
                ends_at=datetime.fromisoformat(ends_at).replace(tzinfo=zone) if ends_at else None,
                timezone=row["timezone"],
                city=row.get("city", ""),
                country=row.get("country", ""),
                setting=row.get("setting", ""),
                level=row["level"],
                summary=row.get("summary", ""),
                parent=meetings.get(row.get("parent")),
                participants=[people[name] for name in row.get("participants", [])],
                marking_id=marks.id(marks.value(row.get("marking"), UNMARKED)),
            )
            session.add(meeting)
            created["meetings"] += 1
        meetings[row["key"]] = meeting

    agreements = {}
    for row in world["agreement"]:
        agreement = session.scalar(
            sa.select(Agreement).where(Agreement.short_name == row["short_name"])
        )
        if agreement is None:
            agreement = _new_agreement(row, parties, meetings, marks)
            agreement.access_entries = [
                AccessEntry(group=groups[name]) for name in row.get("need_to_know", [])
            ]
            agreement.need_to_know = bool(agreement.access_entries)
            session.add(agreement)
            created["agreements"] += 1
        agreements[row["key"]] = agreement

    session.flush()

    def marking_of(record) -> MarkingValue:
        if record.marking_id not in marks.values:
            marks.values[record.marking_id] = markings.value_of(session, record.marking_id)
        return marks.values[record.marking_id]

    for row in world["meeting"]:
        meeting = meetings[row["key"]]
        for key, outcome, *spec in row.get("agenda", []):
            agreement = agreements[key]
            if session.get(AgendaItem, (meeting.id, agreement.id)) is None:
                parent = MarkingValue.combined(
                    [marking_of(meeting), marking_of(agreement)], today()
                )
                session.add(
                    AgendaItem(
                        meeting=meeting,
                        agreement=agreement,
                        outcome=outcome,
                        marking_id=marks.id(marks.value(spec[0] if spec else None, parent)),
                    )
                )
                created["agenda items"] += 1

    for row in world["point"]:
        agreement = agreements[row["agreement"]]
        exists = session.scalar(
            sa.select(NegotiationPoint.id).where(
                NegotiationPoint.agreement == agreement,
                NegotiationPoint.subject == row["subject"],
            )
        )
        if exists is None:
            value = marks.value(row.get("marking"), marking_of(agreement))
            # Every marking stored before the records are made: storing one flushes.
            point_marking = marks.id(value)
            positions = [
                (parties[name], text, marks.id(marks.value(spec[0] if spec else None, value)))
                for name, text, *spec in row.get("positions", [])
            ]
            point = NegotiationPoint(
                agreement=agreement,
                subject=row["subject"],
                details=row.get("details", ""),
                status=row["status"],
                raised_at=meetings.get(row.get("raised_at")),
                marking_id=point_marking,
                positions=[
                    PartyPosition(party=party, position=text, marking_id=marking_id)
                    for party, text, marking_id in positions
                ],
            )
            # Each position's history starts where the point was raised (if held by now).
            raised = point.raised_at
            stated_on = today()
            if raised is not None and raised.local_day <= stated_on:
                stated_on = raised.local_day
            else:
                raised = None
            point.position_changes = [
                PositionChange(
                    party=party,
                    position=text,
                    stated_on=stated_on,
                    meeting=raised,
                    marking_id=marking_id,
                )
                for party, text, marking_id in positions
            ]
            session.add(point)
            created["negotiation points"] += 1

    for row in world["action"]:
        agreement = agreements[row["agreement"]]
        exists = session.scalar(
            sa.select(ActionItem.id).where(
                ActionItem.agreement == agreement, ActionItem.description == row["description"]
            )
        )
        if exists is None:
            session.add(
                ActionItem(
                    agreement=agreement,
                    meeting=meetings.get(row.get("meeting")),
                    description=row["description"],
                    owner=people.get(row.get("owner", "")),
                    due_on=date.fromisoformat(row["due_on"]) if row.get("due_on") else None,
                    marking_id=marks.id(marks.value(row.get("marking"), marking_of(agreement))),
                )
            )
            created["action items"] += 1

    session.flush()
    rows = world.get("text", [])
    texts = load_texts(rows, agreements, parties, meetings, marks.value, marking_of)
    if texts:
        created["negotiating texts"] += texts
    session.flush()
    return created


def _new_agreement(row: dict, parties: dict, meetings: dict, marks: _Markings) -> Agreement:
    first, *rest = row["history"]
    value = marks.value(row.get("marking"), UNMARKED)
    # Every marking stored before the records are made: storing one flushes.
    marking_id = marks.id(value)
    step_markings = [marks.id(marks.value(step.get("marking"), value)) for step in row["history"]]
    agreement = Agreement(
        title=row["title"],
        short_name=row["short_name"],
        category=row["category"],
        priority=row.get("priority", "normal"),
        summary=row.get("summary", ""),
        status=first["status"],
        status_on=date.fromisoformat(first["on"]),
        party_links=[
            AgreementParty(party=parties[name], role=role) for name, role in row["parties"]
        ],
    )
    agreement.marking_id = marking_id
    first_change = agreement.status_changes[0]
    first_change.note = first.get("note", first_change.note)
    first_change.meeting = meetings.get(first.get("meeting"))
    first_change.marking_id = step_markings[0]
    for step, step_marking in zip(rest, step_markings[1:], strict=True):
        change = agreement.change_status(
            step["status"],
            effective_on=date.fromisoformat(step["on"]),
            note=step.get("note", ""),
            meeting=meetings.get(step.get("meeting")),
        )
        change.marking_id = step_marking
    return agreement


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    about: str


def create_demo_accounts() -> list[DemoAccount]:
    """Make the world's demo accounts with random passwords (returned, to be shown once):
    for ``tracker setup`` on an empty database only, after :func:`load_demo_data`."""
    world = read_world()
    session = db.session
    made = []
    for row in world.get("account", []):
        password = accounts.generate_password()
        user = accounts.create_user(row["username"], password, row["role"], row["name"])
        user.clearance = _level(row["clearance"])
        party = row.get("party")
        user.party_id = (
            session.scalar(sa.select(Party.id).where(Party.name == party)) if party else None
        )
        user.caveats = ",".join(sorted(row.get("caveats", [])))
        user.security_officer = row.get("security_officer", False)
        for name in row.get("groups", []):
            group = session.scalar(sa.select(AccessGroup).where(AccessGroup.name == name))
            group.members.append(user)
        made.append(DemoAccount(user.username, password, user.role, row["about"]))
    session.flush()
    return made
