"""Action items on the API: the same rules as their form and buttons, with ETags, cursors and
problems."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.test_query_counts import counting
from tracker.models import ActionItem, AgendaItem, Meeting, MeetingLevel, Person, Role, clock


@pytest.fixture
def agreement(make_agreement, db):
    agreement = make_agreement()
    db.session.commit()
    return agreement


@pytest.fixture
def owner(agreement, db):
    person = Person(name="Rajesh Kumar", party=agreement.party_links[0].party)
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def talks(db, agreement):
    """A meeting that discussed the agreement."""
    made = Meeting(
        title="Round 1",
        starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
        city="New Delhi",
        country="India",
        level=MeetingLevel.SENIOR_OFFICIALS,
        agenda_items=[AgendaItem(agreement=agreement)],
    )
    db.session.add(made)
    db.session.commit()
    return made


def new_action(api, agreement, **values):
    response = api.post(
        "/api/v1/actions/",
        json={"agreement_id": agreement.id, "description": "Send draft", **values},
    )
    assert response.status_code == 201, response.json
    return response


def test_an_editor_adds_changes_and_reads_an_action(api, agreement, owner, talks, db):
    made = new_action(
        api,
        agreement,
        description="  Send the revised draft ",
        owner_id=owner.id,
        due_on="2024-12-01",
        meeting_id=talks.id,
    )
    url = made.headers["Location"]
    assert made.json["url"] == url and made.headers["ETag"] == '"v1"'
    assert made.json | {"id": None, "url": None} == {
        "id": None,
        "agreement_id": agreement.id,
        "description": "Send the revised draft",
        "owner_id": owner.id,
        "due_on": "2024-12-01",
        "meeting_id": talks.id,
        "done": False,
        "done_on": None,
        "marking": {
            "level": "Unclassified",
            "rel_to": [],
            "caveats": [],
            "declassify_on": None,
            "downgrade_to": None,
            "text": "UNCLASSIFIED",
        },
        "version": 1,
        "url": None,
    }
    changed = api.patch(url, json={"due_on": None, "done": True}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200, changed.json
    assert changed.json["due_on"] is None and changed.json["owner_id"] == owner.id
    assert changed.json["done"] is True and changed.json["done_on"] == clock.today().isoformat()
    assert changed.headers["ETag"] == '"v2"'
    action = db.session.get(ActionItem, made.json["id"])
    assert (action.done, action.due_on, action.meeting_id) == (True, None, talks.id)
    assert api.get(url).json == changed.json


def test_an_action_added_done_is_done_today(api, agreement):
    made = new_action(api, agreement, done=True)
    assert made.json["done"] is True and made.json["done_on"] == clock.today().isoformat()


def test_done_and_reopen_say_what_they_want_so_repeating_them_changes_nothing(api, agreement, db):
    url = new_action(api, agreement).headers["Location"]
    done = api.post(url + "/done")
    assert done.status_code == 200 and done.json["done"] is True
    assert done.headers["ETag"] == '"v2"'
    again = api.post(url + "/done")
    assert again.status_code == 200 and again.headers["ETag"] == '"v2"'
    reopened = api.post(url + "/reopen")
    assert reopened.status_code == 200
    assert reopened.json["done"] is False and reopened.json["done_on"] is None
    assert api.post(url + "/reopen").headers["ETag"] == '"v3"'
    assert db.session.get(ActionItem, done.json["id"]).done is False
    assert api.post("/api/v1/actions/999999/done").status_code == 404


def test_a_change_without_or_with_a_stale_if_match_is_refused_and_loses_nothing(api, agreement):
    url = new_action(api, agreement).headers["Location"]
    without = api.patch(url, json={"description": "Send nothing"})
    assert without.status_code == 428 and without.mimetype == "application/problem+json"
    assert api.post(url + "/done").status_code == 200  # someone else marks it done
    stale = api.patch(
        url, json={"description": "Send final text", "done": False}, headers={"If-Match": '"v1"'}
    )
    assert stale.status_code == 412 and stale.json["current"] == url
    now = api.get(url).json
    assert (now["description"], now["done"]) == ("Send draft", True)


def test_refused_input_gets_a_problem_with_messages_by_field(api, agreement):
    response = api.post(
        "/api/v1/actions/",
        json={
            "agreement_id": 2**31,
            "description": "x" * 501,
            "owner_id": "3",
            "due_on": "next week",
            "meeting_id": -1,
            "done": "perhaps",
            "priority": "high",
        },
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    fields = response.json["errors"]["json"]
    assert {
        "agreement_id",
        "description",
        "owner_id",
        "due_on",
        "meeting_id",
        "done",
        "priority",
    } <= fields.keys()
    moved = api.patch(
        new_action(api, agreement).headers["Location"],
        json={"agreement_id": agreement.id},
        headers={"If-Match": '"v1"'},
    )
    assert moved.status_code == 422 and "agreement_id" in moved.json["errors"]["json"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"description": "   "}, "description"),
        ({"agreement_id": 999_999}, "agreement_id"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"meeting_id": 999_999}, "meeting_id"),
    ],
)
def test_a_broken_rule_names_its_field_and_adds_nothing(api, agreement, db, values, field):
    response = api.post(
        "/api/v1/actions/",
        json={"agreement_id": agreement.id, "description": "Send draft", **values},
    )
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == [field]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0


def test_only_a_meeting_that_discussed_the_agreement_and_is_not_archived_is_chosen(
    api, agreement, talks, db
):
    """As the form's choices: a meeting chosen anew must have discussed the agreement and
    not be archived; the one already chosen stays."""
    other = Meeting(
        title="Other talks",
        starts_at=datetime(2024, 9, 2, 4, 30, tzinfo=UTC),
        timezone="UTC",
        level=MeetingLevel.SENIOR_OFFICIALS,
    )
    db.session.add(other)
    db.session.commit()
    refused = api.post(
        "/api/v1/actions/",
        json={"agreement_id": agreement.id, "description": "Send", "meeting_id": other.id},
    )
    assert refused.status_code == 422
    assert "did not discuss" in refused.json["errors"]["json"]["meeting_id"][0]

    url = new_action(api, agreement, meeting_id=talks.id).headers["Location"]
    talks.archived_at = datetime(2024, 9, 1, tzinfo=UTC)
    db.session.commit()
    kept = api.patch(url, json={"description": "Send it"}, headers={"If-Match": '"v1"'})
    assert kept.status_code == 200 and kept.json["meeting_id"] == talks.id
    again = api.post(
        "/api/v1/actions/",
        json={"agreement_id": agreement.id, "description": "Send", "meeting_id": talks.id},
    )
    assert again.status_code == 422
    assert "is archived" in again.json["errors"]["json"]["meeting_id"][0]


def test_an_unknown_action_is_a_404_problem(api):
    response = api.get("/api/v1/actions/999999")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert api.patch("/api/v1/actions/999999", json={}).status_code == 404


def test_only_an_admin_deletes_an_action(api, api_as, agreement, db):
    made = new_action(api, agreement)
    url = made.headers["Location"]
    assert api.delete(url, headers={"If-Match": '"v1"'}).status_code == 403
    admin = api_as(Role.ADMIN)
    assert admin.delete(url).status_code == 428
    assert admin.delete(url, headers={"If-Match": '"v2"'}).status_code == 412
    assert admin.delete(url, headers={"If-Match": '"v1"'}).status_code == 204
    assert db.session.get(ActionItem, made.json["id"]) is None


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_read_but_never_write(api_as, api, agreement, read_only):
    url = new_action(api, agreement).headers["Location"]
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    assert caller.get("/api/v1/actions/").status_code == 200
    assert caller.get(url).status_code == 200
    for refused in (
        caller.post("/api/v1/actions/", json={"agreement_id": agreement.id, "description": "x"}),
        caller.post(url + "/done"),
        caller.patch(url, json={"description": "x"}, headers={"If-Match": '"v1"'}),
    ):
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert api.get(url).json["done"] is False


def _actions(db, agreement, count: int, **values) -> list[int]:
    actions = [
        ActionItem(agreement=agreement, description=f"Action {n:03d}", **values)
        for n in range(count)
    ]
    db.session.add_all(actions)
    db.session.commit()
    return [action.id for action in actions]


def _next_link(response) -> str | None:
    link = response.headers.get("Link")
    return link.split(">")[0].lstrip("<") if link else None


def _ids(api, query: str) -> list[int]:
    response = api.get(f"/api/v1/actions/?{query}")
    assert response.status_code == 200, response.json
    return [action["id"] for action in response.json["items"]]


def test_the_list_filters_as_the_pages_do(api, agreement, make_agreement, make_party, owner, db):
    other = make_agreement(title="Other", short_name="OTH", parties=[make_party("Nepal", "NPL")])
    db.session.commit()
    early = _actions(db, agreement, 1, due_on=date(2024, 3, 1))
    late = _actions(db, agreement, 1, due_on=date(2024, 9, 1), owner=owner)
    undated = _actions(db, agreement, 1)
    done = _actions(db, agreement, 1, due_on=date(2024, 3, 1), done=True, done_on=date(2024, 3, 2))
    elsewhere = _actions(db, other, 1, due_on=date(2024, 3, 1))

    assert _ids(api, f"agreement={agreement.id}") == early + late + undated + done
    assert _ids(api, "done=false&due_before=2024-06-01") == early + elsewhere
    assert _ids(api, "done=true") == done
    assert _ids(api, f"owner={owner.id}") == late
    assert _ids(api, "due_from=2024-09-01") == late
    assert api.get("/api/v1/actions/?due_before=soon").status_code == 422
    assert api.get("/api/v1/actions/?owner=abc").status_code == 422


def test_the_list_pages_by_cursor(api, agreement, db):
    mine = _actions(db, agreement, 5)
    first = api.get(f"/api/v1/actions/?agreement={agreement.id}&done=false&limit=2")
    ids = [action["id"] for action in first.json["items"]]
    url = _next_link(first)
    assert first.json["next"] in url and "done=false" in url
    added = _actions(db, agreement, 1)  # added after the list was begun: at its end
    while url:
        following = api.get(url)
        assert following.status_code == 200
        ids += [action["id"] for action in following.json["items"]]
        url = _next_link(following)
    assert ids == mine + added
    other = api.get(f"/api/v1/actions/?done=true&cursor={first.json['next']}")
    assert other.status_code == 400


def test_a_list_page_costs_the_same_queries_whatever_the_data(api, agreement, owner, db):
    def queries() -> int:
        db.session.expire_all()
        with counting(db) as statements:
            response = api.get(f"/api/v1/actions/?agreement={agreement.id}&limit=100")
            assert response.status_code == 200
        return len(statements)

    _actions(db, agreement, 3, owner=owner)
    api.get("/api/v1/actions/")  # the token's first use of the minute is noted: not a list's cost
    few = queries()
    _actions(db, agreement, 60, owner=owner)
    assert queries() == few
    assert few <= 6


def test_an_archived_person_owns_nothing_new_but_keeps_what_they_own(api, agreement, owner, db):
    url = new_action(api, agreement, owner_id=owner.id).headers["Location"]
    assert api.post(f"/api/v1/people/{owner.id}/archive").status_code == 200
    refused = api.post(
        "/api/v1/actions/",
        json={"agreement_id": agreement.id, "description": "Call", "owner_id": owner.id},
    )
    assert refused.status_code == 422 and list(refused.json["errors"]["json"]) == ["owner_id"]
    kept = api.patch(url, json={"description": "Send final draft"}, headers={"If-Match": '"v1"'})
    assert kept.status_code == 200 and kept.json["owner_id"] == owner.id
