"""Fixtures of the access log's tests: marked records, readers with clearances, officers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import log_in
from tracker.models import UNMARKED_ID, AccessLogEntry, Marking, MarkingValue, Role

# Default levels: 0 Unclassified, 1 Restricted, 2 Confidential (ACCESS_LOG_LEVEL), 3 Secret.
RESTRICTED, CONFIDENTIAL, SECRET = 1, 2, 3


@pytest.fixture
def marking(db):
    """``marking(level)``: the id of the plain marking at ``level``."""

    def make(level: int) -> int:
        # Stored directly, with ids of our own: markings.id_for flushes with
        # Session.flush([row]), which SQLAlchemy deprecates (an error under the suite's
        # warning filter); on PostgreSQL the migration's row 1 leaves the id sequence at 1,
        # and emptying the tables between tests removes that row.
        if db.session.get(Marking, UNMARKED_ID) is None:
            db.session.add(Marking(id=UNMARKED_ID, key="0", level=0, caveats=""))
        value = MarkingValue(level=level)
        found = db.session.scalar(sa.select(Marking.id).where(Marking.key == value.key))
        if found is None:
            found = (db.session.scalar(sa.select(sa.func.max(Marking.id))) or 0) + 1
            db.session.add(Marking(id=found, key=value.key, level=level, caveats=""))
        db.session.commit()
        return found

    return make


@pytest.fixture
def reader(db, make_user):
    """``reader("ann", clearance=2, officer=False, role=Role.VIEWER)``: a user."""

    def make(username: str, *, clearance: int = 0, officer: bool = False, role=Role.VIEWER):
        user = make_user(username, role=role)
        user.clearance = clearance
        user.security_officer = officer
        db.session.commit()
        return user

    return make


@pytest.fixture
def as_user(client, reader):
    """``as_user("ann", clearance=2)``: the client, logged in as a new user."""

    def make(username: str, **kwargs):
        user = reader(username, **kwargs)
        assert log_in(client, username).status_code == 302
        return user

    return make


def log_rows(db) -> list[AccessLogEntry]:
    """The access log as committed, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id)))
