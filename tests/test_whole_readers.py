"""Readers from whom nothing is hidden (every marking stored readable, no need-to-know
agreement leaving them off its list) query without the need-to-know criteria
(tracker/data/access.py, ``Access.whole_in``). That fact is read with the reader's access,
once a request, and holds only in the transaction that read it, where that transaction
reads one snapshot, until it writes: no change is missed, whether made before a request or
during it, by another transaction or by the request itself."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.conftest import BACKENDS, IsolatedClient
from tests.helpers import PASSWORD, extra_app, log_in
from tracker.data import access, markings
from tracker.extensions import db as _db
from tracker.models import (
    AccessEntry,
    AccessGroup,
    Agreement,
    Marking,
    MarkingValue,
    Role,
    User,
)

RESTRICTED, CONFIDENTIAL, SECRET = 1, 2, 3
TITLES = {"plain": "Plain walrus accord", "restricted": "Restricted heron pact"}
LEAKED = "Leaked okapi title"
CABINET = MarkingValue(level=0, caveats=frozenset({"CABINET"}))  # a caveat nobody holds


@dataclass
class World:
    plain: int
    restricted: int
    chief: int


@pytest.fixture
def world(db, make_party, make_agreement, make_user) -> World:
    """Two agreements, unclassified and restricted, and a viewer cleared above both."""
    parties = [make_party("India", "IND"), make_party("Japan", "JPN")]
    plain = make_agreement(title=TITLES["plain"], short_name="PLAIN", parties=parties)
    restricted = make_agreement(title=TITLES["restricted"], short_name="RESTR", parties=parties)
    restricted.marking_id = markings.id_for(db.session, MarkingValue(level=RESTRICTED))
    chief = make_user("chief", role=Role.VIEWER)
    chief.clearance = SECRET
    db.session.commit()
    return World(plain.id, restricted.id, chief.id)


@pytest.fixture
def chief(app, world):
    """A client of its own (each request in a fresh context), logged in as the chief."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    assert log_in(client, "chief", PASSWORD).status_code == 302
    return client


def _seen(client, world: World) -> set[str]:
    """What the client's user sees of the two agreements, by the list and their pages (which
    must agree)."""
    listing = client.get("/agreements/?sort=title").get_data(as_text=True)
    seen = set()
    for name in TITLES:
        status = client.get(f"/agreements/{getattr(world, name)}").status_code
        assert status in (200, 404), name
        assert (TITLES[name] in listing) == (status == 200), name
        if status == 200:
            seen.add(name)
    return seen


