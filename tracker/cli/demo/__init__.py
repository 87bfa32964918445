"""Load the demo world from ``world.toml``; records already present are left alone."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import date, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
)


def read_world() -> dict:
    return tomllib.loads(files(__package__).joinpath("world.toml").read_text(encoding="utf-8"))


def load_demo_data() -> Counter:
    """Add what is missing of the demo world; returns how many of each kind were created."""
    world = read_world()
    created: Counter = Counter()
    session = db.session

    parties = {}
    for row in world["party"]:
        party = session.scalar(sa.select(Party).where(Party.name == row["name"]))
        if party is None:
            party = Party(name=row["name"], code=row["code"], kind=row["kind"])
            session.add(party)
            created["parties"] += 1
        parties[row["name"]] = party

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
            agreement = _new_agreement(row, parties, meetings)
            session.add(agreement)
            created["agreements"] += 1
        agreements[row["key"]] = agreement

    session.flush()
    for row in world["meeting"]:
        meeting = meetings[row["key"]]
        for key, outcome in row.get("agenda", []):
            agreement = agreements[key]
            if session.get(AgendaItem, (meeting.id, agreement.id)) is None:
                session.add(AgendaItem(meeting=meeting, agreement=agreement, outcome=outcome))
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
            point = NegotiationPoint(
                agreement=agreement,
                subject=row["subject"],
                details=row.get("details", ""),
                status=row["status"],
                raised_at=meetings.get(row.get("raised_at")),
                positions=[
                    PartyPosition(party=parties[name], position=text)
                    for name, text in row.get("positions", [])
                ],
            )
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
                )
            )
            created["action items"] += 1

    session.flush()
    return created


def _new_agreement(row: dict, parties: dict, meetings: dict) -> Agreement:
    first, *rest = row["history"]
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
    first_change = agreement.status_changes[0]
    first_change.note = first.get("note", first_change.note)
    first_change.meeting = meetings.get(first.get("meeting"))
    for step in rest:
        agreement.change_status(
            step["status"],
            effective_on=date.fromisoformat(step["on"]),
            note=step.get("note", ""),
            meeting=meetings.get(step.get("meeting")),
        )
    return agreement
