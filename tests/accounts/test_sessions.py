"""Sessions end for real: on logout, password change and deactivation, and when too old."""

import logging
import time

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, extra_app, log_in
from tracker.accounts.services import deactivate, set_password
from tracker.models import Role, User

NEW_PASSWORD = "a brand new passphrase"


def _copy_session(source, target) -> None:
    """Give ``target`` the session cookie of ``source``, as a thief holding a copy would."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


@pytest.fixture
def second_client(app, client):
    return app.test_client()


def _opens_pages(client) -> bool:
    return client.get("/").status_code == 200


def test_a_copied_cookie_works_until_logout(client, second_client, make_user):
    make_user("ann")
    log_in(client, "ann")
    _copy_session(client, second_client)
    assert _opens_pages(second_client)

    client.post("/logout")
    assert not _opens_pages(second_client)
    assert not _opens_pages(client)


def test_changing_the_password_ends_other_sessions_but_not_this_one(
    client, second_client, make_user
):
    make_user("ann")
    log_in(client, "ann")
    log_in(second_client, "ann")
    thief = second_client.application.test_client()
    _copy_session(client, thief)

    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _opens_pages(client)
    assert not _opens_pages(second_client)
    assert not _opens_pages(thief)


@pytest.mark.parametrize("how", ["set_password", "deactivate"])
def test_admin_changes_end_sessions(client, make_user, db, how):
    ann = make_user("ann")
    admin = make_user("boss", role=Role.ADMIN)
    log_in(client, "ann")
    assert _opens_pages(client)
    if how == "set_password":
        set_password(ann, NEW_PASSWORD)
    else:
        deactivate(ann, by=admin)
    db.session.commit()
    assert not _opens_pages(client)


def test_cli_set_password_ends_sessions(client, runner, make_user):
    make_user("ann")
    log_in(client, "ann")
    result = runner.invoke(
        args=["users", "set-password", "ann", "--password-stdin"], input=NEW_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert not _opens_pages(client)


def test_a_deactivated_then_reactivated_user_does_not_get_old_sessions_back(
    client, runner, make_user, db
):
    make_user("ann")
    log_in(client, "ann")
    assert runner.invoke(args=["users", "deactivate", "ann"]).exit_code == 0
    assert not _opens_pages(client)
    user = db.session.scalar(sa.select(User).where(User.username == "ann"))
    db.session.refresh(user)
    from tracker.accounts.services import reactivate

    reactivate(user)
    db.session.commit()
    assert not _opens_pages(client)


def test_login_id_carries_the_session_generation(make_user, db):
    user = make_user("ann")
    assert user.get_id() == f"{user.id}:1"
    user.end_sessions()
    db.session.commit()
    assert user.get_id() == f"{user.id}:2"


@pytest.mark.parametrize(
    ("key", "age", "expired"),
    [
        ("seen_at", 59 * 60, False),
        ("seen_at", 61 * 60, True),
        ("login_at", 11 * 3600, False),
        ("login_at", 12 * 3600 + 60, True),
    ],
)
def test_idle_and_old_sessions_expire(logged_in, key, age, expired):
    with logged_in.session_transaction() as session:
        session[key] = int(time.time()) - age
        assert session.permanent
    response = logged_in.get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert ("Your session has expired; please log in again." in html) is expired
    assert (response.request.path == "/login") is expired


def test_expiry_is_configurable(app, logged_in):
    app.config["SESSION_IDLE_MINUTES"] = 5
    with logged_in.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 6 * 60
    response = logged_in.get("/agreements/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/agreements/")
    assert logged_in.get("/").status_code == 302


def test_activity_keeps_the_session_alive(logged_in):
    with logged_in.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 50 * 60
    assert logged_in.get("/").status_code == 200
    with logged_in.session_transaction() as session:
        assert session["seen_at"] >= int(time.time()) - 5


def _sends_cookie(client, url: str, **kwargs) -> bool:
    with client.open(url, **kwargs) as response:
        return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_only_a_response_that_changes_the_session_sends_its_cookie(database_url, make_user):
    """A response carries the session as its request found it, and the browser keeps the last
    one it receives: an answer to a request sent before logging in (the login page's
    favicon.ico, another tab) that arrives after the login's own would undo the login, and
    one sent before logging out would undo the logout. So only changes send the cookie."""
    make_user("ann")
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)  # sends the new CSRF token
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        for anonymous in ("/login", "/favicon.ico", "/static/tracker.css"):
            assert not _sends_cookie(client, anonymous), anonymous
        login = {"username": "ann", "password": PASSWORD, "csrf_token": token}
        assert _sends_cookie(client, "/login", method="POST", data=login)
        assert _sends_cookie(client, "/")  # the welcome message is shown, so gone
        for logged_in in ("/static/tracker.css", "/favicon.ico", "/agreements/"):
            assert not _sends_cookie(client, logged_in), logged_in


def test_cookie_lifetime_is_the_absolute_limit(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600


def test_auth_log_records_events_without_passwords(client, make_user, caplog):
    make_user("ann")
    caplog.set_level(logging.INFO, logger="tracker.auth")
    log_in(client, "ann", "wrong password here")
    log_in(client, "nobody", "another secret phrase")
    log_in(client, "ann")
    client.post("/logout")
    events = [r.getMessage() for r in caplog.records if r.name == "tracker.auth"]
    assert [e.split(" username=")[0] for e in events] == [
        "login failed",
        "login failed",
        "login",
        "logout",
    ]
    assert "username='nobody'" in events[1]
    assert all("address=127.0.0.1" in e and "time=" in e and "+00:00" in e for e in events)
    text = caplog.text
    for secret in ("wrong password here", "another secret phrase", PASSWORD):
        assert secret not in text


def test_lifetimes_come_from_the_environment(monkeypatch, tmp_path):
    from tracker import create_app

    monkeypatch.setenv("TRACKER_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("TRACKER_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("TRACKER_RATELIMIT_ENABLED", "false")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'env.sqlite'}"})
    assert app.config["SESSION_IDLE_MINUTES"] == 15
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    assert app.config["RATELIMIT_ENABLED"] is False
