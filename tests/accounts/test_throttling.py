"""Login throttling: per address for every attempt, per username for failures only."""

import logging

import pytest

from tests.helpers import PASSWORD, extra_app, log_in
from tracker.extensions import db
from tracker.models import Role, User

THROTTLED = "Too many"


@pytest.fixture
def throttled_app(database_url):
    """An app with throttling on, at the default limits."""
    with extra_app(database_url, RATELIMIT_ENABLED=True) as app, app.app_context():
        user = User(username="ann", display_name="Ann", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        yield app


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_two_typos_then_the_right_password_logs_in(throttled_app):
    client = _client(throttled_app, "10.0.0.1")
    for _ in range(2):
        assert log_in(client, "ann", "wrong password").status_code == 200
    assert log_in(client, "ann").status_code == 302


def test_a_success_clears_the_failures(throttled_app):
    client = _client(throttled_app, "10.0.0.1")
    for _ in range(4):
        log_in(client, "ann", "wrong password")
    assert log_in(client, "ann").status_code == 302
    other = _client(throttled_app, "10.0.0.2")
    for _ in range(4):
        assert log_in(other, "ann", "wrong password").status_code == 200
    assert log_in(other, "ann").status_code == 302


def test_five_failures_lock_the_username_from_any_address(throttled_app, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    for number in range(5):
        client = _client(throttled_app, f"10.0.1.{number}")
        assert log_in(client, "ANN", "wrong password").status_code == 200
    client = _client(throttled_app, "10.0.2.1")
    response = log_in(client, "ann")  # even the right password waits
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert THROTTLED in html
    assert "Agreement tracker" in html  # in the app's layout
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert "login throttled (username) username='ann' address=10.0.2.1" in caplog.text
    assert PASSWORD not in caplog.text
    # Other usernames are not affected.
    assert log_in(client, "bob", "wrong password").status_code == 200


def test_unknown_and_known_usernames_are_throttled_alike(throttled_app):
    for name in ("ann", "nobody"):
        for number in range(5):
            log_in(_client(throttled_app, f"10.1.{number}.1"), name, "wrong password")
        response = log_in(_client(throttled_app, "10.2.0.1"), name, "wrong password")
        assert response.status_code == 429


def test_eleven_attempts_a_minute_from_one_address_are_refused(throttled_app, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    client = _client(throttled_app, "10.9.9.9")
    for number in range(10):
        response = log_in(client, f"user{number}", "wrong password")
        assert response.status_code == 200
    response = log_in(client, "someone", "wrong password")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 61  # the window, rounded up
    assert "login throttled (address) username='someone' address=10.9.9.9" in caplog.text
    # Another address is not affected, and the login page itself still shows.
    assert log_in(_client(throttled_app, "10.9.9.8"), "ann").status_code == 302
    assert client.get("/login").status_code == 200


def test_limits_are_configurable(database_url):
    with extra_app(
        database_url, RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ADDRESS="2 per minute"
    ) as app:
        client = _client(app, "10.0.0.7")
        assert log_in(client, "x1", "wrong password").status_code == 200
        assert log_in(client, "x2", "wrong password").status_code == 200
        assert log_in(client, "x3", "wrong password").status_code == 429


def test_throttling_can_be_switched_off(database_url):
    with extra_app(database_url, RATELIMIT_ENABLED=False) as app:
        client = _client(app, "10.0.0.8")
        for _ in range(12):
            assert log_in(client, "ann", "wrong password").status_code == 200
