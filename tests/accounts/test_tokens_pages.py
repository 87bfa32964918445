"""API tokens on the pages, as a user works with them: make one on /account/tokens and see
its secret once, list and revoke one's own; admins revoke anyone's from the user's page."""

import re

import sqlalchemy as sa

from tests.helpers import log_in
from tracker.accounts import tokens
from tracker.models import ApiToken, Role, clock

PARTIES = "/api/v1/parties/"


def _secret_in(page: str) -> str | None:
    found = re.search(r'value="(trk_[A-Za-z0-9_-]{43})"', page)
    return found.group(1) if found else None


def _works(client, secret: str) -> bool:
    return client.get(PARTIES, headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_a_new_tokens_secret_is_shown_once_and_works(client, make_user, db):
    make_user("ann", role=Role.EDITOR)
    log_in(client, "ann")
    last_day = clock.today().replace(year=clock.today().year + 1)
    made = client.post(
        "/account/tokens",
        data={"name": "Briefing tool", "read_only": "y", "expires_on": last_day.isoformat()},
    )
    assert made.status_code == 201
    page = made.get_data(as_text=True)
    secret = _secret_in(page)
    assert secret and "it will not be shown again" in page
    assert secret not in made.headers.get("Set-Cookie", "")  # not flashed through the cookie
    assert secret not in made.headers.get("Location", "")

    listed = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listed and _secret_in(listed) is None
    assert "Briefing tool" in listed and f"{secret[:12]}…" in listed
    assert "read-only" in listed and "never" in listed  # not used yet
    assert f"end of {last_day.day}" in listed or last_day.isoformat() in listed
    assert _works(client, secret)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.read_only and token.user.username == "ann"


def test_a_refused_token_form_makes_nothing_and_shows_no_secret(client, make_user, db):
    make_user("ann")
    log_in(client, "ann")
    refused = client.post("/account/tokens", data={"name": "  "})
    assert refused.status_code != 201
    page = refused.get_data(as_text=True)
    assert _secret_in(page) is None and "Give the token a name" in page
    past = client.post(
        "/account/tokens", data={"name": "Late", "expires_on": clock.today().isoformat()}
    )
    assert "expire after today" in past.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_list_shows_only_ones_own_working_tokens(client, make_user, db):
    ann, bob = make_user("ann"), make_user("bob")
    tokens.create_token(ann, "Notebook")
    old, _ = tokens.create_token(ann, "Old script")
    tokens.create_token(bob, "Bobs exporter")
    tokens.revoke(old)
    db.session.commit()
    log_in(client, "ann")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Notebook" in page
    assert "Old script" not in page and "Bobs exporter" not in page


def test_a_user_revokes_their_own_token_and_not_anothers(client, make_user, db):
    ann, bob = make_user("ann"), make_user("bob")
    mine, my_secret = tokens.create_token(ann, "Notebook")
    theirs, their_secret = tokens.create_token(bob, "Exporter")
    db.session.commit()
    log_in(client, "ann")
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert _works(client, their_secret)
    revoked = client.post(f"/account/tokens/{mine.id}/revoke", follow_redirects=True)
    assert "Revoked the token “Notebook”" in revoked.get_data(as_text=True)
    assert not _works(client, my_secret)
    again = client.post(f"/account/tokens/{mine.id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)


def test_an_admin_revokes_anyones_token_from_the_users_page(client, make_user, db):
    make_user("chief", role=Role.ADMIN)
    robot = make_user("robot", role=Role.EDITOR)
    token, secret = tokens.create_token(robot, "Nightly export")
    db.session.commit()
    log_in(client, "chief")
    page = client.get(f"/admin/users/{robot.id}/edit").get_data(as_text=True)
    assert "Nightly export" in page and secret not in page
    revoke = f"/admin/users/{robot.id}/tokens/{token.id}/revoke"
    assert revoke in page
    client.post(revoke)
    assert not _works(client, secret)


def test_an_editor_cannot_revoke_anothers_token_from_the_users_page(client, make_user, db):
    make_user("ann", role=Role.EDITOR)
    robot = make_user("robot", role=Role.EDITOR)
    token, secret = tokens.create_token(robot, "Nightly export")
    db.session.commit()
    log_in(client, "ann")
    assert client.post(f"/admin/users/{robot.id}/tokens/{token.id}/revoke").status_code == 403
    assert _works(client, secret)
