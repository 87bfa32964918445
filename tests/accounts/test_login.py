"""Logging in and out: every page needs a login, and credentials are checked properly."""

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, extra_app, log_in
from tracker.models import Role, User


def test_pages_redirect_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label class="form-label" for="username">Username</label>' in html
    assert '<label class="form-label" for="password">Password</label>' in html


def test_login_then_home_then_logout(client, make_user, make_agreement, db):
    make_user("ann", role=Role.VIEWER)
    make_agreement(title="Reciprocal Provision of Supplies and Services Agreement")
    db.session.commit()

    response = log_in(client, "ann", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Welcome, Ann." in html
    assert "Reciprocal Provision of Supplies and Services Agreement" in html

    response = client.post("/logout", follow_redirects=True)
    assert "You have been logged out." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_records_the_time(client, make_user, db):
    make_user("ann")
    log_in(client, "ann")
    user = db.session.scalar(sa.select(User).where(User.username == "ann"))
    db.session.refresh(user)
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [("ann", "wrong password!"), ("nobody", PASSWORD)],
    ids=["wrong-password", "unknown-user"],
)
def test_failed_login_says_the_same_either_way(client, make_user, username, password):
    make_user("ann")
    response = log_in(client, username, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Unknown username or wrong password." in html
    assert 'value="' + username + '"' in html  # the username is kept
    assert password not in html
    assert client.get("/").status_code == 302


def test_empty_fields_get_their_own_messages(client):
    html = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert "Enter your username." in html
    assert "Enter your password." in html


def test_usernames_are_not_case_sensitive(client, make_user):
    make_user("ann")
    assert log_in(client, "  ANN ").status_code == 302


def test_deactivated_users_cannot_log_in(client, make_user):
    make_user("gone", active=False)
    response = log_in(client, "gone")
    assert "Unknown username or wrong password." in response.get_data(as_text=True)


def test_next_leads_back_to_a_page_on_this_site(client, make_user):
    make_user("ann")
    response = log_in(client, "ann", query_string={"next": "/?page=2"})
    assert response.headers["Location"] == "/?page=2"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_next_never_leads_off_site(client, make_user, target):
    make_user("ann")
    response = log_in(client, "ann", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_logout_needs_post(logged_in):
    assert logged_in.get("/logout").status_code == 405


def test_login_form_refuses_a_post_without_csrf_token(database_url, make_user):
    """CSRF protection stays on outside this one switch in the test configuration."""
    make_user("ann")
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        response = client.post("/login", data={"username": "ann", "password": PASSWORD})
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)

        html = client.get("/login").get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"username": "ann", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302


def test_missing_pages_get_a_404_in_the_layout(logged_in):
    response = logged_in.get("/no/such/page")
    assert response.status_code == 404
    assert "Agreement tracker" in response.get_data(as_text=True)


def test_passwords_are_stored_as_argon2_hashes(make_user):
    user = make_user("ann")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")
