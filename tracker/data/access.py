"""Who may see what, enforced in one place: every ORM query a session runs is narrowed to the
records its reader may see.

The rule (README, "Need-to-know"): a user sees a record when their clearance is at least its
level, their party is in its ``REL TO`` (when set), they hold each of its caveats, and, when
its agreement is need-to-know, they are on that agreement's access list (themselves or
through a group). A record under an agreement (status changes, points and their positions,
action items, outcomes) is seen only with its agreement; an outcome also only with its
meeting. Being an admin grants nothing here.

A request's reader is an :class:`Access`: the markings they may read (a question about the
few markings in use, answered once per request in Python) and the need-to-know agreements
whose lists hold them. It is kept on the session (``session.info``); the ``do_orm_execute``
hook adds SQLAlchemy's ``with_loader_criteria`` for every marked entity to every SELECT,
which reaches joins, subqueries, EXISTS, counts and relationship loads alike, so a new
query is filtered without anyone remembering. A session with no reader set outside a
request (the command line, migrations, scripts) sees everything; inside a request, nothing
until the request's user is known.

Records that a reader may not see do not exist for them: pages answer 404, lists and counts
leave them out. What was loaded is noted per session (:func:`shown`), so pages and files
can carry the highest marking of what they show, and the access log can record reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from tracker.data import markings
from tracker.models import (
    AccessEntry,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    AuditRecord,
    Marked,
    Meeting,
    NegotiationPoint,
    PartyPosition,
    StatusChange,
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
    # The need-to-know agreements whose access list holds them.
    agreements: frozenset[int] = frozenset()
    user_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.markings is None

    @property
    def key(self) -> tuple:
        """Readers with equal keys see the same records: what caches of counts key on."""
        if self.markings is None:
            return ("everything",)
        return (tuple(sorted(self.markings)), tuple(sorted(self.agreements)))


EVERYTHING = Access(None)
NOTHING = Access(frozenset())


def for_user(session: Session, user: User | None, *, day: date | None = None) -> Access:
    """``user``'s access, read now: nothing for no user or an inactive one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return NOTHING
    day = day or today()
    held = user.caveat_set
    readable = frozenset(
        marking_id
        for marking_id, value in markings.known(session, refresh=True).items()
        if value.readable_by(
            clearance=user.clearance, party_id=user.party_id, caveats=held, day=day
        )
    )
    groups = sa.select(group_member.c.group_id).where(group_member.c.user_id == user.id)
    with reading_whole(session):
        listed = session.scalars(
            sa.select(AccessEntry.agreement_id)
            .where(sa.or_(AccessEntry.user_id == user.id, AccessEntry.group_id.in_(groups)))
            .execution_options(tracker_access=False)
        ).all()
    return Access(readable, frozenset(listed), user.id)


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


def _readable(column, access: Access) -> sa.ColumnElement[bool]:
    return column.in_(sorted(access.markings or ()))


def agreement_rule(columns, access: Access) -> sa.ColumnElement[bool]:
    """Whether the agreement row with these ``columns`` (a table, alias or entity) is seen."""
    listed = columns.need_to_know == sa.false()
    if access.agreements:
        listed = sa.or_(listed, columns.id.in_(sorted(access.agreements)))
    return sa.and_(_readable(columns.marking_id, access), listed)


def agreement_seen(agreement_id, access: Access) -> sa.ColumnElement[bool]:
    """Whether the agreement ``agreement_id`` (a column) refers to is seen: for raw SQL and
    for the records under an agreement."""
    table = Agreement.__table__.alias()
    return sa.exists().where(table.c.id == agreement_id, agreement_rule(table.c, access))


def meeting_seen(meeting_id, access: Access) -> sa.ColumnElement[bool]:
    table = Meeting.__table__.alias()
    return sa.exists().where(table.c.id == meeting_id, _readable(table.c.marking_id, access))


def _point_seen(point_id, access: Access) -> sa.ColumnElement[bool]:
    table = NegotiationPoint.__table__.alias()
    return sa.exists().where(
        table.c.id == point_id,
        _readable(table.c.marking_id, access),
        agreement_seen(table.c.agreement_id, access),
    )


def _criteria(access: Access) -> list:
    def under_agreement(cls) -> sa.ColumnElement[bool]:
        return sa.and_(_readable(cls.marking_id, access), agreement_seen(cls.agreement_id, access))

    rules = {
        Agreement: agreement_rule(Agreement, access),
        Meeting: _readable(Meeting.marking_id, access),
        StatusChange: under_agreement(StatusChange),
        NegotiationPoint: under_agreement(NegotiationPoint),
        ActionItem: under_agreement(ActionItem),
        AgendaItem: sa.and_(
            under_agreement(AgendaItem), meeting_seen(AgendaItem.meeting_id, access)
        ),
        PartyPosition: sa.and_(
            _readable(PartyPosition.marking_id, access),
            _point_seen(PartyPosition.point_id, access),
        ),
        AgreementParty: agreement_seen(AgreementParty.agreement_id, access),
        AccessEntry: agreement_seen(AccessEntry.agreement_id, access),
        AuditRecord: sa.and_(
            _readable(AuditRecord.marking_id, access),
            sa.or_(
                AuditRecord.agreement_id.is_(None),
                agreement_seen(AuditRecord.agreement_id, access),
            ),
        ),
    }
    return [
        with_loader_criteria(entity, rule, include_aliases=True) for entity, rule in rules.items()
    ]


@event.listens_for(Session, "do_orm_execute")
def _narrow(state: ORMExecuteState) -> None:
    if (
        not state.is_select
        or state.is_column_load
        or state.is_relationship_load  # the query that loaded the parent passes its criteria on
        or state.execution_options.get("tracker_access") is False
    ):
        return
    access = current(state.session)
    if access.everything:
        return
    state.statement = state.statement.options(*_criteria(access))


# -- What a request loaded ---------------------------------------------------------------


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
