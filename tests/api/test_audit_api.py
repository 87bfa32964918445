"""A record's audit history on the API: newest first, a page at a time, readable as its page."""

from __future__ import annotations

import pytest

from tests.api.described import assert_described
from tests.test_query_counts import counting
from tracker.models import AuditRecord, Party, Role, User


def party_with_history(caller, name: str, changes: int) -> int:
    """A party made through the API by ``caller`` and renamed ``changes`` times; its id."""
    made = caller.post("/api/v1/parties/", json={"name": name, "kind": "grouping"})
    assert made.status_code == 201, made.json
    for n in range(1, changes + 1):
        changed = caller.patch(
            made.headers["Location"],
            json={"name": f"{name} ({n})"},
            headers={"If-Match": made.headers["ETag"] if n == 1 else f'"v{n}"'},
        )
        assert changed.status_code == 200, changed.json
    return made.json["id"]


def test_a_history_says_who_when_and_what_changed_newest_first(api):
    party_id = party_with_history(api, "India", 2)
    response = api.get(f"/api/v1/audit/party/{party_id}")
    assert response.status_code == 200, response.json
    entries = response.json["items"]
    assert [entry["action"] for entry in entries] == ["update", "update", "create"]
    assert response.json["next"] is None and "Link" not in response.headers
    newest = entries[0]
    assert newest["user"] == api.user.display_name
    assert newest["record_type"] == "party" and newest["record_id"] == party_id
    assert {"field": "name", "old": "India (1)", "new": "India (2)"} in newest["changes"]
    times = [entry["recorded_at"] for entry in entries]
    assert times == sorted(times, reverse=True)
    assert_described(api.client, response.json, "AuditPage")


def test_a_change_from_the_command_line_has_no_user(api, db, make_party):
    party = make_party("Japan", "JPN")
    db.session.commit()
    (entry,) = api.get(f"/api/v1/audit/party/{party.id}").json["items"]
    assert entry["user"] is None and entry["action"] == "create"


def test_cursor_pages_walk_the_whole_history_once(api, db):
    party_id = party_with_history(api, "Brazil", 6)
    expected = list(
        db.session.scalars(
            db.select(AuditRecord.id)
            .where(AuditRecord.record_type == "party", AuditRecord.record_id == party_id)
            .order_by(AuditRecord.recorded_at.desc(), AuditRecord.id.desc())
        )
    )
    assert len(expected) == 7
    seen, url, pages = [], f"/api/v1/audit/party/{party_id}?limit=3", 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json
        seen += [entry["id"] for entry in response.json["items"]]
        pages += 1
        link = response.headers.get("Link")
        assert (link is None) == (response.json["next"] is None)
        url = link.split(">")[0].lstrip("<") if link else None
    assert seen == expected and pages == 3


def test_a_cursor_of_another_history_or_edited_is_refused(api):
    first = party_with_history(api, "Chile", 3)
    second = party_with_history(api, "Peru", 3)
    cursor = api.get(f"/api/v1/audit/party/{first}?limit=1").json["next"]
    other = api.get(f"/api/v1/audit/party/{second}?limit=1&cursor={cursor}")
    assert other.status_code == 400 and other.mimetype == "application/problem+json"
    assert api.get(f"/api/v1/audit/party/{first}?cursor={cursor}x").status_code == 400


def test_the_history_of_a_deleted_record_stays_readable(api_as, db):
    admin = api_as(Role.ADMIN)
    party_id = party_with_history(admin, "Nepal", 1)
    assert (
        admin.delete(f"/api/v1/parties/{party_id}", headers={"If-Match": '"v2"'}).status_code == 204
    )
    assert db.session.get(Party, party_id) is None
    entries = admin.get(f"/api/v1/audit/party/{party_id}").json["items"]
    assert entries[0]["action"] == "delete" and len(entries) == 3


@pytest.mark.parametrize(
    "url",
    ["/api/v1/audit/party/999999", "/api/v1/audit/treaty/1", "/api/v1/audit/party/99999999999"],
)
def test_no_such_record_or_kind_is_404(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "read_only", "status"),
    [
        (Role.VIEWER, False, 403),
        (Role.EDITOR, False, 403),
        (Role.ADMIN, True, 200),
        (Role.ADMIN, False, 200),
    ],
)
def test_a_users_history_is_for_admins_as_on_its_page(api_as, db, role, read_only, status):
    caller = api_as(role, read_only=read_only)
    user = db.session.scalar(db.select(User).where(User.username == caller.user.username))
    user.display_name = "Renamed"  # an entry in the user's history
    db.session.commit()
    response = caller.get(f"/api/v1/audit/user/{user.id}")
    assert response.status_code == status
    if status == 403:
        assert response.mimetype == "application/problem+json"
    else:
        assert response.json["items"]


def test_other_histories_are_for_every_reader(api_as, api):
    party_id = party_with_history(api, "Kenya", 1)
    viewer = api_as(Role.VIEWER, read_only=True)
    assert len(viewer.get(f"/api/v1/audit/party/{party_id}").json["items"]) == 2


def test_a_history_page_costs_the_same_queries_however_long(api, db):
    short = party_with_history(api, "Ghana", 1)
    long = party_with_history(api, "Mali", 12)
    api.get(f"/api/v1/audit/party/{short}")  # the token's last use, noted once a minute
    counts = []
    for party_id in (short, long):
        with counting(db) as statements:
            response = api.get(f"/api/v1/audit/party/{party_id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert len(response.json["items"]) == 13
