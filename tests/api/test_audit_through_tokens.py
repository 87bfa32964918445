"""Changes through the API land in the audit trail with their user and the token's name."""

import csv
import io

import sqlalchemy as sa

from tests.helpers import log_in
from tracker.accounts import tokens
from tracker.models import AuditRecord, Role

PARTIES = "/api/v1/parties/"


def _records(db, record_type: str = "party") -> list[AuditRecord]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditRecord)
            .where(AuditRecord.record_type == record_type)
            .order_by(AuditRecord.id)
        )
    )


def test_every_change_through_the_api_names_the_user_and_the_token(api_as, make_user, db):
    make_user("chief", role=Role.ADMIN)
    ann = make_user("ann", role=Role.ADMIN)
    _, secret = tokens.create_token(ann, "Briefing tool")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    client = api_as().client
    made = client.post(
        PARTIES, json={"name": "India", "kind": "state", "code": "IND"}, headers=headers
    )
    url = made.headers["Location"]
    client.patch(url, json={"name": "Republic of India"}, headers={**headers, "If-Match": '"v1"'})
    client.post(f"{url}/archive", headers=headers)
    client.post(f"{url}/restore", headers=headers)
    records = _records(db)
    assert [r.action.value for r in records] == ["create", "update", "archive", "restore"]
    assert {(r.user_id, r.token_name) for r in records} == {(ann.id, "Briefing tool")}
    # The API's own history of the record says so too.
    history = client.get(f"/api/v1/audit/party/{made.json['id']}", headers=headers).json
    assert [(e["action"], e["user"], e["token"]) for e in history["items"]] == [
        (action, "Ann", "Briefing tool") for action in ("restore", "archive", "update", "create")
    ]


def test_a_refused_change_through_the_api_is_not_recorded(api, db, make_party):
    make_party("India", "IND")
    db.session.commit()
    count = len(_records(db))
    refused = api.post(PARTIES, json={"name": "India", "kind": "state", "code": "NPL"})
    assert refused.status_code == 422
    assert len(_records(db)) == count


def test_changes_on_the_pages_and_outside_requests_name_no_token(
    client, make_user, make_party, db, api
):
    party = make_party("India", "IND")
    db.session.commit()
    assert api.get(PARTIES).status_code == 200  # a token used in the same app meanwhile
    make_user("ann", role=Role.EDITOR)
    log_in(client, "ann")
    client.post(f"/parties/{party.id}/archive")
    assert [(r.action.value, r.token_name) for r in _records(db)] == [
        ("create", None),
        ("archive", None),
    ]
    assert all(r.token_name is None for r in _records(db, "user"))


def test_the_history_page_and_the_audit_trail_show_the_token(api, make_user, db, client):
    url = api.post(PARTIES, json={"name": "India", "kind": "state", "code": "IND"}).headers[
        "Location"
    ]
    party_id = int(url.rsplit("/", 1)[1])
    make_user("chief", role=Role.ADMIN)
    log_in(client, "chief")
    history = client.get(f"/history/party/{party_id}").get_data(as_text=True)
    assert f"{api.user.display_name} via token “Test script”" in history
    trail = client.get("/admin/audit?type=party").get_data(as_text=True)
    assert f"{api.user.username} via token “Test script”" in trail
    exported = client.get("/admin/audit.csv?type=party").get_data(as_text=True)
    # The marking's line first and last, then the header and rows (README, "Markings").
    lines = exported.removeprefix("\ufeff").splitlines()
    assert lines[0] == lines[-1] == "UNCLASSIFIED"
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:-1]))))
    assert [(row["user"], row["token"]) for row in rows] == [(api.user.username, "Test script")]


def test_a_tokens_name_is_kept_as_it_was_when_the_change_was_made(api, db):
    api.post(PARTIES, json={"name": "India", "kind": "state", "code": "IND"})
    tokens.revoke(db.session.get(type(api.token), api.token.id))
    db.session.commit()
    assert [r.token_name for r in _records(db)] == ["Test script"]
