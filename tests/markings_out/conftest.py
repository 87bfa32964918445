"""A world with one Secret // REL TO IND, JPN agreement beside an unclassified one, and
readers cleared for it (or not), for the markings on what leaves the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import log_in
from tracker.accounts import tokens
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AuditAction,
    AuditRecord,
    Marking,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    Role,
)
from tracker.models.marking import MarkingValue, marking_release

SECRET = "SECRET // REL TO IND, JPN"
UNCLASSIFIED = "UNCLASSIFIED"


@dataclass
class World:
    secret: Agreement
    plain: Agreement
    meeting: Meeting
    secret_marking: int


@pytest.fixture
def world(db, make_agreement, make_party) -> World:
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    secret_marking = _stored(db, MarkingValue(level=3, release_to=frozenset({india.id, japan.id})))
    secret = make_agreement(
        title="Stealth antenna co-development",
        short_name="UNICORN",
        parties=[india, japan],
        status="under_negotiation",
        status_on=date.today() - timedelta(days=200),
    )
    secret.marking_id = secret_marking
    plain = make_agreement(
        title="Open logistics talks",
        short_name="OPEN",
        category="technology",
        parties=[india],
        status="under_negotiation",
        status_on=date.today() - timedelta(days=10),
    )
    meeting = Meeting(
        title="Joint working group",
        starts_at=datetime.now(UTC) + timedelta(days=5),
        timezone="Asia/Kolkata",
        level=MeetingLevel.WORKING_GROUP,
    )
    db.session.add(meeting)
    db.session.add_all(
        [
            AgendaItem(
                meeting=meeting,
                agreement=secret,
                outcome="Work share settled",
                marking_id=secret_marking,
            ),
            AgendaItem(meeting=meeting, agreement=plain),
        ]
    )
    db.session.add(
        NegotiationPoint(
            agreement=secret, subject="Radar cross-section data", marking_id=secret_marking
        )
    )
    # Enough open actions that the report's PDF runs over several pages.
    for n in range(70):
        db.session.add(
            ActionItem(
                agreement=secret,
                description=f"Draft annex {n} on the exchange of test results",
                due_on=date.today() + timedelta(days=n),
                marking_id=secret_marking,
            )
        )
    db.session.flush()
    db.session.add(
        AuditRecord(
            action=AuditAction.UPDATE,
            record_type="agreement",
            record_id=secret.id,
            summary="Stealth antenna co-development",
            marking_id=secret_marking,
            agreement_id=secret.id,
        )
    )
    db.session.commit()
    return World(secret, plain, meeting, secret_marking)


def _stored(db, value: MarkingValue) -> int:
    """The marking's row, written as tracker/data/markings.py's ``id_for`` writes it."""
    row = Marking(key=value.key, level=value.level, caveats=",".join(sorted(value.caveats)))
    db.session.add(row)
    db.session.flush()
    db.session.execute(
        sa.insert(marking_release),
        [{"marking_id": row.id, "party_id": p} for p in value.release_to],
    )
    return row.id


def _cleared(db, user, world: World, clearance: int = 3) -> None:
    user.clearance = clearance
    user.party_id = next(link.party_id for link in world.secret.party_links)
    db.session.commit()


@pytest.fixture
def cleared(db, client, make_user, world):
    """A client logged in as a viewer cleared for Secret, of India."""
    user = make_user("cleared", role=Role.VIEWER)
    _cleared(db, user, world)
    assert log_in(client, "cleared").status_code == 302
    return client


@pytest.fixture
def uncleared(db, client, make_user, world):
    """A client logged in as a viewer with no clearance."""
    make_user("uncleared", role=Role.VIEWER)
    assert log_in(client, "uncleared").status_code == 302
    return client


@pytest.fixture
def cleared_admin(db, client, make_user, world):
    user = make_user("officer", role=Role.ADMIN)
    _cleared(db, user, world)
    assert log_in(client, "officer").status_code == 302
    return client


@pytest.fixture
def cleared_token(db, make_user, world):
    """The secret of an API token of a viewer cleared for Secret, of India."""
    user = make_user("cleared.api", role=Role.VIEWER)
    _cleared(db, user, world)
    _token, secret = tokens.create_token(user, "Test script")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}
