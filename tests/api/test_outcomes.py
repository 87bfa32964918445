"""A meeting's outcomes on the API, in one call: everything or nothing, the meeting's ETag as
If-Match, refused parts named by their entry and field."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyKind,
    Person,
    PointStatus,
    Role,
    Status,
    StatusChange,
)


@pytest.fixture
def talks(db):
    """The New Delhi talks discussing the RPSS (with an open point) and a second agreement."""
    india = Party(name="India", code="IND", kind=PartyKind.STATE)
    japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
    rpss, dic = (
        Agreement(
            title=title,
            short_name=short,
            category="logistics",
            status="proposed",
            status_on=date(2024, 11, 1),
            party_links=[AgreementParty(party=india), AgreementParty(party=japan)],
        )
        for title, short in (("Reciprocal Provision", "RPSS"), ("Defence industry", "DIC"))
    )
    scope = NegotiationPoint(agreement=rpss, subject="Scope of services", status="open")
    singh = Person(name="Rajnath Singh", party=india)
    meeting = Meeting(
        title="New Delhi talks",
        level="ministerial",
        timezone="Asia/Kolkata",
        starts_at=datetime(2025, 5, 4, 20, 30, tzinfo=UTC),  # 5 May in New Delhi
        participants=[singh],
        agenda_items=[
            AgendaItem(agreement=rpss, outcome="Earlier note"),
            AgendaItem(agreement=dic, outcome=""),
        ],
    )
    db.session.add_all([scope, singh, meeting])
    db.session.commit()
    return {"meeting": meeting, "rpss": rpss, "dic": dic, "scope": scope, "singh": singh}


def url(talks) -> str:
    return f"/api/v1/meetings/{talks['meeting'].id}/outcomes"


def etag(api, talks) -> str:
    return api.get(f"/api/v1/meetings/{talks['meeting'].id}").headers["ETag"]


def nothing_recorded(db, talks) -> bool:
    db.session.expire_all()
    rpss = db.session.get(Agreement, talks["rpss"].id)
    meeting = db.session.get(Meeting, talks["meeting"].id)
    return (
        rpss.status == Status.PROPOSED
        and db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0
        and db.session.scalar(sa.select(sa.func.count()).select_from(NegotiationPoint)) == 1
        and {item.outcome for item in meeting.agenda_items} == {"Earlier note", ""}
    )


def test_one_call_records_status_points_and_actions_citing_the_meeting(api, db, talks):
    meeting, rpss, dic = talks["meeting"], talks["rpss"], talks["dic"]
    response = api.post(
        url(talks),
        json={
            "outcomes": [
                {
                    "agreement_id": rpss.id,
                    "outcome": "Formal negotiations launched",
                    "status": "under_negotiation",
                    "status_note": "Ministers agreed to negotiate",
                    "settle": [{"point_id": talks["scope"].id, "status": "agreed"}],
                    "point_subject": "Reimbursement mechanism",
                    "point_details": "How supplies are paid for",
                    "actions": [
                        {
                            "task": "Exchange first draft",
                            "owner_id": talks["singh"].id,
                            "due_on": "2025-07-31",
                        }
                    ],
                },
                {"agreement_id": dic.id, "actions": [{"task": "List candidate projects"}]},
            ]
        },
        headers={"If-Match": etag(api, talks)},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["changes"] == 6 and body["id"] == meeting.id
    assert response.headers["ETag"] == f'"v{body["version"]}"'
    assert {row["agreement_id"]: row["status"] for row in body["agenda"]} == {
        rpss.id: "under_negotiation",
        dic.id: "proposed",
    }

    db.session.expire_all()
    rpss = db.session.get(Agreement, rpss.id)
    assert rpss.status == Status.UNDER_NEGOTIATION
    change = db.session.scalars(sa.select(StatusChange).order_by(StatusChange.id.desc())).first()
    # No date sent: the day the meeting started where it was held, as the page offers.
    assert change.meeting_id == meeting.id and change.effective_on == date(2025, 5, 5)
    assert change.recorded_by.id == api.user.id
    points = {point.subject: point for point in rpss.points}
    assert points["Scope of services"].status == PointStatus.AGREED
    assert points["Scope of services"].settled_at_id == meeting.id
    assert points["Reimbursement mechanism"].raised_at_id == meeting.id
    actions = {a.description: a for a in db.session.scalars(sa.select(ActionItem))}
    assert actions["Exchange first draft"].owner_id == talks["singh"].id
    assert actions["List candidate projects"].meeting_id == meeting.id
    outcomes = {i.agreement_id: i.outcome for i in db.session.get(Meeting, meeting.id).agenda_items}
    # An outcome not sent stays as it was.
    assert outcomes == {rpss.id: "Formal negotiations launched", dic.id: ""}


def test_a_refused_part_is_named_by_entry_and_field_and_nothing_is_recorded(api, db, talks):
    rpss, dic = talks["rpss"], talks["dic"]
    valid = {"agreement_id": dic.id, "outcome": "Kept?", "actions": [{"task": "Draft"}]}
    cases = [
        # The rules' refusals, from the services.
        ({"agreement_id": rpss.id, "status": "in_force"}, "status"),
        ({"agreement_id": rpss.id, "point_details": "No subject"}, "point_details"),
        ({"agreement_id": rpss.id, "settle": [{"point_id": 999999, "status": "agreed"}]}, "settle"),
        ({"agreement_id": 999999}, "agreement_id"),
        ({"agreement_id": dic.id}, "agreement_id"),  # the same agreement twice
        ({"agreement_id": rpss.id, "actions": [{"task": "x", "owner_id": 999999}]}, "actions"),
        # Refused input, by the schema.
        ({"agreement_id": rpss.id, "summary": "unknown field"}, "summary"),
        ({"agreement_id": rpss.id, "point_subject": "x" * 201}, "point_subject"),
        ({"agreement_id": rpss.id, "status_note": "\x00"}, "status_note"),
        ({"agreement_id": 2**40}, "agreement_id"),
        ({"agreement_id": rpss.id, "status_on": "soon", "status": "signed"}, "status_on"),
        ({"agreement_id": rpss.id, "settle": [{"point_id": 1, "status": "open"}]}, "settle"),
        ({"agreement_id": rpss.id, "actions": [{"owner_id": 1}]}, "actions"),
    ]
    for entry, field in cases:
        response = api.post(
            url(talks), json={"outcomes": [valid, entry]}, headers={"If-Match": etag(api, talks)}
        )
        assert response.status_code == 422, (entry, response.json)
        assert response.mimetype == "application/problem+json"
        assert list(response.json["errors"]["json"]["outcomes"]["1"]) == [field], entry
        assert nothing_recorded(db, talks), entry


def test_without_or_with_a_stale_if_match_nothing_is_recorded(api, db, talks):
    meeting = talks["meeting"]
    body = {"outcomes": [{"agreement_id": talks["rpss"].id, "outcome": "Lost"}]}
    without = api.post(url(talks), json=body)
    assert without.status_code == 428 and without.mimetype == "application/problem+json"
    old = etag(api, talks)
    changed = api.patch(
        f"/api/v1/meetings/{meeting.id}", json={"title": "Talks"}, headers={"If-Match": old}
    )
    assert changed.status_code == 200
    stale = api.post(url(talks), json=body, headers={"If-Match": old})
    assert stale.status_code == 412
    assert stale.json["current"] == f"/api/v1/meetings/{meeting.id}"
    assert nothing_recorded(db, talks)


def test_a_missing_meeting_is_a_404(api):
    response = api.post(
        "/api/v1/meetings/999999/outcomes", json={"outcomes": []}, headers={"If-Match": '"v1"'}
    )
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_cannot_record(api_as, db, talks, read_only):
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    response = caller.post(
        url(talks),
        json={"outcomes": [{"agreement_id": talks["rpss"].id, "outcome": "Lost"}]},
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert nothing_recorded(db, talks)
