"""Who may see what, enforced in one place: every ORM query a session runs is narrowed to the
records its reader may see.

The rule (README, "Need-to-know"): a user sees a record when their clearance is at least its
level, their party is in its ``REL TO`` (when set), they hold each of its caveats, and, when
its agreement is need-to-know, they are on that agreement's access list (themselves or
through a group) or lead it. A record under an agreement (status changes, points, their
positions and each position's history, action items, outcomes) is seen only with its
agreement; an outcome also only with its meeting. Being an admin grants nothing here.

A request's reader is an :class:`Access`: the markings they may read (a question about the
few markings in use, answered once per request in Python) and the need-to-know agreements
whose lists hold them. It is kept on the session (``session.info``); the ``do_orm_execute``
hook adds SQLAlchemy's ``with_loader_criteria`` for every marked entity to every SELECT,
which reaches joins, subqueries, EXISTS, counts and relationship loads alike, so a new
query is filtered without anyone remembering. A session with no reader set outside a
request (the command line, migrations, scripts) sees everything; inside a request, nothing
until the request's user is known. The criteria are made once per reader's access, not for
every statement.

A reader from whom nothing is hidden (they may read every marking stored, and no
need-to-know agreement leaves them off its list) queries without the criteria, which would
keep every row: the same answers, without their cost on every statement. That is known
only for one state of the data, so it holds only in the transaction that found it, and
only where that transaction reads one snapshot (SQLite's transactions; PostgreSQL's at
REPEATABLE READ, not a page's READ COMMITTED), until the session writes: a marking stored
or an agreement put on need-to-know by another transaction, or by this one, since is then
not seen, or not yet, and the criteria apply again (see :attr:`Access.whole_in`).

Records that a reader may not see do not exist for them: pages answer 404, lists and counts
leave them out. What was loaded is noted per session (:func:`shown`), so pages and files
can carry the highest marking of what they show, and the access log can record reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, cached_property

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session, with_loader_criteria

from tracker.data import database, markings
from tracker.models import (
    AccessEntry,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Alternative,
    AlternativeStance,
    AuditRecord,
    ChangeCounter,
    InternalNote,
    Marked,
    Marking,
    MarkingValue,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    PartyPosition,
    PositionChange,
    Proposal,
    Provision,
    ProvisionRevision,
    Revision,
    Segment,
    StatusChange,
    TextNote,
    User,
    group_member,
)
from tracker.models.clock import today

KEY = "tracker.access"
SHOWN = "tracker.access.shown"


@dataclass(frozen=True)
class Access:
    """What one reader may see."""

    # The markings they may read; None: every record (the command line).
    markings: frozenset[int] | None
    # The need-to-know agreements whose access list holds them, or that they lead.
    agreements: frozenset[int] = frozenset()
    user_id: int | None = None
    # Who they are, for a marking first stored during their request (see _new_marking).
    clearance: int = 0
    party_id: int | None = None
    caveats: frozenset[str] = frozenset()
    # The session transaction in which nothing was found hidden from them (every marking
    # stored readable, no need-to-know agreement leaving them off its list), when it reads
    # one snapshot; None otherwise. Not part of what they may see: not compared.
    whole_in: object | None = field(default=None, compare=False, repr=False)

    @property
    def everything(self) -> bool:
        return self.markings is None

    @cached_property
    def key(self) -> tuple:
        """Readers with equal keys see the same records: what caches of counts key on."""
        if self.markings is None:
            return ("everything",)
        return (tuple(sorted(self.markings)), tuple(sorted(self.agreements)))


EVERYTHING = Access(None)
NOTHING = Access(frozenset())


# What each row of the reader's query (for_user) tells, in its first column.
_LISTED, _NEWEST, _STORED, _HIDDEN, _COUNTED = 0, 1, 2, 3, 4

# Told the change counter (tracker/models/change_counter.py) as the reader's query read it,
# in the request's transaction: data/cache.py keeps it as the reading request's one reading
# rather than asking the database again.
ON_COUNTED: list[Callable[[int | None], None]] = []


@cache
def _reader_query() -> sa.CompoundSelect:
    """What for_user reads, for the user bound as ``user_id``: built once per process."""
    return _reader_rows(sa.bindparam("user_id", type_=sa.Integer))


def _reader_rows(user_id: sa.ColumnElement[int]) -> sa.CompoundSelect:
    """What a reader's access is worked out from, for the user ``user_id``: (kind, value)
    rows, a listed agreement each and one of each other kind."""
    groups = sa.select(group_member.c.group_id).where(group_member.c.user_id == user_id)
    on_list = sa.or_(AccessEntry.user_id == user_id, AccessEntry.group_id.in_(groups))
    # An agreement's lead always counts as on its list, so a lead cannot lock themself out.
    # (Every agreement they lead, so that one they put on need-to-know stays theirs to see,
    # and on PostgreSQL to write, in the same request.)
    led = sa.select(sa.literal_column(str(_LISTED)), Agreement.id).where(
        Agreement.lead_id == user_id
    )
    # The first part names the columns of all.
    listed = sa.select(
        sa.literal_column(str(_LISTED)).label("kind"), AccessEntry.agreement_id.label("value")
    ).where(on_list)
    # The newest marking's id and how many are stored, so that the markings kept in this
    # process are read again only when another has stored one.
    newest = sa.select(
        sa.literal_column(str(_NEWEST)), sa.func.coalesce(sa.func.max(Marking.id), 0)
    )
    stored = sa.select(sa.literal_column(str(_STORED)), sa.func.count(Marking.id))
    # A need-to-know agreement that leaves them off its list, if any (the partial index of
    # need-to-know agreements finds it without reading the others).
    off_list = (
        sa.select(Agreement.id)
        .where(
            Agreement.need_to_know == sa.true(),
            sa.or_(Agreement.lead_id.is_(None), Agreement.lead_id != user_id),
            ~sa.exists().where(AccessEntry.agreement_id == Agreement.id, on_list),
        )
        .limit(1)
        .scalar_subquery()
    )
    hidden = sa.select(sa.literal_column(str(_HIDDEN)), off_list)
    counted = sa.select(
        sa.literal_column(str(_COUNTED)),
        sa.select(ChangeCounter.n).where(ChangeCounter.id == 1).scalar_subquery(),
    )
    return sa.union_all(listed, led, newest, stored, hidden, counted)


# The rows of the reader's query read with its user (:func:`with_reader`), for for_user in
# the same transaction: (user id, transaction, rows).
_READ_WITH_USER = "tracker.access.read_with_user"


def with_reader(stmt: sa.Select, user_id: sa.ColumnElement[int]) -> sa.Select:
    """``stmt`` (a SELECT of a user, or of a record with its user) with the rows of that
    user's reader's query (``user_id``: the user's id in it) as two more columns, ``kind``
    and ``value``: the user and what their access is worked out from in one statement. Run
    it with :func:`reading_with_user`, which keeps those rows for :func:`for_user`."""
    reader = _reader_rows(user_id).subquery("reader")
    return stmt.add_columns(reader.c.kind, reader.c.value).join(reader, sa.true())


def reading_with_user(
    session: Session, stmt: sa.Select, params: dict, user_of=lambda entity: entity
) -> object | None:
    """The first entity of what ``stmt`` (made by :func:`with_reader`) selects, or None;
    the rows of its user's reader's query kept for :func:`for_user` in this transaction.
    Run as the rule's own reads are (:func:`reading_whole`), without the ORM's criteria:
    the need-to-know rule cannot narrow the reads it is worked out from."""
    with reading_whole(session):
        rows = session.execute(stmt.execution_options(tracker_access=False), params).all()
    if not rows:
        return None
    user = user_of(rows[0][0])
    if user is not None:
        session.info[_READ_WITH_USER] = (
            user.id,
            _transaction(session),
            [(row.kind, row.value) for row in rows],
        )
    return rows[0][0]


def for_user(session: Session, user: User | None, *, day: date | None = None) -> Access:
    """``user``'s access, read now in one query (or read with the user in this transaction:
    :func:`with_reader`): nothing for no user or an inactive one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return NOTHING
    day = day or today()
    agreements: set[int] = set()
    found: dict[int, int | None] = {}
    kept = session.info.pop(_READ_WITH_USER, None)
    if kept is not None and kept[0] == user.id and kept[1] is _transaction(session):
        rows = kept[2]
    else:
        with reading_whole(session):
            # On the session's connection, in its transaction, without the ORM's work: its
            # tables and columns are the rule's own.
            rows = session.connection().execute(_reader_query(), {"user_id": user.id}).all()
    for kind, value in rows:
        if kind == _LISTED:
            agreements.add(value)
        else:
            found[kind] = value
    for hook in ON_COUNTED:
        hook(found[_COUNTED])
    held = user.caveat_set
    stored_markings = markings.known(session, top=found[_NEWEST], count=found[_STORED])
    readable = frozenset(
        marking_id
        for marking_id, value in stored_markings.items()
        if value.readable_by(
            clearance=user.clearance, party_id=user.party_id, caveats=held, day=day
        )
    )
    whole = found[_HIDDEN] is None and len(readable) == len(stored_markings)
    return Access(
        readable,
        frozenset(agreements),
        user.id,
        user.clearance,
        user.party_id,
        held,
        whole_in=_snapshot(session) if whole else None,
    )