def _criteria_in_list(db, client) -> bool:
    """Whether the list's statement of agreements carries the need-to-know criteria."""
    statements = []

    def note(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get("/agreements/?sort=title").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    (listed,) = [s for s in statements if "ORDER BY agreement.title" in s]
    return "need_to_know" in listed


def _snapshots(db) -> bool:
    """Whether a page's transactions read one snapshot here (SQLite), so that the criteria
    are left out for a reader who sees everything; PostgreSQL pages read at READ COMMITTED."""
    return db.engine.dialect.name == "sqlite"


def test_a_reader_who_sees_everything_is_served_without_the_criteria(db, world, chief):
    assert _seen(chief, world) == {"plain", "restricted"}
    assert _criteria_in_list(db, chief) is not _snapshots(db)


def _raise_plain(db, world: World) -> None:
    db.session.get(Agreement, world.plain).marking_id = markings.id_for(db.session, CABINET)


def _need_to_know(db, world: World, *, listing: str | None = None) -> None:
    restricted = db.session.get(Agreement, world.restricted)
    restricted.need_to_know = True
    if listing == "user":
        db.session.add(AccessEntry(agreement_id=restricted.id, user_id=world.chief))
    elif listing == "group":
        group = AccessGroup(name="Heron desk", members=[db.session.get(User, world.chief)])
        db.session.add(group)
        db.session.flush()
        db.session.add(AccessEntry(agreement_id=restricted.id, group_id=group.id))


def _lower_clearance(db, world: World) -> None:
    db.session.get(User, world.chief).clearance = 0


def _store_unused_marking(db, world: World) -> None:
    markings.id_for(db.session, CABINET)


def _take_off_list(db, world: World) -> None:
    db.session.execute(sa.delete(AccessEntry).where(AccessEntry.user_id == world.chief))


# (what is true before, the change, what the reader sees after it, whether they still
# see everything)
CHANGES = {
    "a record marked above them": (None, _raise_plain, {"restricted"}, False),
    "a need-to-know agreement without them": (
        None,
        lambda db, world: _need_to_know(db, world),
        {"plain"},
        False,
    ),
    "a need-to-know agreement listing them": (
        None,
        lambda db, world: _need_to_know(db, world, listing="user"),
        {"plain", "restricted"},
        True,
    ),
    "a need-to-know agreement listing their group": (
        None,
        lambda db, world: _need_to_know(db, world, listing="group"),
        {"plain", "restricted"},
        True,
    ),
    "their clearance lowered": (None, _lower_clearance, {"plain"}, False),
    "a marking stored above them, on nothing yet": (
        None,
        _store_unused_marking,
        {"plain", "restricted"},
        False,
    ),
    "taken off a need-to-know agreement's list": (
        lambda db, world: _need_to_know(db, world, listing="user"),
        _take_off_list,
        {"plain"},
        False,
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_what_the_reader_sees_follows_every_change_from_their_next_request(
    db, world, chief, change
):
    before, make, seen_after, whole_after = CHANGES[change]
    if before is not None:
        before(db, world)
        db.session.commit()
    assert _seen(chief, world) == {"plain", "restricted"}
    assert _criteria_in_list(db, chief) is not _snapshots(db)

    make(db, world)
    db.session.commit()
    assert _seen(chief, world) == seen_after
    # Left out only for a reader who still sees everything (and only on a snapshot).
    assert _criteria_in_list(db, chief) is not (whole_after and _snapshots(db))


def _elsewhere(database_url: str, work) -> None:
    """``work(session)`` committed by another app, as another process would, in a context
    of its own (no request: it sees and writes everything, as the command line does)."""

    def run() -> None:
        with extra_app(database_url) as other, other.app_context():
            work(_db.session)
            _db.session.commit()

    contextvars.Context().run(run)


def _mark_plain_above_and_rename(world: World):
    def work(session) -> None:
        plain = session.get(Agreement, world.plain)
        plain.marking_id = markings.id_for(session, CABINET)
        plain.title = LEAKED

    return work


def _put_plain_on_need_to_know_and_rename(world: World):
    def work(session) -> None:
        plain = session.get(Agreement, world.plain)
        plain.need_to_know = True
        plain.title = LEAKED

    return work


@pytest.mark.parametrize(
    "change", [_mark_plain_above_and_rename, _put_plain_on_need_to_know_and_rename]
)
def test_a_change_committed_during_a_request_never_shows_what_it_hides(
    app, db, database_url, world, change
):
    chief = db.session.get(User, world.chief)
    db.session.commit()  # the request below begins its own transaction
    with app.test_request_context("/agreements/"):
        access.use(db.session, access.for_user(db.session, chief))
        reader = access.current(db.session)
        assert access.sees_all(db.session, reader) is _snapshots(db)
        assert set(db.session.scalars(sa.select(Agreement.title))) == set(TITLES.values())

        _elsewhere(database_url, change(world))

        # The same transaction reads on: on one snapshot the agreement as it was (nothing
        # was hidden then); at READ COMMITTED the criteria hide it as it is now. Never the
        # new title at a marking or on a list that hides it.
        titles = set(db.session.scalars(sa.select(Agreement.title)))
        assert LEAKED not in titles
        assert titles in ({TITLES["restricted"]}, set(TITLES.values()))
        # Its next transaction sees the change: the criteria apply again.
        db.session.commit()
        assert not access.sees_all(db.session, access.current(db.session))
        assert set(db.session.scalars(sa.select(Agreement.title))) == {TITLES["restricted"]}
    db.session.rollback()


# On PostgreSQL the tables' policies refuse an UPDATE that takes a row out of its writer's
# sight (its new row must pass the reading policy), and a writing transaction that takes
# the lock first reads at READ COMMITTED, where the criteria always apply.
@pytest.mark.parametrize("database_url", BACKENDS[:1], indirect=True)
def test_what_the_request_itself_writes_holds_from_its_next_statement(app, db, world):
    chief = db.session.get(User, world.chief)
    db.session.commit()
    with app.test_request_context("/agreements/", method="POST"):
        access.use(db.session, access.for_user(db.session, chief))
        assert access.sees_all(db.session, access.current(db.session))
        assert set(db.session.scalars(sa.select(Agreement.id))) == {world.plain, world.restricted}
        # Put on need-to-know without the reader on its list, by a flush ...
        db.session.get(Agreement, world.plain).need_to_know = True
        db.session.flush()
        assert not access.sees_all(db.session, access.current(db.session))
        assert set(db.session.scalars(sa.select(Agreement.id))) == {world.restricted}
    db.session.rollback()
    with app.test_request_context("/agreements/", method="POST"):
        access.use(db.session, access.for_user(db.session, chief))
        # ... or by an UPDATE statement.
        db.session.execute(
            sa.update(Agreement).where(Agreement.id == world.restricted).values(need_to_know=True)
        )
        assert set(db.session.scalars(sa.select(Agreement.id))) == {world.plain}
    db.session.rollback()


def test_a_marking_the_reader_may_not_read_stored_by_their_request(app, db, world):
    chief = db.session.get(User, world.chief)
    db.session.commit()
    with app.test_request_context("/agreements/", method="POST"):
        access.use(db.session, access.for_user(db.session, chief))
        markings.id_for(db.session, CABINET)
        # Not everything stored is theirs to read any more: the criteria apply again.
        assert not access.sees_all(db.session, access.current(db.session))
        assert set(db.session.scalars(sa.select(Agreement.id))) == {world.plain, world.restricted}
    db.session.rollback()


def _store_marking(session, marking_id: int, value: MarkingValue) -> None:
    session.execute(
        sa.insert(Marking.__table__).values(
            id=marking_id, key=value.key, level=value.level, caveats=",".join(value.caveats)
        )
    )


@pytest.mark.parametrize("readable", [False, True])
def test_a_marking_committed_after_a_newer_one_is_not_missed(
    db, database_url, world, chief, readable
):
    """PostgreSQL's sequence can give a marking an id below one committed before it: the
    markings kept in the process are read again when their number changes, not only when
    the newest does. (Stored by another app, as by another process: this app's own writes
    read the markings again as they mark the audit trail.)"""
    assert _seen(chief, world) == {"plain", "restricted"}
    newest = db.session.scalar(sa.select(sa.func.max(Marking.id)))
    db.session.commit()
    _elsewhere(
        database_url, lambda session: _store_marking(session, newest + 2, MarkingValue(SECRET))
    )
    assert _seen(chief, world) == {"plain", "restricted"}  # the newest is read
    assert not _criteria_in_list(db, chief) or not _snapshots(db)  # still sees everything

    late = MarkingValue(level=CONFIDENTIAL) if readable else CABINET

    def store_late(session) -> None:
        _store_marking(session, newest + 1, late)
        session.get(Agreement, world.plain).marking_id = newest + 1

    _elsewhere(database_url, store_late)
    assert _seen(chief, world) == ({"plain", "restricted"} if readable else {"restricted"})


@pytest.mark.parametrize(
    "statement",
    [
        sa.select(Agreement.id),
        sa.select(User.id).where(User.id.in_(sa.select(Agreement.lead_id))),
        sa.select(sa.orm.aliased(Agreement).title),
        sa.select(sa.table("agreement", sa.column("title"))),
        sa.select(User.id).where(sa.text("id IN (SELECT lead_id FROM agreement)")),
        sa.select(sa.literal_column("(SELECT title FROM agreement)")),
        sa.select(sa.func.some_function_of_the_database()),
    ],
    ids=["table", "subquery", "alias", "lightweight table", "text", "literal", "function"],
)
def test_reads_past_the_rule_are_refused_for_what_it_covers(app, db, world, statement):
    with app.test_request_context("/"), pytest.raises(ValueError, match="need-to-know"):
        access.read_unruled(db.session, statement)


def test_reads_past_the_rule_serve_what_it_does_not_cover(app, db, world):
    names = sa.select(User.username).where(User.active.is_(True)).order_by(User.username)
    with app.test_request_context("/"):
        access.use(db.session, access.NOTHING)  # a reader who sees no marked record
        assert list(access.read_unruled(db.session, names).scalars()) == ["chief"]
