"""Each party's position on a point has a history: a dated step, with its meeting, for every
change, through the service whatever the caller, on the point's page and through its form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from
from tracker.data import markings
from tracker.models import AgendaItem, MarkingValue, PartyPosition, PositionChange
from tracker.models.clock import today
from tracker.points import services
from tracker.points.services import PointError

CONFIDENTIAL, SECRET = 2, 3


def steps(db, point) -> list[tuple[int, str, date, int | None]]:
    """(party, position, stated on, meeting) of each step, oldest first."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            PositionChange.party_id,
            PositionChange.position,
            PositionChange.stated_on,
            PositionChange.meeting_id,
        )
        .where(PositionChange.point_id == point.id)
        .order_by(PositionChange.stated_on, PositionChange.id)
    )
    return [tuple(row) for row in rows]


def update(point, positions, **values):
    services.update_point(
        point,
        subject=point.subject,
        details=point.details,
        status=point.status,
        raised_at_id=point.raised_at_id,
        settled_at_id=point.settled_at_id,
        positions=positions,
        **values,
    )


def test_history_grows_with_each_change_and_only_then(db, talks, make_user):
    india, japan = talks["india"], talks["japan"]
    first, second = talks["first"], talks["second"]
    point = services.create_point(
        talks["agreement"],
        subject="Reimbursement",
        positions={india.id: "In kind", japan.id: ""},
        positions_stated_at_id=first.id,
    )
    db.session.commit()
    assert steps(db, point) == [(india.id, "In kind", date(2024, 8, 20), first.id)]

    # Unchanged (but for spaces): no step.
    update(point, {india.id: "  In kind "})
    db.session.commit()
    assert len(steps(db, point)) == 1

    clerk = make_user("clerk")
    update(
        point,
        {india.id: "Cash", japan.id: "Cash too"},
        positions_stated_on=date(2024, 11, 6),
        positions_stated_at_id=second.id,
        recorded_by=clerk,
    )
    db.session.commit()
    assert steps(db, point)[1:] == [
        (india.id, "Cash", date(2024, 11, 6), second.id),
        (japan.id, "Cash too", date(2024, 11, 6), second.id),
    ]
    recorded = db.session.scalars(
        sa.select(PositionChange.recorded_by_id).where(PositionChange.point_id == point.id)
    ).all()
    assert sorted(recorded, key=str) == sorted([None, clerk.id, clerk.id], key=str)

    # Withdrawn: an empty step, stated today by default.
    update(point, {india.id: "Cash"})
    db.session.commit()
    assert steps(db, point)[-1] == (japan.id, "", today(), None)
    assert {row.party_id for row in db.session.scalars(sa.select(PartyPosition))} == {india.id}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"positions_stated_on": "tomorrow"}, "positions_stated_on", "in the future"),
        ({"positions_stated_at": "elsewhere"}, "positions_stated_at_id", "did not discuss"),
        ({"positions_stated_at_id": 12345}, "positions_stated_at_id", "does not exist"),
        (
            {"positions_stated_at": "second", "positions_stated_on": date(2024, 8, 21)},
            "positions_stated_on",
            "before the meeting",
        ),
        ({"positions_stated_at": "upcoming"}, "positions_stated_at_id", "is not held until"),
        ({"positions_stated_on": date(2024, 8, 1)}, "positions_stated_on", "last stated on"),
    ],
)
def test_when_and_where_a_position_was_stated_is_checked(
    db, talks, make_meeting, make_agreement, values, field, message
):
    india = talks["india"]
    point = services.create_point(
        talks["agreement"],
        subject="Scope",
        positions={india.id: "Narrow"},
        positions_stated_on=date(2024, 8, 20),
    )
    other = make_agreement(title="Another deal", short_name="OTHER", parties=[india])
    elsewhere = make_meeting(title="Talks on another deal")
    upcoming = make_meeting(
        title="Next round", starts_at=talks["second"].starts_at.replace(year=2999)
    )
    db.session.add_all(
        [
            AgendaItem(meeting=elsewhere, agreement=other),
            AgendaItem(meeting=upcoming, agreement=talks["agreement"]),
        ]
    )
    db.session.commit()
    meetings = {"second": talks["second"], "elsewhere": elsewhere, "upcoming": upcoming}
    values = dict(values)
    if "positions_stated_at" in values:
        values["positions_stated_at_id"] = meetings[values.pop("positions_stated_at")].id
    if values.get("positions_stated_on") == "tomorrow":
        values["positions_stated_on"] = today() + timedelta(days=1)
    with pytest.raises(PointError, match=message) as refused:
        update(point, {india.id: "Broad"}, **values)
    assert refused.value.field == field
    db.session.rollback()
    assert [step[1] for step in steps(db, point)] == ["Narrow"]


