"""Admins manage staff accounts under /admin/users/."""

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, loaded_from, log_in
from tracker.models import Role, User

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def admin(client, make_user):
    user = make_user("boss", role=Role.ADMIN)
    assert log_in(client, "boss").status_code == 302
    return user


def _user(db, username) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_only_admins_reach_the_pages(client, make_user, role):
    target = make_user("other")
    make_user("ann", role=role)
    log_in(client, "ann")
    assert ">Users</a>" not in client.get("/").get_data(as_text=True)
    for url in ("/admin/users/", "/admin/users/new", f"/admin/users/{target.id}/edit"):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 403
    assert client.post(f"/admin/users/{target.id}/role", data={"role": "admin"}).status_code == 403


def test_list_shows_users(client, admin, make_user):
    make_user("ann", role=Role.VIEWER, active=False)
    html = client.get("/admin/users/").get_data(as_text=True)
    assert 'href="/admin/users/">Users</a>' in html  # in the navigation
    assert "boss" in html and "ann" in html
    assert "deactivated" in html
    assert "never" in html


def test_create_a_user(client, admin, db):
    data = {
        "username": "New.Officer",
        "display_name": "New Officer",
        "role": "editor",
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users/"
    user = _user(db, "new.officer")
    assert user.role == Role.EDITOR and user.display_name == "New Officer"
    assert user.check_password(NEW_PASSWORD)

    response = client.post("/admin/users/new", data=data)
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "x y"}, "Usernames are 2–80 characters"),
        ({"new_password": "short", "confirm_password": "short"}, "at least 10 characters"),
        ({"confirm_password": "another thing"}, "differ"),
    ],
)
def test_create_refuses_bad_input(client, admin, db, overrides, message):
    data = {"username": "ann", "role": "viewer", "new_password": NEW_PASSWORD}
    data["confirm_password"] = NEW_PASSWORD
    data.update(overrides)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_change_role(client, admin, make_user, db):
    ann = make_user("ann", role=Role.VIEWER)
    data = {"role": "editor", **loaded_from(ann)}
    response = client.post(f"/admin/users/{ann.id}/role", data=data)
    assert response.status_code == 302
    assert _user(db, "ann").role == Role.EDITOR


def test_the_last_admin_keeps_the_role_and_stays_active(client, admin, db):
    data = {"role": "viewer", **loaded_from(admin)}
    response = client.post(f"/admin/users/{admin.id}/role", data=data)
    assert response.status_code == 400
    assert "last active admin" in response.get_data(as_text=True)
    assert _user(db, "boss").role == Role.ADMIN

    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert _user(db, "boss").active


def test_another_admin_can_be_demoted_but_not_the_last_active_one(client, admin, make_user, db):
    other = make_user("second", role=Role.ADMIN)
    data = {"role": "editor", **loaded_from(other)}
    assert client.post(f"/admin/users/{other.id}/role", data=data).status_code == 302
    assert _user(db, "second").role == Role.EDITOR
    # boss is now the only admin: it cannot be removed by demotion.
    data = {"role": "editor", **loaded_from(admin)}
    response = client.post(f"/admin/users/{admin.id}/role", data=data)
    assert response.status_code == 400


def test_last_active_admin_cannot_be_deactivated_by_someone_else(make_user, db):
    from tracker.accounts import services

    boss = make_user("boss", role=Role.ADMIN)
    gone = make_user("gone", role=Role.ADMIN, active=False)
    with pytest.raises(services.AccountError, match="last active admin"):
        services.deactivate(boss, by=gone)


def test_reset_password_ends_their_sessions(client, admin, make_user, app, db):
    ann = make_user("ann")
    theirs = app.test_client()
    log_in(theirs, "ann")
    assert theirs.get("/").status_code == 200

    response = client.post(
        f"/admin/users/{ann.id}/password",
        data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert theirs.get("/").status_code == 302
    assert _user(db, "ann").check_password(NEW_PASSWORD)
    assert client.get("/admin/users/").status_code == 200  # the admin stays logged in


def test_reset_password_refuses_a_short_one(client, admin, make_user, db):
    ann = make_user("ann")
    response = client.post(
        f"/admin/users/{ann.id}/password",
        data={"new_password": "short", "confirm_password": "short"},
    )
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert _user(db, "ann").check_password(PASSWORD)


def test_deactivate_and_reactivate(client, admin, make_user, app, db):
    ann = make_user("ann")
    theirs = app.test_client()
    log_in(theirs, "ann")

    response = client.post(f"/admin/users/{ann.id}/deactivate", follow_redirects=True)
    assert "Deactivated “ann”" in response.get_data(as_text=True)
    assert not _user(db, "ann").active
    assert theirs.get("/").status_code == 302
    assert log_in(theirs, "ann").status_code == 200

    client.post(f"/admin/users/{ann.id}/reactivate")
    assert _user(db, "ann").active
    assert log_in(theirs, "ann").status_code == 302


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999/edit").status_code == 404
    assert client.post("/admin/users/999/deactivate").status_code == 404
