"""Fixtures: an app on a real SQLite file (and a real PostgreSQL server when configured)."""

from __future__ import annotations

import contextvars
import os
import shutil
from datetime import date

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from tests.helpers import PASSWORD, log_in, make_test_app
from tracker.extensions import db as _db
from tracker.models import Agreement, AgreementParty, Party, PartyKind, Role, User

POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")
REQUIRE_ALL = os.environ.get("TRACKER_TEST_REQUIRE_ALL") == "1"
# One schema per test run, so runs side by side on one server do not collide.
PG_SCHEMA = f"tracker_test_{os.getpid()}"

_no_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL tests need TRACKER_TEST_POSTGRES_URL (see README, 'Tests')",
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=_no_postgres)]


def pytest_configure(config):
    if REQUIRE_ALL and not POSTGRES_URL:
        raise pytest.UsageError("TRACKER_TEST_REQUIRE_ALL=1 but TRACKER_TEST_POSTGRES_URL is unset")


def postgres_url(schema: str) -> str:
    """The test server's URL with ``schema`` as the only schema on the search path."""
    url = sa.make_url(POSTGRES_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def drop_postgres_schema(schema: str) -> None:
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def reset_postgres_schema(schema: str) -> None:
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    """Keep the developer's own TRACKER_* settings out of the tests."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") and not name.startswith("TRACKER_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A database file migrated once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite"
    app = make_test_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    """The test schema on the PostgreSQL server, migrated once per run."""
    reset_postgres_schema(PG_SCHEMA)
    app = make_test_app(postgres_url(PG_SCHEMA))
    with app.app_context():
        upgrade()
        with _db.engine.begin() as connection:
            _unmarked_first(connection)
        _db.engine.dispose()
    yield PG_SCHEMA
    drop_postgres_schema(PG_SCHEMA)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "tracker.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schema = request.getfixturevalue("postgres_schema")
    yield postgres_url(schema)
    engine = sa.create_engine(postgres_url(schema))
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(
            sa.text("INSERT INTO marking (id, key, level, caveats) VALUES (1, '0', 0, '')")
        )
        _unmarked_first(connection)
    engine.dispose()


def _unmarked_first(connection) -> None:
    """The lowest marking is row 1, as the migration makes it; new markings number on
    from it (an id inserted by hand does not move PostgreSQL's sequence)."""
    connection.execute(
        sa.text("SELECT setval(pg_get_serial_sequence('marking', 'id'), max(id)) FROM marking")
    )


@pytest.fixture
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server does: its own app context,
    database session and ``g``, separate from the test's own session."""

    def open(self, *args, **kwargs):
        # Buffered: a streamed body is read inside the request's own context.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(db):
    """Create a user: ``make_user("ann", role=Role.EDITOR)``."""

    def make(
        username: str = "staff",
        role: Role = Role.EDITOR,
        password: str = PASSWORD,
        active: bool = True,
    ) -> User:
        user = User(username=username, display_name=username.title(), role=role, active=active)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_party(db):
    def make(name: str = "India", code: str | None = "IND", kind=PartyKind.STATE) -> Party:
        party = Party(name=name, code=code, kind=kind)
        db.session.add(party)
        db.session.flush()
        return party

    return make


@pytest.fixture
def make_agreement(db, make_party):
    """Create an agreement; keyword arguments override the defaults."""

    def make(**overrides) -> Agreement:
        parties = overrides.pop("parties", None)
        values = {
            "title": "Reciprocal Provision of Supplies and Services Agreement",
            "short_name": "RPSS",
            "category": "logistics",
            "status": "proposed",
            "status_on": date(2024, 11, 1),
        }
        values.update(overrides)
        agreement = Agreement(**values)
        if parties is None:
            parties = [make_party("India", "IND"), make_party("Japan", "JPN")]
        agreement.party_links = [AgreementParty(party=party) for party in parties]
        db.session.add(agreement)
        db.session.flush()
        return agreement

    return make


@pytest.fixture
def logged_in(client, make_user):
    """A client logged in as an editor."""
    user = make_user("desk.officer", role=Role.EDITOR)
    response = log_in(client, user.username)
    assert response.status_code == 302
    return client


def pytest_terminal_summary(terminalreporter):
    """Say plainly which real components were not exercised, and how to get them."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"NOT TESTED ({count} skipped): {reason}", yellow=True)
