"""Negotiation points on the API: the same rules as the point form, with ETags, cursors and
problems."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.test_query_counts import counting
from tracker.models import (
    AgendaItem,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    PartyPosition,
    Role,
)

# As every record is marked unless a marking is given (tests/markings/ has the rest).
UNMARKED = {
    "level": "Unclassified",
    "rel_to": [],
    "caveats": [],
    "declassify_on": None,
    "downgrade_to": None,
    "text": "UNCLASSIFIED",
}


@pytest.fixture
def agreement(make_agreement, db):
    agreement = make_agreement()
    db.session.commit()
    return agreement


@pytest.fixture
def parties(agreement):
    india, japan = (link.party for link in agreement.party_links)
    return india, japan


def meeting(db, day: int, agreement=None, title: str = "Round") -> Meeting:
    """A meeting on day ``day`` of August 2024 that discussed ``agreement``."""
    made = Meeting(
        title=f"{title} {day}",
        starts_at=datetime(2024, 8, day, 4, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
        city="New Delhi",
        country="India",
        level=MeetingLevel.SENIOR_OFFICIALS,
        agenda_items=[AgendaItem(agreement=agreement)] if agreement is not None else [],
    )
    db.session.add(made)
    db.session.commit()
    return made


def new_point(api, agreement, **values):
    response = api.post(
        "/api/v1/points/", json={"agreement_id": agreement.id, "subject": "Scope", **values}
    )
    assert response.status_code == 201, response.json
    return response


def positions_in_db(db, point_id: int) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(PartyPosition.party_id, PartyPosition.position).where(
            PartyPosition.point_id == point_id
        )
    )
    return dict(rows.all())


def test_an_editor_adds_a_point_with_positions_and_reads_it(api, agreement, parties, db):
    india, japan = parties
    raised = meeting(db, 20, agreement)
    made = new_point(
        api,
        agreement,
        details="Which services the agreement covers.",
        raised_at_id=raised.id,
        positions=[
            {"party_id": india.id, "position": " Broad "},
            {"party_id": japan.id, "position": ""},
        ],
    )
    url = made.headers["Location"]
    assert made.json["url"] == url and made.headers["ETag"] == '"v1"'
    assert made.json["status"] == "open" and made.json["raised_at_id"] == raised.id
    assert made.json["positions"] == [
        {"party_id": india.id, "name": "India", "position": "Broad", "marking": UNMARKED}
    ]
    assert positions_in_db(db, made.json["id"]) == {india.id: "Broad"}
    read = api.get(url)
    assert read.status_code == 200 and read.json == made.json and read.headers["ETag"] == '"v1"'


def test_a_change_sets_positions_as_the_form_does_and_settles_the_point(
    api, agreement, parties, db
):
    india, japan = parties
    raised, settled = meeting(db, 20, agreement), meeting(db, 27, agreement)
    url = new_point(
        api,
        agreement,
        raised_at_id=raised.id,
        positions=[{"party_id": india.id, "position": "Broad"}],
    ).headers["Location"]

    # Fields not sent stay; positions sent are the whole set.
    changed = api.patch(
        url,
        json={"positions": [{"party_id": japan.id, "position": "Narrow"}]},
        headers={"If-Match": '"v1"'},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["subject"] == "Scope" and changed.json["raised_at_id"] == raised.id
    assert changed.json["positions"] == [
        {"party_id": japan.id, "name": "Japan", "position": "Narrow", "marking": UNMARKED}
    ]
    assert changed.headers["ETag"] == '"v2"'
    assert positions_in_db(db, changed.json["id"]) == {japan.id: "Narrow"}

    # Positions not sent stay as they are.
    settled_now = api.patch(
        url,
        json={"status": "agreed", "settled_at_id": settled.id},
        headers={"If-Match": '"v2"'},
    )
    assert settled_now.status_code == 200, settled_now.json
    assert settled_now.json["status"] == "agreed"
    assert settled_now.json["settled_at_id"] == settled.id
    assert positions_in_db(db, changed.json["id"]) == {japan.id: "Narrow"}


def test_a_change_without_or_with_a_stale_if_match_is_refused_and_loses_nothing(
    api, agreement, parties, db
):
    india, _japan = parties
    url = new_point(
        api, agreement, positions=[{"party_id": india.id, "position": "Broad"}]
    ).headers["Location"]
    without = api.patch(url, json={"subject": "Scope and duration"})
    assert without.status_code == 428 and without.mimetype == "application/problem+json"
    first = api.patch(url, json={"subject": "Duration"}, headers={"If-Match": '"v1"'})
    assert first.status_code == 200
    stale = api.patch(
        url,
        json={"subject": "Scope", "positions": []},
        headers={"If-Match": '"v1"'},
    )
    assert stale.status_code == 412 and stale.json["current"] == url
    now = api.get(url).json
    assert now["subject"] == "Duration"
    assert now["positions"] == [
        {"party_id": india.id, "name": "India", "position": "Broad", "marking": UNMARKED}
    ]


def test_refused_input_gets_a_problem_with_messages_by_field(api, agreement, parties):
    india, _japan = parties
    response = api.post(
        "/api/v1/points/",
        json={
            "agreement_id": "one",
            "subject": "x" * 201,
            "status": "stuck",
            "raised_at_id": 2**31,
            "positions": [{"party_id": india.id}],
            "colour": "blue",
        },
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    fields = response.json["errors"]["json"]
    assert {"agreement_id", "subject", "status", "raised_at_id", "positions", "colour"} <= (
        fields.keys()
    )
    twice = api.post(
        "/api/v1/points/",
        json={
            "agreement_id": agreement.id,
            "subject": "Scope",
            "positions": [
                {"party_id": india.id, "position": "Broad"},
                {"party_id": india.id, "position": "Narrow"},
            ],
        },
    )
    assert twice.status_code == 422 and "positions" in twice.json["errors"]["json"]
    moved = api.patch(
        new_point(api, agreement).headers["Location"],
        json={"agreement_id": agreement.id},
        headers={"If-Match": '"v1"'},
    )
    assert moved.status_code == 422 and "agreement_id" in moved.json["errors"]["json"]


def test_a_broken_rule_names_its_field_and_adds_nothing(api, agreement, make_party, db):
    stranger = make_party("Nepal", "NPL")
    before, after = meeting(db, 10, agreement), meeting(db, 20, agreement)
    db.session.commit()
    cases = {
        "subject": {"subject": "   "},
        "agreement_id": {"agreement_id": 999_999},
        "raised_at_id": {"raised_at_id": 999_999},
        "positions": {"positions": [{"party_id": stranger.id, "position": "Against"}]},
    }
    for field, values in cases.items():
        response = api.post(
            "/api/v1/points/",
            json={"agreement_id": agreement.id, "subject": "Scope", **values},
        )
        assert response.status_code == 422, field
        assert list(response.json["errors"]["json"]) == [field]
    not_settled = api.post(
        "/api/v1/points/",
        json={"agreement_id": agreement.id, "subject": "Scope", "settled_at_id": after.id},
    )
    assert list(not_settled.json["errors"]["json"]) == ["settled_at_id"]
    backwards = api.post(
        "/api/v1/points/",
        json={
            "agreement_id": agreement.id,
            "subject": "Scope",
            "status": "dropped",
            "raised_at_id": after.id,
            "settled_at_id": before.id,
        },
    )
    assert list(backwards.json["errors"]["json"]) == ["settled_at_id"]
    # A meeting the forms would not offer: one that never discussed the agreement, or
    # archived.
    elsewhere = meeting(db, 12, title="Other talks")
    archived = meeting(db, 14, agreement, title="Archived round")
    archived.archived_at = datetime(2024, 9, 1, tzinfo=UTC)
    db.session.commit()
    for chosen, says in ((elsewhere, "did not discuss"), (archived, "is archived")):
        refused = api.post(
            "/api/v1/points/",
            json={"agreement_id": agreement.id, "subject": "Scope", "raised_at_id": chosen.id},
        )
        assert refused.status_code == 422
        assert says in refused.json["errors"]["json"]["raised_at_id"][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NegotiationPoint)) == 0

    # Reopening a point settled at a meeting without clearing the meeting is refused too.
    url = new_point(
        api, agreement, status="agreed", raised_at_id=before.id, settled_at_id=after.id
    ).headers["Location"]
    reopened = api.patch(url, json={"status": "open"}, headers={"If-Match": '"v1"'})
    assert reopened.status_code == 422
    assert list(reopened.json["errors"]["json"]) == ["settled_at_id"]
    assert api.get(url).json["status"] == "agreed"


def test_an_unknown_point_is_a_404_problem(api):
    response = api.get("/api/v1/points/999999")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert api.patch("/api/v1/points/999999", json={}).status_code == 404


def test_only_an_admin_deletes_a_point_with_its_positions(api, api_as, agreement, parties, db):
    india, _japan = parties
    made = new_point(api, agreement, positions=[{"party_id": india.id, "position": "Broad"}])
    url, point_id = made.headers["Location"], made.json["id"]
    assert api.delete(url, headers={"If-Match": '"v1"'}).status_code == 403
    admin = api_as(Role.ADMIN)
    assert admin.delete(url).status_code == 428
    assert admin.delete(url, headers={"If-Match": '"v7"'}).status_code == 412
    assert admin.delete(url, headers={"If-Match": '"v1"'}).status_code == 204
    assert db.session.get(NegotiationPoint, point_id) is None
    assert positions_in_db(db, point_id) == {}
    assert api.get(url).status_code == 404


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_read_but_never_write(api_as, agreement, read_only):
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    assert caller.get(f"/api/v1/points/?agreement={agreement.id}").status_code == 200
    refused = caller.post(
        "/api/v1/points/", json={"agreement_id": agreement.id, "subject": "Scope"}
    )
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def _points(db, agreement, count: int, status: str = "open") -> list[int]:
    points = [
        NegotiationPoint(
            agreement=agreement,
            subject=f"Point {n:03d}",
            status=status,
            positions=[
                PartyPosition(party=link.party, position=f"Held by {link.party.name}")
                for link in agreement.party_links
            ],
        )
        for n in range(count)
    ]
    db.session.add_all(points)
    db.session.commit()
    return [point.id for point in points]


def _next_link(response) -> str | None:
    link = response.headers.get("Link")
    return link.split(">")[0].lstrip("<") if link else None


def test_the_list_pages_by_cursor_and_filters(api, agreement, make_agreement, make_party, db):
    other = make_agreement(title="Other", short_name="OTH", parties=[make_party("Nepal", "NPL")])
    db.session.commit()
    mine = _points(db, agreement, 5)
    _points(db, other, 2)
    _points(db, agreement, 1, status="agreed")
    first = api.get(f"/api/v1/points/?agreement={agreement.id}&status=open&limit=2")
    assert first.status_code == 200
    ids = [point["id"] for point in first.json["items"]]
    url = _next_link(first)
    assert first.json["next"] in url and f"agreement={agreement.id}" in url
    _points(db, agreement, 1)  # added after the list was begun: at its end
    while url:
        following = api.get(url)
        assert following.status_code == 200
        ids += [point["id"] for point in following.json["items"]]
        url = _next_link(following)
    assert ids[:5] == mine and len(ids) == 6
    assert len(api.get("/api/v1/points/").json["items"]) == 9
    elsewhere = api.get(f"/api/v1/points/?agreement={other.id}&cursor={first.json['next']}")
    assert elsewhere.status_code == 400
    assert api.get("/api/v1/points/?status=stuck").status_code == 422
    assert api.get("/api/v1/points/?agreement=99999999999").status_code == 422


def test_a_list_page_costs_the_same_queries_whatever_the_data(api, agreement, db):
    def queries() -> int:
        db.session.expire_all()
        with counting(db) as statements:
            response = api.get(f"/api/v1/points/?agreement={agreement.id}&limit=100")
            assert response.status_code == 200
        return len(statements)

    _points(db, agreement, 3)
    api.get("/api/v1/points/")  # the token's first use of the minute is noted: not a list's cost
    few = queries()
    _points(db, agreement, 60)
    assert queries() == few
    # 7: the page's points' provisions are one (and their names one more, when there are any).
    assert few <= 7
