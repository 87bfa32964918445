"""The action item services: rules kept whatever the caller, and no commits of their own."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.actions import services
from tracker.models import ActionItem


def test_create_flushes_but_leaves_the_commit_to_the_caller(db, talks):
    action = services.create_action(talks["agreement"], description="Send draft text")
    assert action.id is not None
    assert action.done is False and action.done_on is None
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


def test_create_and_update_with_everything(db, talks, make_person):
    owner = make_person("Rajesh Kumar", talks["india"])
    action = services.create_action(
        talks["agreement"],
        description="  Send draft text  ",
        owner_id=owner.id,
        due_on=date(2024, 12, 1),
        meeting_id=talks["first"].id,
    )
    db.session.commit()
    action = db.session.get(ActionItem, action.id)
    assert action.description == "Send draft text"
    assert (action.owner_id, action.due_on, action.meeting_id) == (
        owner.id,
        date(2024, 12, 1),
        talks["first"].id,
    )

    services.update_action(
        action, description="Send text", owner_id=None, due_on=None, meeting_id=None, done=True
    )
    db.session.commit()
    action = db.session.get(ActionItem, action.id)
    assert (action.owner_id, action.due_on, action.meeting_id) == (None, None, None)
    assert action.done and action.done_on == date.today()

    services.update_action(
        action, description="Send text", owner_id=None, due_on=None, meeting_id=None, done=False
    )
    db.session.commit()
    assert not action.done and action.done_on is None


def test_update_keeps_the_day_an_action_was_done(db, talks):
    action = services.create_action(talks["agreement"], description="Send text")
    services.toggle_done(action, date(2024, 9, 1))
    services.update_action(
        action, description="Send the text", owner_id=None, due_on=None, meeting_id=None, done=True
    )
    assert action.done_on == date(2024, 9, 1)


def test_toggle_done_sets_and_clears_the_date(db, talks):
    action = services.create_action(talks["agreement"], description="Send text")
    services.toggle_done(action, date(2024, 9, 1))
    db.session.commit()
    assert (action.done, action.done_on) == (True, date(2024, 9, 1))
    services.toggle_done(action, date(2024, 9, 2))
    db.session.commit()
    assert (action.done, action.done_on) == (False, None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "  "}, "description"),
        ({"description": "x" * 501}, "description"),
        ({"owner_id": 12345}, "owner_id"),
        ({"meeting_id": 12345}, "meeting_id"),
    ],
)
def test_rule_breaks_raise_action_error_with_the_field(db, talks, overrides, field):
    values = {"description": "Send text", **overrides}
    with pytest.raises(services.ActionError) as error:
        services.create_action(talks["agreement"], **values)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


def test_delete(db, talks):
    action = services.create_action(talks["agreement"], description="Send text")
    db.session.commit()
    services.delete_action(action)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0
