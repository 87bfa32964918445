"""The history of the parties' positions on a point through the API: recorded with each
change (the day and meeting given or their defaults), listed newest first a page at a time,
and hidden with its point."""

from __future__ import annotations

from datetime import timedelta

from tests.api import test_points
from tests.api.test_points import meeting, new_point
from tracker.data import markings
from tracker.models import MarkingValue, NegotiationPoint, Role
from tracker.models.clock import today

SECRET = 3
# The point API tests' agreement between India and Japan.
agreement = test_points.agreement
parties = test_points.parties


def test_changes_record_their_day_and_meeting_and_list_newest_first(api, agreement, parties, db):
    india, japan = parties
    first, second = meeting(db, 20, agreement), meeting(db, 27, agreement)
    made = new_point(
        api,
        agreement,
        positions=[{"party_id": india.id, "position": "Broad"}],
        positions_stated_at_id=first.id,
    )
    url = made.headers["Location"]
    assert "positions_stated_on" not in made.json  # said when changing, not part of the point
    changed = api.patch(
        url,
        json={
            "positions": [
                {"party_id": india.id, "position": "Narrow"},
                {"party_id": japan.id, "position": "Broad"},
            ],
            "positions_stated_on": "2024-08-28",
            "positions_stated_at_id": second.id,
        },
        headers={"If-Match": '"v1"'},
    )
    assert changed.status_code == 200, changed.json
    history = api.get(f"{url}/positions/history")
    assert history.status_code == 200, history.json
    items = history.json["items"]
    assert [(i["name"], i["position"], i["stated_on"], i["stated_at_id"]) for i in items] == [
        ("Japan", "Broad", "2024-08-28", second.id),
        ("India", "Narrow", "2024-08-28", second.id),
        ("India", "Broad", "2024-08-20", first.id),
    ]
    assert items[0]["meeting_title"] == "Round 27"
    assert items[0]["recorded_by"] == api.user.display_name
    assert history.json["next"] is None and history.json["marking"] == "UNCLASSIFIED"

    # A page at a time, and one party's steps only.
    page = api.get(f"{url}/positions/history?limit=2")
    assert [i["position"] for i in page.json["items"]] == ["Broad", "Narrow"]
    assert 'rel="next"' in page.headers["Link"]
    rest = api.get(f"{url}/positions/history?limit=2&cursor={page.json['next']}")
    assert [i["position"] for i in rest.json["items"]] == ["Broad"]
    assert rest.json["next"] is None
    only = api.get(f"{url}/positions/history?party={india.id}")
    assert [i["position"] for i in only.json["items"]] == ["Narrow", "Broad"]


def test_a_day_in_the_future_or_a_meeting_of_another_agreement_is_refused(
    api, agreement, parties, db, make_agreement
):
    india, _ = parties
    url = new_point(
        api, agreement, positions=[{"party_id": india.id, "position": "Broad"}]
    ).headers["Location"]
    other = make_agreement(title="Another deal", short_name="OTHER", parties=[india])
    elsewhere = meeting(db, 21, other, title="Other talks")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    for body, field, message in [
        ({"positions_stated_on": tomorrow}, "positions_stated_on", "in the future"),
        ({"positions_stated_at_id": elsewhere.id}, "positions_stated_at_id", "did not discuss"),
    ]:
        refused = api.patch(
            url,
            json={"positions": [{"party_id": india.id, "position": "Narrow"}], **body},
            headers={"If-Match": '"v1"'},
        )
        assert refused.status_code == 422, refused.json
        assert message in " ".join(refused.json["errors"]["json"][field])
    history = api.get(f"{url}/positions/history")
    assert [i["position"] for i in history.json["items"]] == ["Broad"]


def test_the_history_of_a_point_the_reader_may_not_see_does_not_exist(
    api, api_as, agreement, parties, db
):
    india, _ = parties
    point_id = new_point(
        api, agreement, positions=[{"party_id": india.id, "position": "Hidden okapi line"}]
    ).json["id"]
    point = db.session.get(NegotiationPoint, point_id)
    point.marking_id = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.commit()
    reader = api_as(Role.VIEWER)
    answer = reader.get(f"/api/v1/points/{point_id}/positions/history")
    assert answer.status_code == 404
    assert "okapi" not in answer.get_data(as_text=True)
    assert api.get("/api/v1/points/999999/positions/history").status_code == 404
