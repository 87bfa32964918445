"""When a writing request takes the database's write lock, how long it waits for it, and what
it answers when it cannot have it (tracker/data/database.py)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import before_render_template

from tests.conftest import BACKENDS, IsolatedClient
from tests.helpers import db_snapshot, extra_app, log_in, snapshot_difference
from tests.test_security import assert_security_headers
from tracker.actions import services as action_services
from tracker.data import database
from tracker.extensions import db
from tracker.models import (
    ActionItem,
    Agreement,
    AuditRecord,
    LoginAttempt,
    LoginOutcome,
    Party,
    Role,
    User,
    WriteSequence,
    utcnow,
)

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
POSTGRESQL_ONLY = pytest.mark.parametrize("database_url", BACKENDS[1:], indirect=True)


@contextmanager
def _another_writer(database_url: str):
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as other:
            other.exec_driver_sql(database.WRITE_LOCK)
            try:
                yield
            finally:
                other.rollback()
    finally:
        engine.dispose()


@contextmanager
def write_lock_held_elsewhere(database_url: str, at_most: float = 15):
    """Another writer (its own connection, as another worker or server would have) holding
    the database's write lock: SQLite's lock, or the app's advisory lock on PostgreSQL. It
    lets go after ``at_most`` seconds, so a request that waits without limit fails the test
    instead of hanging it."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with _another_writer(database_url):
            taken.set()
            release.wait(at_most)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


def write_lock_is_free(database_url: str) -> bool:
    """Whether another writer could take the write lock right now, without waiting."""
    # Asked from a thread of its own, outside the caller's request: as another server would.
    answer = []
    asking = threading.Thread(target=lambda: answer.append(_write_lock_is_free(database_url)))
    asking.start()
    asking.join()
    return answer[0]


def _write_lock_is_free(database_url: str) -> bool:
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as other:
            lock = database.WRITE_LOCK.replace("pg_advisory_xact_lock", "pg_try_advisory_xact_lock")
            free = other.exec_driver_sql(lock).scalar()
            other.rollback()
            return bool(free)
    finally:
        engine.dispose()


@pytest.fixture
def quick_app(database_url):
    """The app on the test database with writes waiting at most a second for the lock."""
    with extra_app(database_url, LOCK_WAIT_SECONDS=1) as app:
        app.test_client_class = IsolatedClient
        with app.app_context():
            user = User(username="clerk", display_name="Clerk", role=Role.EDITOR)
            user.set_password("correct horse battery")
            db.session.add(user)
            db.session.commit()
            yield app


@pytest.fixture
def quick_client(quick_app):
    client = quick_app.test_client()
    assert log_in(client, "clerk").status_code == 302
    return client


