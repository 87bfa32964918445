"""The negotiation rules: which status changes are allowed, and the history behind them."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tracker.models import (
    Agreement,
    Meeting,
    Status,
    StatusChange,
    StatusHistoryError,
    TransitionError,
    allowed_transitions,
)
from tracker.models.status import TRANSITIONS


def test_main_path_runs_from_proposal_to_in_force(db, make_agreement):
    agreement = make_agreement(status="proposed", status_on=date(2024, 1, 1))
    path = [Status.UNDER_NEGOTIATION, Status.TEXT_AGREED, Status.SIGNED, Status.IN_FORCE]
    for month, status in enumerate(path, start=2):
        agreement.change_status(status, effective_on=date(2024, month, 1))
    db.session.commit()

    stored = db.session.get(Agreement, agreement.id)
    assert stored.status == Status.IN_FORCE
    assert [c.to_status for c in stored.status_changes] == [Status.PROPOSED, *path]
    assert [c.from_status for c in stored.status_changes] == [None, Status.PROPOSED, *path[:-1]]
    # Key dates follow the history.
    assert stored.opened_on == date(2024, 2, 1)
    assert stored.signed_on == date(2024, 4, 1)
    assert stored.in_force_on == date(2024, 5, 1)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.PROPOSED, Status.SIGNED),
        (Status.PROPOSED, Status.IN_FORCE),
        (Status.UNDER_NEGOTIATION, Status.IN_FORCE),
        (Status.IN_FORCE, Status.STALLED),
        (Status.ABANDONED, Status.SIGNED),
        (Status.PROPOSED, Status.PROPOSED),
    ],
)
def test_skipping_steps_is_refused(db, make_agreement, start, target):
    agreement = make_agreement(status=Status.PROPOSED, status_on=date(2024, 1, 1))
    # Walk to the start state by an allowed route.
    routes = {
        Status.PROPOSED: [],
        Status.UNDER_NEGOTIATION: [Status.UNDER_NEGOTIATION],
        Status.IN_FORCE: [
            Status.UNDER_NEGOTIATION,
            Status.TEXT_AGREED,
            Status.SIGNED,
            Status.IN_FORCE,
        ],
        Status.ABANDONED: [Status.ABANDONED],
    }
    for status in routes[start]:
        agreement.change_status(status, effective_on=date(2024, 2, 1))
    with pytest.raises(TransitionError):
        agreement.change_status(target, effective_on=date(2024, 3, 1))
    assert agreement.status == start


def test_stalled_negotiation_can_resume(db, make_agreement):
    agreement = make_agreement(status="under_negotiation", status_on=date(2024, 1, 1))
    agreement.change_status(Status.STALLED, effective_on=date(2024, 6, 1), note="No meeting")
    agreement.change_status(Status.UNDER_NEGOTIATION, effective_on=date(2025, 1, 1))
    db.session.commit()
    assert agreement.status == Status.UNDER_NEGOTIATION
    assert Status.UNDER_NEGOTIATION in allowed_transitions(Status.STALLED)


def test_every_status_has_a_rule_and_in_force_is_final():
    assert set(TRANSITIONS) == set(Status)
    assert allowed_transitions(Status.IN_FORCE) == []
    assert Status.PROPOSED in allowed_transitions(Status.ABANDONED)


def test_change_cannot_take_effect_before_the_previous_one(make_agreement):
    agreement = make_agreement(status="proposed", status_on=date(2024, 5, 1))
    with pytest.raises(TransitionError, match="before the previous one"):
        agreement.change_status(Status.UNDER_NEGOTIATION, effective_on=date(2024, 4, 30))


def test_status_change_records_meeting_and_recorder(db, make_agreement, make_user):
    user = make_user("recorder")
    agreement = make_agreement()
    meeting = Meeting(
        title="Round 1", starts_at=datetime(2024, 12, 1, 9, tzinfo=UTC), level="working_group"
    )
    db.session.add(meeting)
    agreement.change_status(
        Status.UNDER_NEGOTIATION,
        effective_on=date(2024, 12, 1),
        note="Launched",
        meeting=meeting,
        recorded_by=user,
    )
    db.session.commit()
    change = db.session.scalars(
        sa.select(StatusChange).where(StatusChange.to_status == Status.UNDER_NEGOTIATION)
    ).one()
    assert change.meeting.title == "Round 1"
    assert change.recorded_by.username == "recorder"
    assert change.recorded_at.tzinfo is not None
    assert meeting.status_changes == [change]


def test_setting_status_directly_is_refused_at_flush(db, make_agreement):
    agreement = make_agreement(status="proposed")
    db.session.commit()
    agreement.status = Status.SIGNED
    with pytest.raises(StatusHistoryError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Agreement, agreement.id).status == Status.PROPOSED


def test_history_must_be_a_chain(db, make_agreement):
    agreement = make_agreement(status="proposed", status_on=date(2024, 1, 1))
    db.session.commit()
    agreement.status_changes.append(
        StatusChange(
            from_status=Status.TEXT_AGREED, to_status=Status.PROPOSED, effective_on=date(2024, 2, 1)
        )
    )
    with pytest.raises(StatusHistoryError, match="chain"):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_status_outside_the_list(db, make_agreement):
    agreement = make_agreement()
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.text("UPDATE agreement SET status = 'ratified' WHERE id = :id"),
            {"id": agreement.id},
        )
    db.session.rollback()