def _transaction(session: Session | scoped_session) -> object | None:
    """The session's root transaction, if one has begun."""
    if isinstance(session, scoped_session):
        session = session()
    return session.get_transaction()


def _snapshot(session: Session) -> object | None:
    """The session's transaction, if what it has read holds for the rest of it."""
    transaction = _transaction(session)
    if transaction is None or not database.holds_snapshot(session.connection()):
        return None
    return transaction


def current(session: Session) -> Access:
    """The reader ``session`` queries for (see the module's description)."""
    found = session.info.get(KEY)
    if found is not None:
        return found
    if has_request_context():
        # The request's reader outlives its first session (a streamed download reads on).
        return g.get(KEY, NOTHING)
    return EVERYTHING


def use(session: Session, access: Access) -> None:
    """Query for ``access`` from now on in ``session`` (and the rest of the request).

    Marked records the session holds from reading for someone else are forgotten, so that
    ``session.get`` cannot hand them out from its identity map.
    """
    if session.info.get(KEY, current(session)) != access:
        for record in list(session.identity_map.values()):
            if isinstance(record, Marked) and record not in session.dirty:
                session.expunge(record)
    session.info[KEY] = access
    if has_request_context():
        setattr(g, KEY, access)


def _new_marking(session: Session, marking_id: int, value: MarkingValue) -> None:
    """A marking stored during a request is readable at once by a reader it allows (their
    record at it is theirs to see and, on PostgreSQL, to write)."""
    access = current(session)
    if access.everything or access.user_id is None:
        return
    # A marking new to the reader's snapshot: the criteria apply again (see whole_in).
    if value.readable_by(
        clearance=access.clearance, party_id=access.party_id, caveats=access.caveats, day=today()
    ):
        _replace(session, replace(access, markings=access.markings | {marking_id}, whole_in=None))
    else:
        _replace(session, replace(access, whole_in=None))


