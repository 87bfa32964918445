"""Helpers shared by the tests."""

from contextlib import contextmanager

from tracker import create_app
from tracker.extensions import db

PASSWORD = "correct horse battery"


def make_test_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # Throttling tests switch it on; elsewhere many logins from one address are normal.
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


def loaded_from(record, prefix: str = "") -> dict[str, str]:
    """The hidden fields of a form loaded from ``record`` as it is now (tracker/versioning.py);
    ``prefix`` names a section of a form with several, such as ``agreements-0-``."""
    return {f"{prefix}version": str(record.version), f"{prefix}seen_change": "0"}


def log_in(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


@contextmanager
def extra_app(database_url: str, **overrides):
    """A second app on the same database; its connections are closed afterwards."""
    app = make_test_app(database_url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
