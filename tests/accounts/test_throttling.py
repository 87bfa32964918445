"""Login throttling: guessing is throttled per address, per client and per username, yet
nobody can keep a user from logging in from where they always do (tracker/accounts/throttle.py).
"""

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from tests.helpers import PASSWORD, extra_app, log_in
from tracker.accounts import throttle
from tracker.extensions import db
from tracker.models import LoginAttempt, LoginOutcome, Role, User, utcnow

THROTTLED = "Too many"
FROM_HERE = "Too many failed logins for this username from here"
FROM_ELSEWHERE = "Too many failed logins for this username from elsewhere"
FIFTEEN_MINUTES = 15 * 60


@contextmanager
def _throttled(database_url, **overrides):
    """An app with throttling on (at the default limits unless overridden), and ann."""
    with extra_app(database_url, RATELIMIT_ENABLED=True, **overrides) as app:
        with app.app_context():
            if db.session.scalar(sa.select(User).where(User.username == "ann")) is None:
                user = User(username="ann", display_name="Ann", role=Role.EDITOR)
                user.set_password(PASSWORD)
                db.session.add(user)
                db.session.commit()
            db.session.remove()
        yield app


@pytest.fixture(params=["database", "memory://"])
def throttled_app(request, database_url):
    """Counting in the database (the default) and in a `limits` store (as with Redis)."""
    with _throttled(database_url, RATELIMIT_STORAGE_URI=request.param) as app:
        yield app


@pytest.fixture
def counted_app(database_url):
    """Counting in the database, whose rows the test looks at."""
    with _throttled(database_url) as app:
        yield app


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _rows(app) -> list[LoginAttempt]:
    with app.app_context():
        rows = db.session.scalars(sa.select(LoginAttempt).order_by(LoginAttempt.id)).all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def _age(app, **delta) -> None:
    """Let time pass for the throttle: every counted attempt becomes older by ``delta``."""
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginAttempt)):
            row.at -= timedelta(**delta)
        db.session.commit()
        db.session.remove()


def _retry_after(response) -> int:
    seconds = int(response.headers["Retry-After"])
    assert seconds > 0
    return seconds


# ---------------------------------------------------------------------------- one client


def test_two_typos_then_the_right_password_logs_in(throttled_app):
    client = _client(throttled_app, "10.0.0.1")
    for _ in range(2):
        assert log_in(client, "ann", "wrong password").status_code == 200
    assert log_in(client, "ann").status_code == 302


def test_a_success_clears_the_failures_of_that_client(throttled_app):
    client = _client(throttled_app, "10.0.0.1")
    for _ in range(4):
        log_in(client, "ann", "wrong password")
    assert log_in(client, "ann").status_code == 302
    client.post("/logout")
    client.environ_base["REMOTE_ADDR"] = "10.0.0.3"  # the same browser elsewhere
    for _ in range(4):
        assert log_in(client, "ann", "wrong password").status_code == 200
    assert log_in(client, "ann").status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert log_in(client, "ann", "wrong password").status_code == 200
    assert log_in(client, "ann").status_code == 302


def test_a_success_marks_failures_cleared_and_itself_a_success(counted_app):
    client = _client(counted_app, "10.0.0.1")
    for _ in range(3):
        log_in(client, "ann", "wrong password")
    log_in(client, "ann")
    rows = _rows(counted_app)
    assert [row.outcome for row in rows] == [LoginOutcome.CLEARED] * 3 + [LoginOutcome.SUCCESS]
    assert {(row.username, row.address, row.client) for row in rows} == {
        ("ann", "10.0.0.1", "address:10.0.0.1")
    }


def test_five_failures_from_one_address_refuse_that_address_even_the_right_password(
    throttled_app, caplog
):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    attacker = _client(throttled_app, "10.6.6.6")
    for _ in range(5):
        assert log_in(attacker, "ANN", "wrong password").status_code == 200
    response = log_in(attacker, "ann")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert FROM_HERE in html
    assert "Agreement tracker" in html  # in the app's layout
    assert _retry_after(response) <= FIFTEEN_MINUTES + 1
    assert "login throttled (client) username='ann' address=10.6.6.6" in caplog.text
    assert PASSWORD not in caplog.text
    # Other usernames from there are not affected.
    assert log_in(attacker, "bob", "wrong password").status_code == 200