def test_a_write_that_waits_too_long_for_the_lock_is_told_to_try_again(
    database_url, quick_client, caplog
):
    before = db_snapshot(db.engine)
    with (
        write_lock_held_elsewhere(database_url),
        caplog.at_level(logging.WARNING, logger="tracker.security"),
    ):
        started = time.monotonic()
        response = quick_client.post("/parties/new", data={"name": "Atlantis", "kind": "grouping"})
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "busy" in page and "Nothing was saved" in page
    assert response.headers["X-Request-ID"] in page  # a reference to quote, as on a 500
    assert 'id="main"' in page  # the app's layout
    assert_security_headers(response)
    assert 1 <= waited < 8  # the one-second wait (twice at most), not the default ten
    assert any(response.headers["X-Request-ID"] in r.getMessage() for r in caplog.records)
    assert snapshot_difference(before, db_snapshot(db.engine)) == []
    # Once the other writer is done, the same save goes through.
    response = quick_client.post("/parties/new", data={"name": "Atlantis", "kind": "grouping"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 1


def test_a_refused_form_is_answered_without_waiting_for_the_write_lock(database_url, quick_client):
    """Reading, parsing and validating the form happen before the lock is asked for: while
    another writer holds it, a form that will not be saved is answered at once."""
    rows = {f"parties-{n}-party": "" for n in range(3000)}
    with write_lock_held_elsewhere(database_url):
        started = time.monotonic()
        response = quick_client.post("/agreements/new", data={"title": "", **rows})
        waited = time.monotonic() - started
    assert response.status_code == 200
    assert "Give the agreement a title." in response.get_data(as_text=True)
    assert waited < 5  # never waited for the lock (it would wait a second, then say 503)


def test_a_refused_save_draws_its_page_without_holding_the_write_lock(database_url, quick_app):
    client = quick_app.test_client()
    assert log_in(client, "clerk").status_code == 302
    free_while_drawing = []

    def drawing(_app, template, context):
        if template.name == "agreements/form.html":
            free_while_drawing.append(write_lock_is_free(database_url))

    with before_render_template.connected_to(drawing, quick_app):
        response = client.post("/agreements/new", data={"title": ""})
    assert response.status_code == 200
    assert free_while_drawing == [True]


def _action_item(app) -> int:
    with app.app_context():
        agreement = Agreement(
            title="T", category="logistics", status="proposed", status_on=date(2024, 1, 1)
        )
        item = ActionItem(agreement=agreement, description="Send the draft")
        db.session.add_all([agreement, item])
        db.session.commit()
        return item.id


@SQLITE_ONLY
def test_a_write_whose_reads_went_stale_runs_again_on_what_is_there_now(
    database_url, quick_app, quick_client, monkeypatch
):
    """Another worker presses "done" between this request's read and its write: SQLite
    refuses this request's write, and the request runs again, taking the lock first, and
    sees the item already done. (Any connection's commit counts on SQLite, the app's or not.)"""
    item_id = _action_item(quick_app)
    path = sa.make_url(database_url).database
    runs = []
    original = action_services.set_done

    def set_done_after_another_worker(action, done, today):
        runs.append(done)
        if len(runs) == 1:  # the other worker commits between this request's read and write
            with closing(sqlite3.connect(path, isolation_level=None)) as other:
                other.execute("UPDATE action_item SET done = 1 WHERE id = ?", (item_id,))
        return original(action, done, today)

    monkeypatch.setattr(action_services, "set_done", set_done_after_another_worker)
    response = quick_client.post(f"/actions/{item_id}/done", data={"done": "1"})
    assert response.status_code == 302
    assert runs == [True]  # the second run saw the item done and changed nothing
    page = quick_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed: the action item was already marked done." in page


def test_a_press_overtaken_by_another_workers_press_runs_again(quick_app, monkeypatch, caplog):
    """Another worker's request presses "done" on the same item and commits between this
    request's read and its first write. The database refuses this request's write (SQLite:
    its snapshot is no longer the latest; PostgreSQL: the write sequence moved on since its
    snapshot began), so the request runs again, taking the lock first, and finds the item
    done: one flip, not two, and no error."""
    item_id = _action_item(quick_app)
    url = f"/actions/{item_id}/done"
    this, other = quick_app.test_client(), quick_app.test_client()
    for client in (this, other):
        assert log_in(client, "clerk").status_code == 302
    runs, answers = [], []
    original = action_services.set_done

    def set_done_after_another_worker(action, done, today):
        runs.append(threading.current_thread().name)
        if len(runs) == 1:  # the other worker's whole request, between this one's read and write
            press = threading.Thread(
                target=lambda: answers.append(other.post(url, data={"done": "1"})),
                name="other worker",
            )
            press.start()
            press.join(30)
        return original(action, done, today)

    monkeypatch.setattr(action_services, "set_done", set_done_after_another_worker)
    with caplog.at_level(logging.DEBUG, logger="tracker.data"):
        response = this.post(url, data={"done": "1"})
    assert [answer.status_code for answer in answers] == [302]
    assert response.status_code == 302
    # This request's second run found the item done and changed nothing.
    assert runs == [threading.current_thread().name, "other worker"]
    assert any(f"POST {url} runs again" in record.getMessage() for record in caplog.records)
    page = this.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed: the action item was already marked done." in page
    with quick_app.app_context():
        records = db.session.scalars(
            sa.select(AuditRecord).where(
                AuditRecord.record_type == "action", AuditRecord.record_id == item_id
            )
        )
        flips = [
            c for r in records for c in r.changes if c["field"] == "done" and c["old"] is not None
        ]
        assert flips == [{"field": "done", "old": False, "new": True}]
        assert db.session.get(ActionItem, item_id).done


def _isolation() -> str:
    # A SELECT, so that asking does not count as a write.
    return db.session.scalar(sa.select(sa.func.current_setting("transaction_isolation")))


FIRST_WRITES = {
    "an ORM flush": lambda: (
        db.session.add(Party(name="First", kind="grouping")),
        db.session.flush(),
    ),
    # The login throttle's statements are Core ones (tracker/accounts/attempts.py).
    "a Core insert": lambda: db.session.execute(
        sa.insert(LoginAttempt).values(
            at=utcnow(),
            address="192.0.2.1",
            username="clerk",
            client="192.0.2.1",
            outcome=LoginOutcome.UNCHECKED,
        )
    ),
    # Text is taken for a write, whatever it says (the throttle's own advisory locks are
    # text: taken after the write lock, so every transaction takes the two in one order).
    "text": lambda: db.session.execute(sa.text("SELECT 1")),
    "a SELECT that locks rows": lambda: db.session.scalars(sa.select(User).with_for_update()).all(),
}


@POSTGRESQL_ONLY
@pytest.mark.parametrize("first_write", FIRST_WRITES)
def test_postgresql_writing_requests_read_on_one_snapshot_and_lock_at_their_first_write(
    database_url, app, first_write
):
    with app.test_request_context("/parties/new", method="POST"):
        seen = []

        def dispatch():
            seen.append((_isolation(), write_lock_is_free(database_url)))
            FIRST_WRITES[first_write]()
            seen.append((_isolation(), write_lock_is_free(database_url)))
            db.session.commit()
            # Having changed something, the request must never run again: lock first.
            seen.append((_isolation(), write_lock_is_free(database_url)))
            database.done_writing()  # a save refused after that: no lock at all
            seen.append((_isolation(), write_lock_is_free(database_url)))

        database.run_request(dispatch, again=lambda: None)
    assert seen == [
        ("repeatable read", True),  # reads on one snapshot, without the lock
        ("repeatable read", False),  # the first write took it
        ("read committed", False),  # taken at the transaction's start
        ("read committed", True),
    ]


@POSTGRESQL_ONLY
def test_every_writer_on_postgresql_raises_the_write_sequence(quick_app, quick_client):
    """What a deferred request's first write relies on: any writer that committed since its
    snapshot began raised the sequence. Requests that only read, or whose save is refused,
    leave it alone; code outside requests and the command line is a writer outside the app
    (see tracker/data/database.py)."""

    def sequence() -> int:
        n = db.session.scalar(sa.select(WriteSequence.n)) or 0  # the tests empty tables
        db.session.rollback()  # the next read sees later commits; writing() begins anew
        return n

    start = sequence()
    assert quick_client.get("/parties/").status_code == 200
    assert quick_client.post("/agreements/new", data={"title": ""}).status_code == 200
    assert sequence() == start
    assert (
        quick_client.post("/parties/new", data={"name": "Atlantis", "kind": "grouping"}).status_code
        == 302
    )
    assert sequence() == start + 1
    with database.writing():  # as the `tracker` command writes
        db.session.add(Party(name="Lemuria", kind="grouping"))
        db.session.commit()
    assert sequence() == start + 2
    db.session.add(Party(name="Mu", kind="grouping"))  # outside the app's rules
    db.session.commit()
    assert sequence() == start + 2


@POSTGRESQL_ONLY
def test_a_postgresql_save_on_a_snapshot_the_command_line_overtook_runs_again(
    database_url, quick_app, quick_client, monkeypatch
):
    """`tracker users deactivate clerk` runs in another process between this request's read
    (the clerk, logged in and active on its snapshot) and its write. The request writes no
    row the command wrote: only the write sequence, which the command raised, tells it that
    its snapshot went stale. It runs again, finds the clerk's sessions ended, and saves
    nothing."""
    item_id = _action_item(quick_app)
    runs, results = [], []
    original = action_services.set_done

    def command_line() -> None:
        # As `tracker` runs a command: in an app context, inside writing().
        with extra_app(database_url) as other, other.app_context(), database.writing():
            results.append(other.test_cli_runner().invoke(args=["users", "deactivate", "clerk"]))

    def set_done_after_the_command_line(action, done, today):
        runs.append(done)
        if len(runs) == 1:
            thread = threading.Thread(target=command_line)
            thread.start()
            thread.join(30)
        return original(action, done, today)

    monkeypatch.setattr(action_services, "set_done", set_done_after_the_command_line)
    response = quick_client.post(f"/actions/{item_id}/done", data={"done": "1"})
    assert [result.exit_code for result in results] == [0], results[0].output
    assert runs == [True]
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    db.session.rollback()
    assert not db.session.get(ActionItem, item_id).done


def test_a_request_whose_save_was_refused_cannot_write_afterwards(app):
    with app.test_request_context("/parties/new", method="POST"):

        def dispatch():
            database.done_writing()
            db.session.add(Party(name="Late", kind="grouping"))
            db.session.flush()

        with pytest.raises(RuntimeError, match="must not write"):
            database.run_request(dispatch, again=lambda: None)
        db.session.rollback()


@SQLITE_ONLY
def test_sqlite_writing_requests_ask_for_the_lock_at_their_first_write(app):
    with app.test_request_context("/parties/new", method="POST"):
        seen = []

        def dispatch():
            seen.append(database.begin_statement())
            db.session.add(Party(name="First", kind="grouping"))
            db.session.commit()
            # Having changed something, the request must never run again: lock first.
            seen.append(database.begin_statement())
            database.done_writing()  # a save refused after that: no lock at all
            seen.append(database.begin_statement())

        database.run_request(dispatch, again=lambda: None)
        assert seen == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN"]
        assert database.begin_statement() == "BEGIN IMMEDIATE"  # outside run_request
