"""Who may call the API: a working token of an active user, every request, and nothing else."""

from datetime import timedelta

import pytest

from tests.helpers import db_snapshot, log_in, snapshot_difference
from tracker.accounts import services as accounts
from tracker.accounts import tokens
from tracker.models import ApiToken, Role, utcnow

PARTIES = "/api/v1/parties/"
NEW_PARTY = {"name": "India", "kind": "state", "code": "IND"}


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401, response.data
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_logged_in_browser_without_a_token_is_not_let_in(client, make_user):
    """The session cookie counts for nothing on the API, so no other site can make a
    logged-in browser call it (no CSRF)."""
    make_user("ann", role=Role.ADMIN)
    assert log_in(client, "ann").status_code == 302
    assert client.get("/").status_code == 200  # the session works on the pages
    assert_unauthenticated(client.get(PARTIES))
    assert_unauthenticated(client.post(PARTIES, json=NEW_PARTY))


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic YW5uOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ==",
        "Token {secret}",
        "Bearer {secret}x",
        "Bearer trk_nothing",
        "Bearer {secret} {secret}",
        "{secret}",
        "Bearer " + "trk_" + "a" * 5000,
    ],
)
def test_anything_but_a_bearer_token_gets_401(api, authorization):
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.format(secret=api.secret)
    assert_unauthenticated(api.client.get(PARTIES, headers=headers))


def test_the_scheme_is_case_insensitive(api):
    response = api.client.get(PARTIES, headers={"Authorization": f"bearer {api.secret}"})
    assert response.status_code == 200


def test_a_revoked_token_is_refused_at_once(api, db):
    assert api.get(PARTIES).status_code == 200
    tokens.revoke(db.session.get(ApiToken, api.token.id))
    db.session.commit()
    assert_unauthenticated(api.get(PARTIES))


def test_an_expired_token_is_refused(api, db):
    assert api.get(PARTIES).status_code == 200
    db.session.get(ApiToken, api.token.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_unauthenticated(api.get(PARTIES))


def test_a_deactivated_users_tokens_are_refused_at_once(api_as, make_user, db):
    make_user("chief", role=Role.ADMIN)  # so the caller is not the last admin
    caller = api_as(Role.ADMIN)
    assert caller.get(PARTIES).status_code == 200
    accounts.deactivate(caller.user, by=None)
    db.session.commit()
    assert_unauthenticated(caller.get(PARTIES))
    assert_unauthenticated(caller.post(PARTIES, json=NEW_PARTY))


def test_a_role_change_applies_to_the_next_call(api, db, make_user):
    make_user("chief", role=Role.ADMIN)
    assert api.post(PARTIES, json=NEW_PARTY).status_code == 201
    accounts.change_role(api.user, Role.VIEWER)
    db.session.commit()
    refused = api.post(PARTIES, json={"name": "Japan", "kind": "state", "code": "JPN"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert api.get(PARTIES).status_code == 200  # a viewer still reads


def test_a_read_only_token_reads_but_every_write_is_refused(api_as, db):
    caller = api_as(Role.ADMIN, read_only=True)
    assert caller.get(PARTIES).status_code == 200
    before = db_snapshot(db.engine)
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        response = caller.open(PARTIES, method, json=NEW_PARTY, headers={"If-Match": '"v1"'})
        assert response.status_code in (403, 405), (method, response.status_code)
    response = caller.post(PARTIES, json=NEW_PARTY)
    assert response.status_code == 403
    assert "only read" in response.json["detail"]
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


def _last_used(db, token_id: int):
    db.session.expire_all()
    return db.session.get(ApiToken, token_id).last_used_at


def test_last_use_is_noted_at_most_once_a_minute_and_a_read_writes_nothing_else(api, db):
    assert _last_used(db, api.token.id) is None
    before = db_snapshot(db.engine)
    assert api.get(PARTIES).status_code == 200
    first = _last_used(db, api.token.id)
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    # Only the token's last use (ignored by snapshots) changed.
    assert snapshot_difference(before, db_snapshot(db.engine)) == []

    assert api.get(PARTIES).status_code == 200
    assert _last_used(db, api.token.id) == first  # within the minute: not written again

    earlier = first - timedelta(minutes=2)
    db.session.get(ApiToken, api.token.id).last_used_at = earlier
    db.session.commit()
    assert api.get(PARTIES).status_code == 200
    assert _last_used(db, api.token.id) > first


def _last_used_cell(client, name: str) -> str:
    """The "Last used" cell of the token ``name`` on the tokens page."""
    page = client.get("/account/tokens").get_data(as_text=True)
    row = page[page.index(name) :]
    cells = row[: row.index("</tr>")].split("<td>")  # name, token, access, created, last used
    return cells[4]


def test_last_use_shows_on_the_tokens_page(client, make_user, db):
    user = make_user("ann", role=Role.EDITOR)
    _, secret = tokens.create_token(user, "Briefing tool")
    db.session.commit()
    assert log_in(client, "ann").status_code == 302
    assert _last_used_cell(client, "Briefing tool").startswith("never")
    client.get(PARTIES, headers={"Authorization": f"Bearer {secret}"})
    assert not _last_used_cell(client, "Briefing tool").startswith("never")


def test_a_refused_call_still_notes_the_use(api_as, db):
    caller = api_as(Role.VIEWER)
    assert caller.post(PARTIES, json=NEW_PARTY).status_code == 403
    assert _last_used(db, caller.token.id) is not None