def test_an_attacker_at_one_address_cannot_lock_out_the_user_at_another(throttled_app):
    attacker = _client(throttled_app, "10.6.6.6")
    for _ in range(10):  # refused after 5 failures, then by the address limit
        log_in(attacker, "ann", "wrong password")
    refused = log_in(attacker, "ann", "wrong password")
    assert refused.status_code == 429 and _retry_after(refused)
    # The user has never logged in from this browser before, and still gets in.
    user = _client(throttled_app, "10.0.0.1")
    assert log_in(user, "ann").status_code == 302


# ---------------------------------------------------------------------------- many addresses


def _spray(app, username: str, addresses: int, first: int = 0) -> None:
    """One wrong password for ``username`` from each of ``addresses`` fresh addresses."""
    for n in range(first, first + addresses):
        assert log_in(_client(app, f"10.8.{n // 250}.{n % 250}"), username, "x").status_code == 200


def test_many_addresses_slow_the_username_down_for_browsers_it_does_not_know(throttled_app, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    _spray(throttled_app, "ann", 10)
    # The eleventh address is refused before any password is checked, even the right one.
    newcomer = _client(throttled_app, "10.9.0.1")
    response = log_in(newcomer, "ann")
    assert response.status_code == 429
    assert FROM_ELSEWHERE in response.get_data(as_text=True)
    assert _retry_after(response) <= FIFTEEN_MINUTES + 1
    assert "login throttled (username) username='ann' address=10.9.0.1" in caplog.text
    # Other usernames are not affected.
    assert log_in(newcomer, "bob", "wrong password").status_code == 200


def test_a_browser_that_logged_in_before_gets_in_during_a_spray(throttled_app):
    browser = _client(throttled_app, "10.0.0.1")
    assert log_in(browser, "ann").status_code == 302
    assert browser.post("/logout").status_code == 302
    _spray(throttled_app, "ann", 10)
    assert log_in(_client(throttled_app, "10.9.0.1"), "ann").status_code == 429
    # From its usual address, or from another one (a laptop on the road).
    assert log_in(browser, "ann").status_code == 302
    browser.post("/logout")
    browser.environ_base["REMOTE_ADDR"] = "10.9.0.2"
    assert log_in(browser, "ann").status_code == 302
    browser.post("/logout")
    # Its own failures still count: five, and it waits like any other client.
    for _ in range(5):
        assert log_in(browser, "ann", "wrong password").status_code == 200
    response = log_in(browser, "ann")
    assert response.status_code == 429 and FROM_HERE in response.get_data(as_text=True)


def test_the_mark_of_a_browser_cannot_be_forged_or_lent_to_another_username(throttled_app):
    bobs = _client(throttled_app, "10.0.0.5")
    with throttled_app.app_context():
        bob = User(username="bob", display_name="Bob", role=Role.VIEWER)
        bob.set_password(PASSWORD)
        db.session.add(bob)
        db.session.commit()
        db.session.remove()
    assert log_in(bobs, "bob").status_code == 302
    bobs.post("/logout")
    _spray(throttled_app, "ann", 10)
    assert log_in(bobs, "ann").status_code == 429  # known for bob, not for ann

    cookie = bobs.get_cookie(throttle.KNOWN_BROWSER_COOKIE)
    forger = _client(throttled_app, "10.0.0.6")
    forger.set_cookie(throttle.KNOWN_BROWSER_COOKIE, cookie.value[:-2] + "xx")
    assert log_in(forger, "ann").status_code == 429
    forger.set_cookie(throttle.KNOWN_BROWSER_COOKIE, "[]")
    assert log_in(forger, "ann").status_code == 429


def test_the_mark_is_a_private_cookie_without_the_username(throttled_app):
    client = _client(throttled_app, "10.0.0.1")
    response = log_in(client, "ann")
    (header,) = [
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith(throttle.KNOWN_BROWSER_COOKIE + "=")
    ]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert f"Max-Age={throttle.KNOWN_BROWSER_DAYS * 86400}" in header
    value = client.get_cookie(throttle.KNOWN_BROWSER_COOKIE).value
    serializer = URLSafeSerializer("test-secret-key", salt="tracker.accounts.known-browser")
    ((tag, browser, issued),) = serializer.loads(value)
    assert "ann" not in tag and len(tag) == 24 and len(browser) == 16
    assert abs(issued - time.time()) < 60


def test_the_username_limit_is_a_rate_not_a_lock(counted_app):
    _spray(counted_app, "ann", 5)
    _age(counted_app, minutes=10)
    _spray(counted_app, "ann", 5, first=5)
    newcomer = _client(counted_app, "10.9.0.1")
    response = log_in(newcomer, "ann")
    assert response.status_code == 429
    assert 295 <= _retry_after(response) <= 301  # when the first five are 15 minutes old
    _age(counted_app, minutes=5, seconds=1)
    # Five failures are left in the window: a browser it does not know may try again.
    assert log_in(newcomer, "ann").status_code == 302


def test_unknown_and_known_usernames_are_throttled_alike(throttled_app):
    for number, name in enumerate(("ann", "nobody")):
        client = _client(throttled_app, f"10.1.{number}.1")
        for _ in range(5):
            assert log_in(client, name, "wrong password").status_code == 200
        assert log_in(client, name, "wrong password").status_code == 429
        _spray(throttled_app, name, 5, first=number * 5)  # ten failures from six addresses
        response = log_in(_client(throttled_app, f"10.2.{number}.1"), name, "wrong password")
        assert response.status_code == 429
        assert FROM_ELSEWHERE in response.get_data(as_text=True)


# ---------------------------------------------------------------------------- addresses


def test_eleven_attempts_a_minute_from_one_address_are_refused(throttled_app, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    client = _client(throttled_app, "10.9.9.9")
    for number in range(10):
        response = log_in(client, f"user{number}", "wrong password")
        assert response.status_code == 200
    response = log_in(client, "someone", "wrong password")
    assert response.status_code == 429
    assert 0 < _retry_after(response) <= 61  # the window, rounded up
    assert "login throttled (address) username='someone' address=10.9.9.9" in caplog.text
    # Another address is not affected, and the login page itself still shows.
    assert log_in(_client(throttled_app, "10.9.9.8"), "ann").status_code == 302
    assert client.get("/login").status_code == 200


def test_an_ipv6_host_counts_as_its_64_network(throttled_app):
    for n in range(1, 11):
        client = _client(throttled_app, f"2001:db8:1:2::{n:x}")
        assert log_in(client, f"u{n}", "x").status_code == 200
    assert log_in(_client(throttled_app, "2001:db8:1:2:ffff::1"), "u", "x").status_code == 429
    assert log_in(_client(throttled_app, "2001:db8:1:3::1"), "u", "x").status_code == 200


@pytest.mark.parametrize(
    ("address", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:aa:bb:1:2:3:4", "2001:db8:aa:bb::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, "unknown"),
        ("not an address", "not an address"),
    ],
)
def test_address_keys(address, counted):
    assert throttle.address_key(address) == counted


def test_limits_are_configurable(database_url):
    with _throttled(
        database_url,
        LOGIN_LIMIT_PER_ADDRESS="2 per minute",
        LOGIN_FAILURES_PER_CLIENT="1 per hour",
        LOGIN_FAILURES_PER_USERNAME="2 per hour",
    ) as app:
        client = _client(app, "10.0.0.7")
        assert log_in(client, "x1", "wrong password").status_code == 200
        response = log_in(client, "x1", "wrong password")
        assert response.status_code == 429 and FROM_HERE in response.get_data(as_text=True)
        response = log_in(client, "x2", "wrong password")
        assert response.status_code == 429 and 0 < _retry_after(response) <= 61
        assert log_in(_client(app, "10.0.0.8"), "x1", "wrong password").status_code == 200
        response = log_in(_client(app, "10.0.0.9"), "x1", "wrong password")
        assert response.status_code == 429 and FROM_ELSEWHERE in response.get_data(as_text=True)
        assert 3500 < _retry_after(response) <= 3601


def test_a_bad_limit_stops_the_app_from_starting(database_url):
    with pytest.raises(ValueError), _throttled(database_url, LOGIN_FAILURES_PER_CLIENT="often"):
        pass


def test_throttling_can_be_switched_off(database_url):
    with extra_app(database_url, RATELIMIT_ENABLED=False) as app:
        client = _client(app, "10.0.0.8")
        for _ in range(12):
            assert log_in(client, "ann", "wrong password").status_code == 200
        assert _rows(app) == []


# ---------------------------------------------------------------------------- one count


def test_failures_counted_by_two_apps_add_up(counted_app, database_url):
    """Two app processes (or servers) on one database count the same attempts."""
    with _throttled(database_url) as second:
        one, two = _client(counted_app, "10.5.0.1"), _client(second, "10.5.0.1")
        for client in (one, two, one, two, one):
            assert log_in(client, "ann", "wrong password").status_code == 200
        assert log_in(two, "ann").status_code == 429
        assert log_in(one, "ann").status_code == 429
        # The address limit too: seven attempts so far, three more get through.
        for client in (one, two, one):
            assert log_in(client, "carol", "wrong password").status_code == 200
        assert log_in(two, "dave", "wrong password").status_code == 429


@pytest.mark.parametrize("serialize_writes", [True, False], ids=["serialized", "unserialized"])
def test_attempts_at_the_same_moment_all_count_and_no_more_get_through(
    database_url, serialize_writes
):
    """Two apps, twelve attempts at once from one address: exactly the limit's number are
    checked, with or without the app's serialized writes (the throttle's own locks)."""
    settings = {"SERIALIZE_WRITES": serialize_writes, "LOGIN_LIMIT_PER_ADDRESS": "100 per minute"}
    with _throttled(database_url, **settings) as one, _throttled(database_url, **settings) as two:
        statuses = _at_once([one, two] * 6, lambda n: ("ann", "wrong password"))
        assert sorted(statuses) == [200] * 5 + [429] * 7
        failures = [row for row in _rows(one) if row.outcome == LoginOutcome.FAILURE]
        assert len(failures) == 5

    settings["LOGIN_LIMIT_PER_ADDRESS"] = "10 per minute"
    with _throttled(database_url, **settings) as one, _throttled(database_url, **settings) as two:
        statuses = _at_once([one, two] * 8, lambda n: (f"user{n}", "wrong password"), "10.4.0.2")
        assert sorted(statuses) == [200] * 10 + [429] * 6
        assert len([row for row in _rows(one) if row.address == "10.4.0.2"]) == 10


def _at_once(apps, credentials, address: str = "10.4.0.1") -> list[int]:
    """Log in from ``address`` through each of ``apps`` on a thread of its own, all at once."""
    barrier = threading.Barrier(len(apps))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def attempt(n: int, app) -> None:
        try:
            client = _client(app, address)
            barrier.wait(timeout=30)
            statuses.append(log_in(client, *credentials(n)).status_code)
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(n, app)) for n, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return statuses


