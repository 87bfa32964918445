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

from tests import shared_compiling
from tests.helpers import PASSWORD, log_in, make_test_app, postgres_app_role
from tests.postgres_reset import SchemaReset
from tracker.data import row_security
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
    shared_compiling.install()
    if REQUIRE_ALL and not POSTGRES_URL:
        raise pytest.UsageError("TRACKER_TEST_REQUIRE_ALL=1 but TRACKER_TEST_POSTGRES_URL is unset")


def postgres_url(schema: str, *, role: str | None = None) -> str:
    """The test server's URL with ``schema`` as the only schema on the search path; as the
    tables' owner (the test user), or as ``role`` (whose password is its name)."""
    url = sa.make_url(POSTGRES_URL)
    if role is not None:
        url = url.set(username=role, password=role)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def ensure_postgres_app_role() -> str:
    """The role the apps connect as (tests/helpers.py), made if missing: a login that owns
    nothing and does not bypass row-level security. Making it needs CREATEROLE; .ci/run
    makes it as the superuser."""
    role = postgres_app_role()
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            exists = sa.text("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = :role)")
            if not connection.scalar(exists, {"role": role}):
                connection.exec_driver_sql(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{role}'")
    except sa.exc.DBAPIError as error:
        if "already exists" not in str(error):
            raise pytest.UsageError(
                f"The PostgreSQL tests connect the app as role {role} (password {role}), which "
                f"could not be made: {error.orig}. As a superuser: CREATE ROLE {role} LOGIN "
                f"PASSWORD '{role}'; (or ALTER ROLE ... CREATEROLE for the test user)."
            ) from None
    finally:
        engine.dispose()
    return role


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
    """The test schema on the PostgreSQL server, migrated once per run by its owner, and
    the role the apps connect as granted its use (``tracker db grant``)."""
    role = ensure_postgres_app_role()
    reset_postgres_schema(PG_SCHEMA)
    app = make_test_app(postgres_url(PG_SCHEMA))
    with app.app_context():
        upgrade()
        with _db.engine.begin() as connection:
            row_security.grant(connection, role)
        _db.engine.dispose()
    yield PG_SCHEMA
    drop_postgres_schema(PG_SCHEMA)


@pytest.fixture(scope="session")
def postgres_owner(postgres_schema):
    """The tables' owner's engine on the test schema, and what the schema held once migrated
    (tests/postgres_reset.py), to put it back after each test."""
    engine = sa.create_engine(postgres_url(postgres_schema))
    with engine.connect() as connection:
        reset = SchemaReset(connection, _db.metadata)
    yield engine, reset
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "tracker.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schema = request.getfixturevalue("postgres_schema")
    engine, reset = request.getfixturevalue("postgres_owner")
    # As the app connects in production: a role the tables' row-level security binds.
    yield postgres_url(schema, role=postgres_app_role())
    try:
        reset.reset(engine)
    except sa.exc.OperationalError as error:
        raise RuntimeError(f"Emptying {schema} waited too long: {_holders(engine)}") from error


def _holders(engine) -> list[tuple]:
    """Who holds locks on the server, for a message: pid, role, state, query."""
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT DISTINCT a.pid, a.usename, a.state, left(a.query, 120)"
                " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE a.pid <> pg_backend_pid() AND l.granted"
            )
        ).all()


@pytest.fixture
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        yield app
        _db.session.remove()
        for engine in _db.engines.values():  # the owner's too (DATABASE_OWNER_URL)
            engine.dispose()


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
