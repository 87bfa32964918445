"""Factories and clients for the meeting tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.helpers import log_in
from tracker.models import Meeting, MeetingLevel, Person, Role


@pytest.fixture
def make_person(db, make_party):
    """Create a person; ``party`` defaults to a new party called India."""

    def make(name: str = "Rajesh Kumar", party=None, position: str = "", **overrides) -> Person:
        if party is None:
            party = make_party()
        person = Person(name=name, position=position, party=party, **overrides)
        db.session.add(person)
        db.session.flush()
        return person

    return make


@pytest.fixture
def make_meeting(db):
    """Create a meeting (10:00 IST on 20 Aug 2024 by default); keywords override."""

    def make(**overrides) -> Meeting:
        values = {
            "title": "Defence Policy Dialogue",
            "starts_at": datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
            "timezone": "Asia/Kolkata",
            "city": "New Delhi",
            "country": "India",
            "level": MeetingLevel.SENIOR_OFFICIALS,
        }
        values.update(overrides)
        meeting = Meeting(**values)
        db.session.add(meeting)
        db.session.flush()
        return meeting

    return make


@pytest.fixture
def viewer(client, make_user):
    """A client logged in as a viewer."""
    make_user("reader", role=Role.VIEWER)
    assert log_in(client, "reader").status_code == 302
    return client


@pytest.fixture
def admin(client, make_user):
    """A client logged in as an administrator."""
    make_user("chief", role=Role.ADMIN)
    assert log_in(client, "chief").status_code == 302
    return client
