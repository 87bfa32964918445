"""Fixtures for the negotiation point tests: an agreement with two parties and its meetings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.meetings.conftest import admin, make_meeting, make_person, viewer  # noqa: F401
from tracker.models import AgendaItem


@pytest.fixture
def talks(db, make_agreement, make_party, make_meeting):  # noqa: F811
    """RPSS between India and Japan, discussed at two meetings (Aug and Nov 2024)."""
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    agreement = make_agreement(parties=[india, japan])
    first = make_meeting(title="First round", starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC))
    second = make_meeting(title="Second round", starts_at=datetime(2024, 11, 5, 4, 30, tzinfo=UTC))
    db.session.add_all(
        [
            AgendaItem(meeting=first, agreement=agreement),
            AgendaItem(meeting=second, agreement=agreement),
        ]
    )
    db.session.commit()
    return {
        "agreement": agreement,
        "india": india,
        "japan": japan,
        "first": first,
        "second": second,
    }
