"""PostgreSQL's row-level security, the second line behind the app's own filter: a query that
forgot the rule still returns nothing its reader may not see, the command line sees
everything, and a hidden record cannot be written (tracker/data/row_security.py, migration
0016). The whole suite's PostgreSQL runs connect as a role the policies bind (conftest.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tests import test_need_to_know
from tests.conftest import BACKENDS
from tests.helpers import extra_app, owner_url, postgres_app_role
from tracker.data import access, markings, row_security
from tracker.extensions import db as _db
from tracker.models import (
    AccessEntry,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    AuditRecord,
    MarkingValue,
    Meeting,
    NegotiationPoint,
    PartyPosition,
    PositionChange,
    StatusChange,
    User,
)

# The need-to-know tests' world: agreements, points, positions and meetings at several
# markings, and readers of several clearances, parties, caveats and lists.
world = test_need_to_know.world
SECRET = test_need_to_know.SECRET
POSTGRESQL_ONLY = pytest.mark.parametrize("database_url", BACKENDS[1:], indirect=True)

# Every table with a policy.
TABLES = (
    Agreement,
    StatusChange,
    Meeting,
    AgendaItem,
    NegotiationPoint,
    PartyPosition,
    PositionChange,
    ActionItem,
    AuditRecord,
    AgreementParty,
    AccessEntry,
)
READERS = ("viewer", "indian", "american", "admin", "listed", "cabinet", "secret")


def _rows(model, *, forgot: bool) -> set:
    """The keys of ``model``'s rows: through the ORM (the app's filter), or as raw SQL that no
    filter touches."""
    key = list(model.__table__.primary_key.columns)
    if forgot:
        names = ", ".join(column.name for column in key)
        statement = sa.text(f"SELECT {names} FROM {model.__tablename__}")  # noqa: S608
        return {tuple(row) for row in _db.session.execute(statement)}
    columns = [getattr(model, column.key) for column in key]
    return {tuple(row) for row in _db.session.execute(sa.select(*columns))}


def _reader(name: str) -> access.Access:
    user = _db.session.scalar(sa.select(User).where(User.username == name))
    return access.for_user(_db.session, user)


@POSTGRESQL_ONLY
def test_the_app_connects_as_a_role_the_policies_bind(db):
    owner = db.session.scalar(
        sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'agreement'")
    )
    assert db.session.scalar(sa.text("SELECT current_user")) == postgres_app_role() != owner
    for model in TABLES:
        active = sa.text("SELECT row_security_active(CAST(:t AS regclass))")
        assert db.session.scalar(active, {"t": model.__tablename__}), model


@POSTGRESQL_ONLY
@pytest.mark.parametrize("username", READERS)
def test_a_query_that_forgot_the_rule_sees_what_the_rule_allows(app, db, world, username):
    """The database's policies and the app's filter are one rule: for every reader and every
    table, raw SQL returns exactly the rows the app's ORM queries do."""
    everything = _rows(Agreement, forgot=True)
    with app.test_request_context():
        access.use(db.session, _reader(username))
        for model in TABLES:
            assert _rows(model, forgot=True) == _rows(model, forgot=False), model
        forgot = sa.select(Agreement.id).execution_options(tracker_access=False)
        seen = {(a,) for a in db.session.scalars(forgot)}
        assert seen == _rows(Agreement, forgot=False) < everything


@POSTGRESQL_ONLY
def test_a_forgotten_filter_hides_the_secret_agreement_and_what_is_under_it(app, db, world):
    secret_id = world.secret.id
    with app.test_request_context():
        access.use(db.session, _reader("viewer"))
        forgot = sa.select(Agreement).execution_options(tracker_access=False)
        titles = {a.title for a in db.session.scalars(forgot)}
        assert titles == {"Open logistics talks", "Old heron accord"}
        under = sa.select(NegotiationPoint.subject).where(
            NegotiationPoint.agreement_id == secret_id
        )
        assert db.session.scalars(under.execution_options(tracker_access=False)).all() == []
        count = sa.text("SELECT count(*) FROM agreement")
        assert db.session.scalar(count) == 2


@POSTGRESQL_ONLY
def test_a_request_sees_nothing_until_its_reader_is_known_and_then_at_once(app, db, world):
    """The settings follow the reader within an open transaction (a login, ``access.use``)."""
    count = sa.text("SELECT count(*) FROM agreement")
    with app.test_request_context():
        assert db.session.scalar(count) == 0  # no reader yet: nothing
        connection = db.session.connection()
        access.use(db.session, _reader("viewer"))
        assert db.session.connection() is connection  # the same transaction
        assert db.session.scalar(count) == 2
        with access.reading_whole(db.session):
            assert db.session.scalar(count) == 6
        assert db.session.scalar(count) == 2
        setting = sa.text("SELECT current_setting('tracker.everything', true)")
        assert db.session.scalar(setting) == "off"
        db.session.commit()
        with db.engine.connect() as other:  # not the session's: a request's default, nothing
            assert other.scalar(count) == 0
            assert other.scalar(setting) in (None, "", "off")


