"""The marking rule: defaults from the parent, a lower marking refused on its field, and a
downgrade with its reason recorded in the audit trail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.actions import services as actions
from tracker.agreements import services as agreements
from tracker.markings.services import (
    MarkingChoice,
    MarkingError,
    from_parts,
    stored_id,
    value_of,
)
from tracker.models import AuditRecord, MarkingValue
from tracker.points import services as points

RESTRICTED, CONFIDENTIAL = 1, 2


@pytest.fixture
def marked(db, make_agreement):
    """An agreement marked Restricted, REL TO its two parties."""
    agreement = make_agreement()
    ids = frozenset(link.party_id for link in agreement.party_links)
    agreement.marking_id = stored_id(MarkingValue(RESTRICTED, ids))
    db.session.commit()
    return agreement


def test_a_new_record_gets_its_agreements_marking(db, marked):
    point = points.create_point(marked, subject="Scope")
    action = actions.create_action(marked, description="Draft the annex")
    db.session.commit()
    assert point.marking_id == marked.marking_id
    assert action.marking_id == marked.marking_id


def test_a_position_gets_its_points_marking(db, marked):
    party = marked.party_links[0].party_id
    point = points.create_point(
        marked,
        subject="Scope",
        marking=MarkingChoice(MarkingValue(CONFIDENTIAL, value_of(marked).release_to)),
        positions={party: "Wide"},
    )
    db.session.commit()
    assert value_of(point).level == CONFIDENTIAL
    assert point.positions[0].marking_id == point.marking_id


def test_a_record_may_be_marked_higher(db, marked):
    higher = MarkingValue(CONFIDENTIAL, value_of(marked).release_to, frozenset({"CABINET"}))
    action = actions.create_action(marked, description="Brief", marking=MarkingChoice(higher))
    db.session.commit()
    assert value_of(action) == higher


@pytest.mark.parametrize(
    ("lower", "field"),
    [
        (lambda rel: MarkingValue(0, rel), "marking.level"),
        (lambda rel: MarkingValue(RESTRICTED), "marking.rel_to"),
        (lambda rel: MarkingValue(RESTRICTED, rel | {999_999}), "marking.rel_to"),
    ],
)
def test_a_lower_marking_is_refused_on_its_field(db, marked, lower, field):
    rel = value_of(marked).release_to
    with pytest.raises(MarkingError) as refused:
        points.create_point(marked, subject="Scope", marking=MarkingChoice(lower(rel)))
    assert refused.value.field == field


def test_the_refusal_says_what_it_belongs_to_and_what_to_do(db, marked):
    with pytest.raises(MarkingError) as refused:
        points.create_point(marked, subject="Scope", marking=MarkingChoice(MarkingValue(0)))
    message = str(refused.value)
    assert "lower than its agreement" in message
    assert "RESTRICTED // REL TO IND, JPN" in message
    assert "reason" in message


def test_dropping_a_caveat_of_its_own_is_a_downgrade(db, marked):
    rel = value_of(marked).release_to
    cabinet = MarkingValue(RESTRICTED, rel, frozenset({"CABINET"}))
    point = points.create_point(marked, subject="Scope", marking=MarkingChoice(cabinet))
    db.session.commit()
    with pytest.raises(MarkingError) as refused:
        points.update_point(point, **_same(point), marking=MarkingChoice(MarkingValue(1, rel)))
    assert refused.value.field == "marking.caveats"


def _same(point) -> dict:
    return {
        "subject": point.subject,
        "details": point.details,
        "status": point.status,
        "raised_at_id": point.raised_at_id,
        "settled_at_id": point.settled_at_id,
        "positions": {p.party_id: p.position for p in point.positions},
    }


def test_a_downgrade_with_a_reason_is_recorded_with_who_and_why(db, marked):
    point = points.create_point(
        marked,
        subject="Scope",
        marking=MarkingChoice(MarkingValue(0), "Agreed with Japan to share the scope."),
    )
    db.session.commit()
    assert value_of(point) == MarkingValue(0)
    row = db.session.scalars(
        sa.select(AuditRecord).where(
            AuditRecord.record_type == "point", AuditRecord.record_id == point.id
        )
    ).one()
    changes = {change["field"]: change for change in row.changes}
    assert changes["marking downgraded"]["old"] == "RESTRICTED // REL TO IND, JPN"
    assert changes["marking downgraded"]["new"] == "UNCLASSIFIED"
    assert changes["downgrade reason"]["new"] == "Agreed with Japan to share the scope."


def test_an_unchanged_marking_below_its_parent_needs_no_new_reason(db, marked):
    point = points.create_point(
        marked, subject="Scope", marking=MarkingChoice(MarkingValue(0), "Shared.")
    )
    db.session.commit()
    points.update_point(
        point,
        **{**_same(point), "subject": "Scope of services"},
        marking=MarkingChoice(MarkingValue(0)),
    )
    db.session.commit()
    assert point.subject == "Scope of services"


def test_a_refused_change_leaves_no_note_behind(db, marked, make_agreement):
    with pytest.raises(MarkingError):
        points.create_point(marked, subject="Scope", marking=MarkingChoice(MarkingValue(0)))
    db.session.rollback()
    other = make_agreement(title="Other", short_name="OTH", parties=[])
    db.session.commit()
    assert db.session.info.get("tracker.audit.notes", []) == []
    assert other.id


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (MarkingValue(99), "marking.level"),
        (MarkingValue(1, caveats=frozenset({"EYES ONLY"})), "marking.caveats"),
        (MarkingValue(1, release_to=frozenset({999_999})), "marking.rel_to"),
        (from_parts(2, declassify_on=None, downgrade_to=1), "marking.declassify_on"),
    ],
)
def test_unknown_markings_are_refused_by_field(db, make_agreement, value, field):
    agreement = make_agreement()
    with pytest.raises(MarkingError) as refused:
        agreements.update_agreement(agreement, values={}, parties=[], marking=MarkingChoice(value))
    assert refused.value.field == field


def test_the_first_status_step_and_later_ones_follow_the_agreement(db, marked):
    assert all(change.marking_id == marked.marking_id for change in marked.status_changes[1:])
    agreements.change_status(
        marked,
        status="under_negotiation",
        effective_on=marked.status_since,
        note="",
        meeting_id=None,
        recorded_by=None,
    )
    db.session.commit()
    assert marked.status_changes[-1].marking_id == marked.marking_id