markings.ON_NEW.append(_new_marking)


def _replace(session: Session, access: Access) -> None:
    """``access``, changed from the session's reader in this request, in its place."""
    session.info[KEY] = access
    if has_request_context():
        setattr(g, KEY, access)


def sees_all(session: Session, access: Access) -> bool:
    """Whether ``access`` sees every record ``session`` can read now (see whole_in)."""
    return access.whole_in is not None and access.whole_in is _transaction(session)


def _wrote(session: Session) -> None:
    """The session has changed something: whatever it found hidden from nobody may not hold
    any more (an agreement put on need-to-know), so the criteria apply again."""
    access = session.info.get(KEY)
    if access is not None and access.whole_in is not None:
        _replace(session, replace(access, whole_in=None))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    _wrote(session)


def listed_now(session: Session, agreement_id: int) -> None:
    """The reader was put on ``agreement_id``'s access list in this request: they see it
    from now on (and, on PostgreSQL, may write it), not only from their next request."""
    access = current(session)
    if access.everything or agreement_id in access.agreements:
        return
    _replace(session, replace(access, agreements=access.agreements | {agreement_id}))


@contextmanager
def reading_whole(session: Session) -> Iterator[None]:
    """Within this block ``session`` reads everything, as the command line does, the
    database's row-level security included (tracker/data/row_security.py): for the rule's
    own reads, such as which access lists hold a user, made before their access is known."""
    before = session.info.get(KEY)
    session.info[KEY] = EVERYTHING
    try:
        yield
    finally:
        if before is None:
            session.info.pop(KEY, None)
        else:
            session.info[KEY] = before