@POSTGRESQL_ONLY
def test_the_command_line_sees_everything(app, db, world, runner):
    count = sa.text("SELECT count(*) FROM agreement")
    assert db.session.scalar(count) == 6
    with db.engine.connect() as connection:
        assert connection.scalar(count) == 6
    result = runner.invoke(args=["report", "SEC", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "Stealth antenna quasar" in result.output


@POSTGRESQL_ONLY
def test_a_hidden_record_cannot_be_written(app, db, world):
    secret_id, open_id = world.secret.id, world.open.id
    secret_marking = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.commit()
    with app.test_request_context():
        access.use(db.session, _reader("viewer"))
        hidden = sa.update(Agreement).where(Agreement.id == secret_id).values(title="Changed")
        assert db.session.execute(hidden.execution_options(tracker_access=False)).rowcount == 0
        gone = sa.text("DELETE FROM negotiation_point WHERE agreement_id = :id")
        assert db.session.execute(gone, {"id": secret_id}).rowcount == 0
        db.session.rollback()

        # Written above the reader's clearance: refused, not silently kept from them.
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(
                sa.insert(Agreement).values(
                    title="Planted",
                    category="logistics",
                    status="proposed",
                    marking_id=secret_marking,
                )
            )
        db.session.rollback()
        raise_it = sa.update(Agreement).where(Agreement.id == open_id)
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(raise_it.values(marking_id=secret_marking))
        db.session.rollback()

    # The ORM: a record loaded by someone else, saved for the viewer, is a lost race.
    access.use(db.session, access.EVERYTHING)
    viewer = _reader("viewer")
    secret = db.session.get(Agreement, secret_id)
    secret.title = "Changed by the ORM"
    with app.test_request_context():
        access.use(db.session, viewer)
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()
    access.use(db.session, access.EVERYTHING)

    with db.engine.connect() as connection:  # outside a request: everything
        title = connection.scalar(sa.select(Agreement.title).where(Agreement.id == secret_id))
        points = sa.select(sa.func.count()).select_from(NegotiationPoint)
        assert title == "Stealth antenna quasar"
        assert connection.scalar(points.where(NegotiationPoint.agreement_id == secret_id)) == 1
        marking = sa.select(Agreement.marking_id).where(Agreement.id == open_id)
        assert connection.scalar(marking) == 1


@POSTGRESQL_ONLY
def test_the_owner_is_not_bound_by_the_policies(database_url, db, world):
    """One URL for everything (the tables' owner): row-level security changes nothing, and
    the app's own filter still does its work."""
    with extra_app(owner_url(database_url)) as owner_app, owner_app.test_request_context():
        assert _db.session.scalar(sa.text("SELECT count(*) FROM agreement")) == 6
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


@POSTGRESQL_ONLY
def test_tracker_db_grant_gives_the_app_role_the_tables(database_url, app, runner):
    role = postgres_app_role()
    result = runner.invoke(args=["db", "grant", role])
    assert result.exit_code == 0, result.output
    assert f"Granted {role}" in result.output
    owner = sa.make_url(owner_url(database_url)).username
    refused = runner.invoke(args=["db", "grant", owner])
    assert refused.exit_code != 0 and "owns the tables" in refused.output
    missing = runner.invoke(args=["db", "grant", "no_such_role_here"])
    assert missing.exit_code != 0 and "no PostgreSQL role" in missing.output
    with app.app_context():
        privileges = sa.text(
            "SELECT has_table_privilege(:role, 'audit_record', 'DELETE'), "
            "has_column_privilege(:role, 'audit_record', 'marking_id', 'UPDATE'), "
            "has_column_privilege(:role, 'audit_record', 'summary', 'UPDATE'), "
            "has_table_privilege(:role, 'agreement', 'UPDATE')"
        )
        assert tuple(_db.session.execute(privileges, {"role": role}).one()) == (
            False,
            True,
            False,
            True,
        )


@pytest.mark.parametrize("database_url", BACKENDS[:1], indirect=True)
def test_tracker_db_grant_is_for_postgresql(app, runner):
    result = runner.invoke(args=["db", "grant", "someone"])
    assert result.exit_code != 0 and "PostgreSQL" in result.output


def test_the_settings_name_the_readers_markings_and_lists():
    reader = access.Access(frozenset({3, 1}), frozenset({9, 4}), 7)
    assert row_security.settings_sql(reader) == (
        "SET LOCAL tracker.everything = 'off'; SET LOCAL tracker.markings = '1,3'; "
        "SET LOCAL tracker.agreements = '4,9'"
    )
    assert row_security.settings_sql(access.EVERYTHING).startswith(
        "SET LOCAL tracker.everything = 'on'"
    )
    assert "markings = ''" in row_security.settings_sql(access.NOTHING)


def test_migrations_and_backups_run_as_the_tables_owner(database_url, app):
    engine = row_security.maintenance_engine()
    if owner_url(database_url) is None:  # one URL for everything: SQLite
        assert engine is _db.engine
    else:
        assert engine.url.username == sa.make_url(owner_url(database_url)).username
        assert engine.url.username != _db.engine.url.username
