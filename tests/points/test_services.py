"""The point services: rules kept whatever the caller, and no commits of their own."""

import pytest
import sqlalchemy as sa

from tracker.models import NegotiationPoint, PartyPosition, PointStatus
from tracker.points import services


def positions_of(db, point) -> dict[int, str]:
    rows = db.session.scalars(sa.select(PartyPosition).where(PartyPosition.point_id == point.id))
    return {row.party_id: row.position for row in rows}


def test_create_flushes_but_leaves_the_commit_to_the_caller(db, talks):
    point = services.create_point(talks["agreement"], subject="Scope of services")
    assert point.id is not None
    assert point.status == PointStatus.OPEN
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(NegotiationPoint.id))) == 0


def test_create_with_everything(db, talks):
    india, japan = talks["india"], talks["japan"]
    point = services.create_point(
        talks["agreement"],
        subject="  Reimbursement  ",
        details="Cash or kind",
        status="agreed",
        raised_at_id=talks["first"].id,
        settled_at_id=talks["second"].id,
        positions={
            india.id: "In kind",
            japan.id: "  ",
        },
    )
    db.session.commit()
    point = db.session.get(NegotiationPoint, point.id)
    assert point.subject == "Reimbursement"
    assert point.status == PointStatus.AGREED
    assert (point.raised_at_id, point.settled_at_id) == (talks["first"].id, talks["second"].id)
    assert positions_of(db, point) == {india.id: "In kind"}


def test_update_replaces_and_removes_positions(db, talks):
    india, japan = talks["india"], talks["japan"]
    point = services.create_point(
        talks["agreement"], subject="Scope", positions={india.id: "Narrow", japan.id: "Broad"}
    )
    db.session.commit()
    services.update_point(
        point,
        subject="Scope",
        details="",
        status="converging",
        raised_at_id=None,
        settled_at_id=None,
        positions={india.id: "Narrower still", japan.id: ""},
    )
    db.session.commit()
    assert positions_of(db, point) == {india.id: "Narrower still"}
    assert db.session.get(NegotiationPoint, point.id).status == PointStatus.CONVERGING


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"status": "nonsense"}, "status"),
        ({"status": "open", "settled_at": "second"}, "settled_at_id"),
        ({"status": "converging", "settled_at": "second"}, "settled_at_id"),
        ({"status": "agreed", "raised_at": "second", "settled_at": "first"}, "settled_at_id"),
        ({"raised_at_id": 12345}, "raised_at_id"),
        ({"status": "dropped", "settled_at_id": 12345}, "settled_at_id"),
        ({"positions": "stranger"}, "positions"),
    ],
)
def test_rule_breaks_raise_point_error_with_the_field(db, talks, make_party, overrides, field):
    values = {"subject": "Scope", "status": "open"}
    overrides = dict(overrides)  # the parametrized dict is shared by both backends
    for key in ("raised_at", "settled_at"):
        if key in overrides:
            values[f"{key}_id"] = talks[overrides.pop(key)].id
    if overrides.get("positions") == "stranger":
        overrides["positions"] = {make_party("France", "FRA").id: "Not a party here"}
    values.update(overrides)
    with pytest.raises(services.PointError) as error:
        services.create_point(talks["agreement"], **values)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(NegotiationPoint.id))) == 0


def test_settled_at_the_meeting_it_was_raised_at_is_fine(db, talks):
    point = services.create_point(
        talks["agreement"],
        subject="Scope",
        status="dropped",
        raised_at_id=talks["first"].id,
        settled_at_id=talks["first"].id,
    )
    assert point.settled_at is talks["first"]


def test_delete_removes_the_point_and_its_positions(db, talks):
    point = services.create_point(
        talks["agreement"], subject="Scope", positions={talks["india"].id: "Narrow"}
    )
    db.session.commit()
    services.delete_point(point)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(NegotiationPoint.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartyPosition)) == 0
