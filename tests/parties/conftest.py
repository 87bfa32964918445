"""Fixtures for the party and people pages: people, and clients logged in by role."""

from __future__ import annotations

import pytest

from tests.helpers import log_in
from tracker.models import Person, Role


@pytest.fixture
def make_person(db, make_party):
    """Create a person; ``party`` defaults to a new India."""

    def make(name: str = "Rajesh Kumar", position: str = "Joint Secretary", party=None) -> Person:
        person = Person(name=name, position=position, party=party or make_party())
        db.session.add(person)
        db.session.flush()
        return person

    return make


@pytest.fixture
def login_as(client, make_user, db):
    """Log the client in as a fresh user of ``role``: ``login_as(Role.VIEWER)``."""

    def login(role: Role):
        db.session.commit()
        user = make_user(f"user.{role.value}", role=role)
        assert log_in(client, user.username).status_code == 302
        return client

    return login


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


@pytest.fixture
def editor(login_as):
    return login_as(Role.EDITOR)


@pytest.fixture
def viewer(login_as):
    return login_as(Role.VIEWER)