# ---------------------------------------------------------------------------- the table


def test_the_table_keeps_only_attempts_some_limit_still_counts(counted_app):
    now = utcnow()
    with counted_app.app_context():
        for minutes, outcome in [
            (120, LoginOutcome.FAILURE),  # older than every window
            (16, LoginOutcome.CLEARED),
            (2, LoginOutcome.UNCHECKED),  # older than the address's minute
            (2, LoginOutcome.SUCCESS),
            (10, LoginOutcome.FAILURE),  # still counted for its client and username
            (0, LoginOutcome.UNCHECKED),  # still counted for its address
        ]:
            db.session.add(
                LoginAttempt(
                    at=now - timedelta(minutes=minutes),
                    address="10.3.0.1",
                    username="old",
                    client="address:10.3.0.1",
                    outcome=outcome,
                )
            )
        db.session.commit()
        db.session.remove()
    log_in(_client(counted_app, "10.3.0.2"), "ann", "wrong password")
    kept = [(row.address, row.outcome) for row in _rows(counted_app)]
    assert kept == [
        ("10.3.0.1", LoginOutcome.FAILURE),
        ("10.3.0.1", LoginOutcome.UNCHECKED),
        ("10.3.0.2", LoginOutcome.FAILURE),
    ]


def test_a_flood_from_one_address_adds_no_more_rows_than_the_limit(counted_app):
    client = _client(counted_app, "10.3.0.3")
    for n in range(40):
        log_in(client, f"user{n}", "wrong password")
    assert len(_rows(counted_app)) == 10


def test_rows_are_bounded_over_time(counted_app):
    """Minutes of attempts, not days: rows older than every window go at the next attempt."""
    for hour in range(3):
        _spray(counted_app, f"user{hour}", 10, first=hour * 10)
        _age(counted_app, hours=1)
    log_in(_client(counted_app, "10.3.0.4"), "ann", "wrong password")
    assert len(_rows(counted_app)) == 1


# ---------------------------------------------------------------------------- password change


def test_wrong_current_passwords_count_like_failed_logins(throttled_app, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    client = _client(throttled_app, "10.0.0.1")
    assert log_in(client, "ann").status_code == 302
    data = {"new_password": "a brand new passphrase", "confirm_password": "a brand new passphrase"}
    for _ in range(5):
        response = client.post("/account/password", data={**data, "current_password": "nope"})
        assert response.status_code == 200
        assert "That is not your current password." in response.get_data(as_text=True)
    response = client.post("/account/password", data={**data, "current_password": PASSWORD})
    assert response.status_code == 429 and _retry_after(response) <= FIFTEEN_MINUTES + 1
    assert "password change throttled username='ann' address=10.0.0.1" in caplog.text
    assert caplog.text.count("password change refused (wrong current password)") == 5