# -- The rule as SQL ---------------------------------------------------------------------
# Functions of the readable markings and the listed agreements as SQL elements, so that the
# criteria can be lambdas over them: SQLAlchemy then applies them to aliases too (an outer
# join to an aliased meeting) and caches the SQL once for each set of readable markings.
#
# The markings are written into the SQL as a list of numbers (a few sets, one per
# clearance, party and caveats in use): as parameters, each of the criteria's dozens of
# places in a large statement costs again on every run, expanding its list and matching it
# to its copies. The listed agreements, which differ from reader to reader, stay a
# parameter, and drop out for a reader on no list (most).


def id_list(ids: Iterable[int]) -> sa.ColumnElement:
    """``(1, 2, 3)``: numbers as a SQL list, to test a column against with :func:`among`;
    ``(NULL)``, which holds nothing, for none."""
    return sa.literal_column("(" + (", ".join(str(int(i)) for i in sorted(ids)) or "NULL") + ")")


def among(column, listed: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """Whether ``column`` is one of the numbers of ``listed`` (an :func:`id_list`)."""
    return column.op("IN", is_comparison=True)(listed)


def agreement_rule(columns, markings, listed) -> sa.ColumnElement[bool]:
    """Whether the agreement row with these ``columns`` (a table, alias or entity) is seen:
    ``markings`` an :func:`id_list`, ``listed`` a tuple of ids (a parameter) or None."""
    if listed is None:
        return sa.and_(among(columns.marking_id, markings), columns.need_to_know == sa.false())
    return sa.and_(
        among(columns.marking_id, markings),
        sa.or_(columns.need_to_know == sa.false(), columns.id.in_(listed)),
    )


def agreement_seen(agreement_id, markings, listed) -> sa.ColumnElement[bool]:
    """Whether the agreement ``agreement_id`` (a column) refers to is seen: for raw SQL and
    for the records under an agreement."""
    table = Agreement.__table__.alias()
    return sa.exists().where(table.c.id == agreement_id, agreement_rule(table.c, markings, listed))


def meeting_seen(meeting_id, markings) -> sa.ColumnElement[bool]:
    table = Meeting.__table__.alias()
    return sa.exists().where(table.c.id == meeting_id, among(table.c.marking_id, markings))


def _point_seen(point_id, markings, listed) -> sa.ColumnElement[bool]:
    table = NegotiationPoint.__table__.alias()
    return sa.exists().where(
        table.c.id == point_id,
        among(table.c.marking_id, markings),
        agreement_seen(table.c.agreement_id, markings, listed),
    )


def _under_agreement(cls, markings, listed) -> sa.ColumnElement[bool]:
    return sa.and_(
        among(cls.marking_id, markings), agreement_seen(cls.agreement_id, markings, listed)
    )


def _text_seen(text_id, markings, listed) -> sa.ColumnElement[bool]:
    table = NegotiatingText.__table__.alias()
    return sa.exists().where(
        table.c.id == text_id,
        among(table.c.marking_id, markings),
        agreement_seen(table.c.agreement_id, markings, listed),
    )


def _revision_seen(revision_id, markings, listed) -> sa.ColumnElement[bool]:
    table = Revision.__table__.alias()
    return sa.exists().where(
        table.c.id == revision_id,
        among(table.c.marking_id, markings),
        _text_seen(table.c.text_id, markings, listed),
    )


def _alternative_seen(alternative_id, markings, listed) -> sa.ColumnElement[bool]:
    table = Alternative.__table__.alias()
    return sa.exists().where(
        table.c.id == alternative_id,
        among(table.c.marking_id, markings),
        _revision_seen(table.c.revision_id, markings, listed),
    )


def ids(access: Access) -> tuple[sa.ColumnElement, tuple | None]:
    """(readable markings, listed agreements) as the rule's functions take them."""
    listed = tuple(sorted(access.agreements)) or None
    return id_list(access.markings or ()), listed


def agreements_first(session: Session) -> sa.ColumnElement[bool]:
    """The rule for agreements, to put first in a list's conditions. The criteria add it to
    every query anyway; stated first, it is tested before costlier conditions (a search's)
    on each row a list walks, which matters for a reader who sees few of them."""
    access = current(session)
    if access.everything or sees_all(session, access):
        return sa.true()
    return _made(access).first


@dataclass(frozen=True)
class _Made:
    """The rule's SQL for one reader's access, made once and reused by every statement."""

    criteria: tuple
    first: sa.ColumnElement[bool]


# The rule's SQL by access key, for the readers seen lately: built once, not for each of a
# request's statements. Plain values of the key, no session or request in them.
_MADE: dict[tuple, _Made] = {}
_MADE_KEPT = 256


def _made(access: Access) -> _Made:
    key = access.key
    found = _MADE.get(key)
    if found is None:
        if len(_MADE) >= _MADE_KEPT:
            _MADE.clear()
        found = _MADE[key] = _Made(
            tuple(_criteria(access)), agreement_rule(Agreement, *ids(access))
        )
    return found


def _criteria(access: Access) -> list:
    m, n = ids(access)
    # Lambdas of their own for a reader on no list: SQLAlchemy keeps the SQL of a lambda by
    # its code, so one whose shape depends on a value must not share the code of another.
    rules = _rules(m, n) if n is not None else _rules_of_no_list(m)
    return [
        with_loader_criteria(entity, rule, include_aliases=True) for entity, rule in rules.items()
    ]


def _rules(m, n) -> dict:
    return {
        Agreement: lambda cls: agreement_rule(cls, m, n),
        Meeting: lambda cls: among(cls.marking_id, m),
        StatusChange: lambda cls: _under_agreement(cls, m, n),
        NegotiationPoint: lambda cls: _under_agreement(cls, m, n),
        ActionItem: lambda cls: _under_agreement(cls, m, n),
        AgendaItem: lambda cls: sa.and_(
            _under_agreement(cls, m, n), meeting_seen(cls.meeting_id, m)
        ),
        PartyPosition: lambda cls: sa.and_(
            among(cls.marking_id, m), _point_seen(cls.point_id, m, n)
        ),
        PositionChange: lambda cls: sa.and_(
            among(cls.marking_id, m), _point_seen(cls.point_id, m, n)
        ),
        AgreementParty: lambda cls: agreement_seen(cls.agreement_id, m, n),
        # Negotiating texts: revisions, alternatives and notes are marked; a text's structure
        # is seen with its revision (tracker/models/text.py).
        NegotiatingText: lambda cls: _under_agreement(cls, m, n),
        Revision: lambda cls: sa.and_(among(cls.marking_id, m), _text_seen(cls.text_id, m, n)),
        Provision: lambda cls: _text_seen(cls.text_id, m, n),
        Proposal: lambda cls: agreement_seen(cls.agreement_id, m, n),
        ProvisionRevision: lambda cls: _revision_seen(cls.revision_id, m, n),
        Segment: lambda cls: _revision_seen(cls.revision_id, m, n),
        Alternative: lambda cls: sa.and_(
            among(cls.marking_id, m), _revision_seen(cls.revision_id, m, n)
        ),
        AlternativeStance: lambda cls: _alternative_seen(cls.alternative_id, m, n),
        TextNote: lambda cls: sa.and_(
            among(cls.marking_id, m),
            _revision_seen(cls.revision_id, m, n),
            sa.or_(cls.alternative_id.is_(None), _alternative_seen(cls.alternative_id, m, n)),
        ),
        InternalNote: lambda cls: sa.and_(among(cls.marking_id, m), _text_seen(cls.text_id, m, n)),
        AccessEntry: lambda cls: agreement_seen(cls.agreement_id, m, n),
        AuditRecord: lambda cls: sa.and_(
            among(cls.marking_id, m),
            sa.or_(cls.agreement_id.is_(None), agreement_seen(cls.agreement_id, m, n)),
        ),
    }


def _rules_of_no_list(m) -> dict:
    return {
        Agreement: lambda cls: agreement_rule(cls, m, None),
        Meeting: lambda cls: among(cls.marking_id, m),
        StatusChange: lambda cls: _under_agreement(cls, m, None),
        NegotiationPoint: lambda cls: _under_agreement(cls, m, None),
        ActionItem: lambda cls: _under_agreement(cls, m, None),
        AgendaItem: lambda cls: sa.and_(
            _under_agreement(cls, m, None), meeting_seen(cls.meeting_id, m)
        ),
        PartyPosition: lambda cls: sa.and_(
            among(cls.marking_id, m), _point_seen(cls.point_id, m, None)
        ),
        PositionChange: lambda cls: sa.and_(
            among(cls.marking_id, m), _point_seen(cls.point_id, m, None)
        ),
        AgreementParty: lambda cls: agreement_seen(cls.agreement_id, m, None),
        # Negotiating texts: revisions, alternatives and notes are marked; a text's structure
        # is seen with its revision (tracker/models/text.py).
        NegotiatingText: lambda cls: _under_agreement(cls, m, None),
        Revision: lambda cls: sa.and_(among(cls.marking_id, m), _text_seen(cls.text_id, m, None)),
        Provision: lambda cls: _text_seen(cls.text_id, m, None),
        Proposal: lambda cls: agreement_seen(cls.agreement_id, m, None),
        ProvisionRevision: lambda cls: _revision_seen(cls.revision_id, m, None),
        Segment: lambda cls: _revision_seen(cls.revision_id, m, None),
        Alternative: lambda cls: sa.and_(
            among(cls.marking_id, m), _revision_seen(cls.revision_id, m, None)
        ),
        AlternativeStance: lambda cls: _alternative_seen(cls.alternative_id, m, None),
        TextNote: lambda cls: sa.and_(
            among(cls.marking_id, m),
            _revision_seen(cls.revision_id, m, None),
            sa.or_(cls.alternative_id.is_(None), _alternative_seen(cls.alternative_id, m, None)),
        ),
        InternalNote: lambda cls: sa.and_(
            among(cls.marking_id, m), _text_seen(cls.text_id, m, None)
        ),
        AccessEntry: lambda cls: agreement_seen(cls.agreement_id, m, None),
        AuditRecord: lambda cls: sa.and_(
            among(cls.marking_id, m),
            sa.or_(cls.agreement_id.is_(None), agreement_seen(cls.agreement_id, m, None)),
        ),
    }


@event.listens_for(Session, "do_orm_execute")
def _narrow(state: ORMExecuteState):
    if not state.is_select:
        _wrote(state.session)  # an ORM UPDATE or DELETE (an INSERT flushes)
        return None
    if (
        state.is_column_load
        or state.is_relationship_load  # the query that loaded the parent passes its criteria on
        or state.execution_options.get("tracker_access") is False
    ):
        return None
    access = current(state.session)
    if not (access.everything or sees_all(state.session, access)):
        state.statement = _with_criteria(state, access)
    return _noting_markings(state)


# A statement built once and run again and again (``execution_options(**KEPT_STATEMENT)``):
# narrowed once for each reader's access and kept, so that the statement SQLAlchemy runs
# is the same object each time and its cache key, kept on it, is not worked out again.
KEPT_STATEMENT = {"tracker_kept": True}
_NARROWED: dict[tuple[int, tuple], tuple[sa.Executable, sa.Executable]] = {}


def _with_criteria(state: ORMExecuteState, access: Access) -> sa.Executable:
    statement = state.statement
    if not state.execution_options.get("tracker_kept"):
        return statement.options(*_made(access).criteria)
    key = (id(statement), access.key)
    found = _NARROWED.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    if len(_NARROWED) >= _MADE_KEPT:
        _NARROWED.clear()
    narrowed = statement.options(*_made(access).criteria)
    # The statement itself kept alongside, so that its id names no other while kept.
    _NARROWED[key] = (statement, narrowed)
    return narrowed


# -- Reads of tables the rule does not cover ----------------------------------------------

# The tables of marked records and of what is seen only with them (the criteria's entities).
_RULED_TABLES = frozenset(entity.__tablename__ for entity in _rules_of_no_list(id_list(())))
# Statements found to read none of them, by id (the statement kept alongside).
_UNRULED: dict[int, sa.Select] = {}


def read_unruled(session: Session, statement: sa.Select) -> sa.Result:
    """Run ``statement``, a SELECT built once and run again that reads no table the rule
    covers (users, parties): on the session's connection, in its transaction, without the
    ORM's work for a rule that has nothing to narrow. Refused (ValueError), the first time
    it is run, if it reads a covered table anywhere or holds SQL text that could."""
    if _UNRULED.get(id(statement)) is not statement:
        if not isinstance(statement, sa.Select) or _reads_ruled(statement):
            raise ValueError("This statement may read records the need-to-know rule covers.")
        if len(_UNRULED) >= _MADE_KEPT:
            _UNRULED.clear()
        _UNRULED[id(statement)] = statement
    return session.connection().execute(statement)


def _reads_ruled(statement: sa.Select) -> bool:
    """Whether ``statement`` reads a covered table, or may: SQL text, a literal column, a
    function of the database's own (SQLAlchemy's generic ones, such as count, read none)."""
    for element in sa.sql.visitors.iterate(statement):
        if isinstance(element, sa.TextClause | sa.TextualSelect):
            return True
        if isinstance(element, sa.ColumnClause) and element.is_literal:
            return True
        if isinstance(element, sa.sql.functions.Function) and not isinstance(
            element, sa.sql.functions.GenericFunction
        ):
            return True
        if isinstance(element, sa.TableClause) and element.name in _RULED_TABLES:
            return True
    return False


# -- What a request loaded ---------------------------------------------------------------

AGGREGATES = frozenset(
    {"count", "max", "min", "sum", "avg", "group_concat", "string_agg", "aggregate_strings"}
)


def _has_aggregate(expression) -> bool:
    """Whether ``expression`` aggregates rows (not looking inside subqueries)."""
    stack = [expression]
    while stack:
        element = stack.pop()
        if isinstance(element, sa.sql.functions.FunctionElement) and (
            getattr(element, "name", "").lower() in AGGREGATES
        ):
            return True
        if isinstance(
            element, sa.Select | sa.ScalarSelect | sa.Exists | sa.FromClause | sa.ColumnClause
        ):
            continue  # not inside subqueries, tables or a column's own parts
        stack.extend(element.get_children())
    return False


@dataclass(frozen=True)
class _Noting:
    """How a SELECT of columns notes the markings of the records it shows: the columns it
    asks for, the marking columns to add, and where each marked table's marking is."""

    asked: int
    added: tuple
    where: tuple[tuple[str, int], ...]


# How each shape of SELECT notes markings, by its columns (the same objects each time a
# statement selects the same attributes): worked out once, not for every statement.
_NOTINGS: dict[tuple[int, ...], tuple[tuple, _Noting | None]] = {}
_NOTINGS_KEPT = 512


def _noting(state: ORMExecuteState) -> _Noting | None:
    """How ``state``'s SELECT notes markings; None when it notes none (see _noting_for)."""
    stmt = state.statement
    options = state.execution_options
    if (
        # What a request shows (the command line and scripts mark nothing, and run the
        # ORM's bulk changes, whose own reads expect their shape)
        not has_request_context()
        or not isinstance(stmt, sa.Select)
        or stmt._group_by_clauses  # noqa: SLF001  (no public accessor)
        or stmt._distinct  # noqa: SLF001
        or options.get("yield_per")
        or options.get("stream_results")
    ):
        return None
    columns = tuple(stmt._raw_columns)  # noqa: SLF001
    key = tuple(map(id, columns))
    kept = _NOTINGS.get(key)
    if kept is not None and all(a is b for a, b in zip(kept[0], columns, strict=True)):
        return kept[1]
    noting = _noting_for(stmt)
    if len(_NOTINGS) >= _NOTINGS_KEPT:
        _NOTINGS.clear()
    # The columns kept alongside, so that their ids name no others while kept.
    _NOTINGS[key] = (columns, noting)
    return noting


def _noting_for(stmt: sa.Select) -> _Noting | None:
    """The marked entities whose columns (not whole records: those fire load events) a plain
    SELECT shows, beyond their ids, and where their markings are or will be; None when it
    shows none, or when adding a column could change its rows."""
    descriptions = stmt.column_descriptions
    found = []
    for description in descriptions:
        entity, expression = description.get("entity"), description.get("expr")
        if entity is not None and expression is entity:
            return None  # records, noted by their load events (columns beside them are keys)
        clause = getattr(expression, "__clause_element__", lambda e=expression: e)()
        if not isinstance(clause, sa.ClauseElement) or _has_aggregate(clause):
            return None
        if entity is None or description.get("name") == "id":
            continue
        mapper = sa.inspect(entity).mapper
        marked = issubclass(mapper.class_, Marked) and "marking_id" in mapper.columns
        if marked and all(entity is not other for other in found):
            found.append(entity)
    if not found:
        return None
    asked = len(descriptions)
    where, added = [], []
    for entity in found:
        index = next(
            (
                n
                for n, description in enumerate(descriptions)
                if description.get("entity") is entity and description.get("name") == "marking_id"
            ),
            None,
        )
        if index is None:
            index = asked + len(added)
            added.append(entity.marking_id.label(f"_marking_{len(added)}"))
        where.append((sa.inspect(entity).mapper.local_table.name, index))
    return _Noting(asked, tuple(added), tuple(where))


def _noting_markings(state: ORMExecuteState):
    """Run a SELECT of columns of marked records with their markings added (unless it
    selects them already), note those, and answer with the columns asked for; None (run as
    asked) for other statements."""
    noting = _noting(state)
    if noting is None:
        return None
    if not noting.added:
        frozen = state.invoke_statement().freeze()
    else:
        statement = state.statement.add_columns(*noting.added)
        frozen = state.invoke_statement(statement=statement).freeze()
    noted = state.session.info.setdefault(SHOWN, set())
    for row in frozen.data:
        for table, index in noting.where:
            noted.add((table, None, row[index]))
    answer = frozen()
    return answer.columns(*range(noting.asked)) if noting.added else answer


@event.listens_for(Marked, "load", propagate=True)
def _note_loaded(target, context) -> None:
    session = context.session
    if session is not None:
        session.info.setdefault(SHOWN, set()).add(
            (target.__tablename__, target.id if hasattr(target, "id") else None, target.marking_id)
        )


def shown(session: Session) -> set[tuple[str, int | None, int]]:
    """(table, record id, marking id) of every marked record ``session`` has loaded."""
    return session.info.get(SHOWN, set())


def marking_ids(session: Session) -> Iterable[int]:
    return {marking_id for _table, _id, marking_id in shown(session)}