def test_a_step_is_marked_as_its_position_and_rises_with_it(db, talks):
    from tracker.markings.services import MarkingChoice

    india = talks["india"]
    point = services.create_point(talks["agreement"], subject="Scope", positions={india.id: "A"})
    update(
        point,
        {india.id: "B"},
        position_markings={india.id: MarkingChoice(MarkingValue(level=CONFIDENTIAL))},
    )
    db.session.commit()
    levels = [
        markings.value_of(db.session, change.marking_id).level
        for change in db.session.scalars(sa.select(PositionChange).order_by(PositionChange.id))
    ]
    # The earlier step showed a position now marked higher: it rises with it.
    assert levels == [CONFIDENTIAL, CONFIDENTIAL]
    update(
        point,
        {india.id: "C"},
        position_markings={india.id: MarkingChoice(MarkingValue(level=SECRET))},
    )
    db.session.commit()
    levels = [
        markings.value_of(db.session, change.marking_id).level
        for change in db.session.scalars(sa.select(PositionChange).order_by(PositionChange.id))
    ]
    assert levels == [SECRET, SECRET, SECRET]


def test_deleting_a_point_deletes_its_history(db, talks):
    point = services.create_point(
        talks["agreement"], subject="Scope", positions={talks["india"].id: "Narrow"}
    )
    db.session.commit()
    services.delete_point(point)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(PositionChange.id))) == 0


def test_the_form_records_when_and_where_and_the_page_shows_the_history(logged_in, db, talks):
    india, japan = talks["india"], talks["japan"]
    point = services.create_point(
        talks["agreement"],
        subject="Reimbursement",
        positions={india.id: "In kind", japan.id: "Cash"},
        positions_stated_at_id=talks["first"].id,
    )
    db.session.commit()
    form = logged_in.get(f"/points/{point.id}/edit").get_data(as_text=True)
    assert 'name="positions_stated_on"' in form and 'name="positions_stated_at_id"' in form
    data = {
        "subject": "Reimbursement",
        "details": "",
        "status": "open",
        "raised_at_id": "",
        "settled_at_id": "",
        f"position_{india.id}": "Cash after all",
        f"position_{japan.id}": "",
        "positions_stated_on": "2024-11-06",
        "positions_stated_at_id": str(talks["second"].id),
        **loaded_from(point),
    }
    assert logged_in.post(f"/points/{point.id}/edit", data=data).status_code == 302

    page = logged_in.get(f"/points/{point.id}").get_data(as_text=True)
    india_part = page[page.index(f"party-{india.id}-heading") :]
    india_part = india_part[: india_part.index("</section>")]
    # Newest first, dated, the meeting linked.
    assert india_part.index("Cash after all") < india_part.index("In kind")
    assert "6 Nov 2024" in india_part and "20 Aug 2024" in india_part
    assert f'href="/meetings/{talks["second"].id}">Second round</a>' in india_part
    assert "by Desk.Officer" in india_part
    japan_part = page[page.index(f"party-{japan.id}-heading") :]
    assert "Holds no position now." in japan_part and "Position withdrawn" in japan_part
    # The agreement's page links to the point's.
    agreement_page = logged_in.get(f"/agreements/{talks['agreement'].id}").get_data(as_text=True)
    assert f'href="/points/{point.id}"' in agreement_page


def test_the_form_says_what_is_wrong_with_the_day(logged_in, db, talks):
    point = services.create_point(
        talks["agreement"], subject="Scope", positions={talks["india"].id: "Narrow"}
    )
    db.session.commit()
    data = {
        "subject": "Scope",
        "status": "open",
        f"position_{talks['india'].id}": "Broad",
        "positions_stated_on": (today() + timedelta(days=2)).isoformat(),
        **loaded_from(point),
    }
    response = logged_in.post(f"/points/{point.id}/edit", data=data)
    assert response.status_code == 200
    assert "A position cannot be stated in the future" in response.get_data(as_text=True)
    assert [step[1] for step in steps(db, point)] == ["Narrow"]


def test_a_reader_who_may_not_see_the_point_gets_404(client, db, talks, make_user):
    from tests.helpers import log_in

    point = services.create_point(
        talks["agreement"], subject="Hidden okapi", positions={talks["india"].id: "Secret line"}
    )
    point.marking_id = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.commit()
    make_user("reader")
    assert log_in(client, "reader").status_code == 302
    assert client.get(f"/points/{point.id}").status_code == 404
    page = client.get(f"/agreements/{talks['agreement'].id}").get_data(as_text=True)
    assert "Secret line" not in page and "Hidden okapi" not in page


def test_the_audit_trail_records_when_and_where_a_position_was_stated(db, talks):
    from tracker.models import AuditRecord

    india = talks["india"]
    point = services.create_point(talks["agreement"], subject="Scope", positions={})
    db.session.commit()
    update(point, {india.id: "Narrow"}, positions_stated_at_id=talks["first"].id)
    db.session.commit()
    entries = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.record_type == "point").order_by(AuditRecord.id)
    ).all()
    changes = {change["field"]: change["new"] for entry in entries for change in entry.changes}
    assert changes["position of India"] == "Narrow"
    assert changes["position of India stated on"] == "2024-08-20"
    assert changes["position of India stated at"] == "First round"
