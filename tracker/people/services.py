"""Creating, changing, archiving and deleting people. Services flush; callers commit."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import Person
from tracker.models.errors import RuleError
from tracker.people import queries


class PersonError(RuleError):
    """A change to a person that the rules do not allow."""


def _check_party(party_id: int, current_party_id: int | None = None) -> None:
    """People join active parties; one already with an archived party may stay there."""
    party = queries.get_party(party_id)
    if party is None or (party.archived_at is not None and party.id != current_party_id):
        raise PersonError("Choose a party from the list.", "party_id")


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise PersonError("Enter the person's name.", "name")
    return name


def create_person(name: str, position: str, party_id: int) -> Person:
    name = _check_name(name)
    _check_party(party_id)
    person = Person(name=name, position=(position or "").strip(), party_id=party_id)
    db.session.add(person)
    db.session.flush()
    return person


def update_person(person: Person, name: str, position: str, party_id: int) -> None:
    name = _check_name(name)
    _check_party(party_id, current_party_id=person.party_id)
    person.name = name
    person.position = (position or "").strip()
    person.party_id = party_id
    db.session.flush()


def delete_person(person: Person) -> None:
    """Delete a person nothing refers to; otherwise raise PersonError (archive instead)."""
    usage = queries.person_usage(person.id)
    if usage.in_use:
        raise PersonError(
            f"{person.name} cannot be deleted: they {describe_usage(usage)}. Archive them instead."
        )
    db.session.delete(person)
    db.session.flush()


def describe_usage(usage: queries.PersonUsage) -> str:
    parts = []
    if usage.meetings:
        parts.append(f"attended {usage.meetings} meeting{'s' if usage.meetings != 1 else ''}")
    if usage.actions:
        parts.append(f"owns {usage.actions} action item{'s' if usage.actions != 1 else ''}")
    return " and ".join(parts)
