"""The meeting services: rules kept whatever the caller, and no commits of their own."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tracker.meetings import services
from tracker.models import Meeting

START = datetime(2024, 8, 20, 4, 30, tzinfo=UTC)


def values(**overrides) -> dict:
    data = {"title": "Talks", "starts_at": START, "ends_at": None, "timezone": "UTC"}
    data.update(level="summit", **overrides)
    return data


def test_services_flush_but_leave_the_commit_to_the_caller(db):
    meeting = services.create_meeting(**values())
    assert meeting.id is not None
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_a_meeting_cannot_be_held_during_its_own_side_meeting(db, make_meeting):
    gathering = make_meeting(title="Summit")
    side = make_meeting(title="Side", parent=gathering)
    corridor = make_meeting(title="Corridor", parent=side)
    db.session.commit()
    for parent in (gathering, side, corridor):
        with pytest.raises(services.MeetingError, match="during itself or its own side"):
            services.update_meeting(gathering, **values(parent_id=parent.id))
        db.session.rollback()
    assert db.session.get(Meeting, gathering.id).parent_id is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"ends_at": datetime(2024, 8, 20, 4, 0, tzinfo=UTC)},
        {"agenda": [(1, "a"), (1, "b")]},
        {"participant_ids": [12345]},
        {"parent_id": 12345},
    ],
)
def test_services_refuse_broken_values(db, overrides):
    with pytest.raises(services.MeetingError):
        services.create_meeting(**values(**overrides))
    db.session.rollback()
