"""Writes an audit record for every change, in the same transaction, from one session hook.

Services and views need not remember to audit: whatever they flush is recorded, with the
logged-in user (none for the command line), the API token they acted through if any, and
each changed field's old and new value.

Each entry is seen by exactly who may see what it shows (tracker/data/access.py): it carries
the marking of its record (combined with the record it sits under, for an outcome or a
position, which get entries of their own) and the agreement it belongs to, whose visibility
is checked when the entry is read. When a record's marking rises, its earlier entries rise
with it; when it falls, they keep the higher marking they had.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from tracker.data import markings
from tracker.models import (
    AccessGroup,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Alternative,
    ApiToken,
    InternalNote,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
    PositionChange,
    Revision,
    StatusChange,
    TextNote,
    User,
    utcnow,
)
from tracker.models.audit import AuditAction, AuditRecord
from tracker.models.clock import today
from tracker.models.marking import UNMARKED_ID, Marked


@dataclass(frozen=True)
class Audited:
    record_type: str
    name_attr: str
    collections: tuple[str, ...] = ()


AUDITED: dict[type, Audited] = {
    Agreement: Audited("agreement", "title", collections=("access_entries",)),
    Meeting: Audited("meeting", "title", collections=("participants",)),
    Party: Audited("party", "name"),
    Person: Audited("person", "name"),
    NegotiationPoint: Audited("point", "subject"),
    ActionItem: Audited("action", "description"),
    User: Audited("user", "username"),
    ApiToken: Audited("token", "name"),
    AccessGroup: Audited("group", "name", collections=("members",)),
    NegotiatingText: Audited("text", "title"),
    Revision: Audited("revision", "label"),
    InternalNote: Audited("internal note", "kind"),
}
# Bookkeeping columns, and secrets whose values must never be copied anywhere.
IGNORED = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "last_login_at",
        "last_used_at",
        "session_generation",
        "version",
    }
)
# Where a session keeps the name of the API token its request acts through (session.info):
# set by whoever recognises the token, read here, so this layer knows nothing of requests.
TOKEN_NAME = "tracker.audit.token_name"  # noqa: S105  (a key, not a secret)
# Secrets, by the name a change to them is recorded under: only that they changed.
SECRET = {"password_hash": "password", "secret_hash": "secret"}
# Where a service leaves changes the columns do not show (a marking's downgrade and its
# reason): [(record, [change, …]), …], written with that record's row at the next flush.
NOTES = "tracker.audit.notes"


def _plain(value: Any) -> Any:
    """A column value or related record in a form JSON can hold."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    for attr in ("title", "name", "username", "subject"):
        if hasattr(value, attr):
            return getattr(value, attr)
    return str(value)


def acting_through_token(session: Session, name: str | None) -> None:
    """Record what ``session`` flushes from now on as done through the API token ``name``."""
    session.info[TOKEN_NAME] = name


def note(session: Session, record, changes: list[dict], *, shown_with: Iterable[int] = ()) -> None:
    """Record ``changes`` (``{"field", "old", "new"}``) with ``record``'s audit row when
    the session next flushes it: what a service knows and the columns do not. Changes that
    show other records (their names) give the markings of those in ``shown_with``: the
    entry is marked with them too (an entry of its own if that is higher)."""
    session.info.setdefault(NOTES, []).append((record, changes, frozenset(shown_with)))


def _noted(session: Session) -> list[tuple[_Part, list[dict]]]:
    """The notes whose records are now flushed, with where each is recorded."""
    found, kept = [], []
    for record, changes, shown_with in session.info.get(NOTES, ()):
        spec = AUDITED.get(type(record))
        if spec is not None:
            marking_id, agreement_id = _place(record)
            if shown_with:
                marking_id = markings.combined_id(session, {marking_id, *shown_with}, today())
            part = _Part(spec.record_type, record.id, marking_id, agreement_id)
        elif isinstance(record, StatusChange):
            marking = _marking_with(session, record.marking_id, record.meeting)
            part = _Part("agreement", record.agreement_id, marking, record.agreement_id)
        elif isinstance(record, Alternative | TextNote):
            # A part of a revision (its marking's downgrade): in the revision's history.
            revision = session.get(Revision, record.revision_id)
            marking = _marking_with(session, record.marking_id, revision)
            part = _Part("revision", record.revision_id, marking, record.agreement_id)
        else:
            child = _child_change(session, record, deleted=False)
            part = child[0] if child else None
        if part is None or part.record_id is None:
            kept.append((record, changes, shown_with))  # not flushed yet
        else:
            found.append((part, changes))
    session.info[NOTES] = kept
    return found


def _forget_notes(session: Session, _previous_transaction=None) -> None:
    session.info.pop(NOTES, None)


def _actor_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def _column_changes(obj, *, new: bool) -> list[dict]:
    state = sa.inspect(obj)
    changes = []
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED:
            continue
        history = state.attrs[key].history
        if new:
            value = state.attrs[key].value
            if value in (None, "", []):
                continue
            old, current = None, value
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            current = history.added[0] if history.added else None
        else:
            continue
        if key in SECRET:
            changes.append({"field": SECRET[key], "old": None, "new": "(changed)"})
        elif key == "marking_id":
            session = object_session(obj)
            changes.append(
                {
                    "field": "marking",
                    "old": None if old is None else markings.describe(session, old),
                    "new": None if current is None else markings.describe(session, current),
                }
            )
        else:
            changes.append({"field": key, "old": _plain(old), "new": _plain(current)})
    return changes


def _collection_changes(obj, names: tuple[str, ...]) -> list[dict]:
    state = sa.inspect(obj)
    changes = []
    for name in names:
        history = state.attrs[name].history
        if history.added or history.deleted:
            changes.append(
                {
                    "field": name,
                    "old": sorted(_plain(item) for item in history.deleted),
                    "new": sorted(_plain(item) for item in history.added),
                }
            )
    return changes


def _place(obj) -> tuple[int, int | None]:
    """(marking id, agreement id) of the entries about audited record ``obj``."""
    if isinstance(obj, Agreement):
        return obj.marking_id or UNMARKED_ID, obj.id
    if isinstance(obj, Meeting):
        return obj.marking_id or UNMARKED_ID, None
    if isinstance(obj, NegotiationPoint | ActionItem | NegotiatingText | Revision | InternalNote):
        return obj.marking_id or UNMARKED_ID, obj.agreement_id
    return UNMARKED_ID, None


def _marking_with(session: Session, own: int | None, *others) -> int:
    """The marking of an entry showing ``own`` record with the records ``others``."""
    ids = {own or UNMARKED_ID} | {o.marking_id for o in others if o is not None and o.marking_id}
    return markings.combined_id(session, ids, today())


@dataclass(frozen=True)
class _Part:
    """Where a change to a part of a record is recorded: its record, and the marking and
    agreement of the entry (parts marked apart from their record get entries of their own)."""

    record_type: str
    record_id: int
    marking_id: int
    agreement_id: int | None


def _child_change(
    session: Session, obj, *, deleted: bool
) -> tuple[_Part, dict | list[dict]] | None:
    """A change to a row that belongs to an audited record, as a field of that record."""
    if isinstance(obj, AgreementParty):
        party = obj.party.name if obj.party else obj.party_id
        value = None if deleted else _plain(obj.role)
        marking = obj.agreement.marking_id if obj.agreement else UNMARKED_ID
        return (
            _Part("agreement", obj.agreement_id, marking or UNMARKED_ID, obj.agreement_id),
            {"field": f"party {party}", "old": "(removed)" if deleted else None, "new": value},
        )
    if isinstance(obj, PartyPosition):
        party = obj.party.name if obj.party else obj.party_id
        old = sa.inspect(obj).attrs.position.history.deleted
        point = obj.point
        return (
            _Part(
                "point",
                obj.point_id,
                _marking_with(session, obj.marking_id, point),
                point.agreement_id if point else None,
            ),
            {
                "field": f"position of {party}",
                "old": old[0] if old else None,
                "new": None if deleted else obj.position,
            },
        )
    if isinstance(obj, PositionChange):
        # A step of a position's history: when and where the change its position's own
        # entry records was stated. Written once; a marking raised later is no new step.
        if obj not in session.new:
            return None
        party = obj.party.name if obj.party else obj.party_id
        point = obj.point
        return (
            _Part(
                "point",
                obj.point_id,
                _marking_with(session, obj.marking_id, point, obj.meeting),
                point.agreement_id if point else None,
            ),
            [
                {
                    "field": f"position of {party} stated on",
                    "old": None,
                    "new": _plain(obj.stated_on),
                },
                *(
                    [
                        {
                            "field": f"position of {party} stated at",
                            "old": None,
                            "new": _plain(obj.meeting),
                        }
                    ]
                    if obj.meeting is not None
                    else []
                ),
            ],
        )
    if isinstance(obj, AgendaItem):
        agreement = obj.agreement.title if obj.agreement else obj.agreement_id
        old = sa.inspect(obj).attrs.outcome.history.deleted
        return (
            _Part(
                "meeting",
                obj.meeting_id,
                _marking_with(session, obj.marking_id, obj.meeting),
                obj.agreement_id,
            ),
            {
                "field": f"outcome for {agreement}",
                "old": "(removed)" if deleted else (old[0] if old else None),
                "new": None if deleted else obj.outcome,
            },
        )
    return None


# The record whose entries a part's marking change raises: a part has no entries of its own.
def _entries_of(obj) -> tuple[str, int] | None:
    spec = AUDITED.get(type(obj))
    if spec is not None:
        return spec.record_type, obj.id
    if isinstance(obj, PartyPosition):
        return "point", obj.point_id
    if isinstance(obj, AgendaItem):
        return "meeting", obj.meeting_id
    return None


def _row(
    action: AuditAction,
    record_type: str,
    record_id: int,
    summary: str,
    changes: list[dict],
    actor: int | None,
    at: datetime,
    *,
    marking_id: int = UNMARKED_ID,
    agreement_id: int | None = None,
) -> dict:
    return {
        "recorded_at": at,
        "user_id": actor,
        "action": action.value,
        "record_type": record_type,
        "record_id": record_id,
        "summary": (summary or "")[:300],
        "changes": changes,
        "marking_id": marking_id,
        "agreement_id": agreement_id,
    }


def _raised_markings(session: Session) -> list[tuple[str, int, int]]:
    """(record type, id, new marking) of the records whose marking this flush changed."""
    raised = []
    for obj in session.dirty:
        if not isinstance(obj, Marked) or not sa.inspect(obj).attrs.marking_id.history.added:
            continue
        entries = _entries_of(obj)
        if entries is not None:
            raised.append((*entries, obj.marking_id))
    return raised


def _raise_earlier_entries(session: Session, raised: list[tuple[str, int, int]]) -> None:
    """A record marked higher: its earlier entries show it too, so they rise with it."""
    table = AuditRecord.__table__
    connection = session.connection()
    for record_type, record_id, marking_id in raised:
        of_record = sa.and_(table.c.record_type == record_type, table.c.record_id == record_id)
        for (held,) in connection.execute(
            sa.select(table.c.marking_id).where(of_record).distinct()
        ).all():
            higher = markings.combined_id(session, {held, marking_id}, today())
            if higher != held:
                connection.execute(
                    sa.update(table)
                    .where(of_record, table.c.marking_id == held)
                    .values(marking_id=higher)
                )


def _write_audit_records(session: Session, _context) -> None:
    actor, at = _actor_id(), utcnow()
    rows: list[dict] = []
    children: dict[_Part, list[dict]] = {}

    def child(obj, deleted: bool) -> None:
        found = _child_change(session, obj, deleted=deleted)
        if found and found[0].record_id is not None:
            part, change = found
            # One change, or several (a step of a position's history: its day and meeting).
            changes = change if isinstance(change, list) else [change]
            children.setdefault(part, []).extend(changes)

    for obj in session.new:
        spec = AUDITED.get(type(obj))
        if spec:
            changes = _column_changes(obj, new=True) + _collection_changes(obj, spec.collections)
            marking_id, agreement_id = _place(obj)
            rows.append(
                _row(
                    AuditAction.CREATE,
                    spec.record_type,
                    obj.id,
                    getattr(obj, spec.name_attr),
                    changes,
                    actor,
                    at,
                    marking_id=marking_id,
                    agreement_id=agreement_id,
                )
            )
        elif isinstance(obj, StatusChange) and obj.from_status is not None:
            rows.append(
                _row(
                    AuditAction.STATUS_CHANGE,
                    "agreement",
                    obj.agreement_id,
                    obj.agreement.title if obj.agreement else "",
                    [
                        {
                            "field": "status",
                            "old": _plain(obj.from_status),
                            "new": _plain(obj.to_status),
                        },
                        {"field": "effective_on", "old": None, "new": _plain(obj.effective_on)},
                        *(
                            [{"field": "meeting", "old": None, "new": _plain(obj.meeting)}]
                            if obj.meeting
                            else []
                        ),
                        *([{"field": "note", "old": None, "new": obj.note}] if obj.note else []),
                    ],
                    actor,
                    at,
                    marking_id=_marking_with(session, obj.marking_id, obj.meeting),
                    agreement_id=obj.agreement_id,
                )
            )
        else:
            child(obj, deleted=False)

    for obj in session.dirty:
        spec = AUDITED.get(type(obj))
        if spec is None:
            if session.is_modified(obj, include_collections=False):
                child(obj, deleted=False)
            continue
        changes = _column_changes(obj, new=False)
        # The status is recorded by its StatusChange row; the key dates it fills stay here.
        changes = [
            c for c in changes if not (isinstance(obj, Agreement) and c["field"] == "status")
        ]
        changes += _collection_changes(obj, spec.collections)
        if not changes:
            continue
        status_row = next(
            (
                row
                for row in rows
                if row["action"] == AuditAction.STATUS_CHANGE.value
                and row["record_type"] == spec.record_type
                and row["record_id"] == obj.id
            ),
            None,
        )
        if status_row is not None:  # key dates filled in by the status change itself
            status_row["changes"].extend(changes)
            continue
        action = AuditAction.UPDATE
        archived = [c for c in changes if c["field"] == "archived_at"]
        if archived and len(changes) == 1:
            action = AuditAction.RESTORE if archived[0]["new"] is None else AuditAction.ARCHIVE
        marking_id, agreement_id = _place(obj)
        rows.append(
            _row(
                action,
                spec.record_type,
                obj.id,
                getattr(obj, spec.name_attr),
                changes,
                actor,
                at,
                marking_id=marking_id,
                agreement_id=agreement_id,
            )
        )

    for obj in session.deleted:
        spec = AUDITED.get(type(obj))
        if spec:
            marking_id, agreement_id = _place(obj)
            rows.append(
                _row(
                    AuditAction.DELETE,
                    spec.record_type,
                    obj.id,
                    getattr(obj, spec.name_attr),
                    [],
                    actor,
                    at,
                    marking_id=marking_id,
                    agreement_id=agreement_id,
                )
            )
        else:
            child(obj, deleted=True)

    for part, changes in _noted(session):
        children.setdefault(part, []).extend(changes)

    # Changes to a record's parts join that record's own row (when it shows the same), or
    # make one.
    for part, changes in children.items():
        existing = next(
            (
                row
                for row in rows
                if (row["record_type"], row["record_id"]) == (part.record_type, part.record_id)
                and (row["marking_id"], row["agreement_id"]) == (part.marking_id, part.agreement_id)
                and row["action"] != AuditAction.STATUS_CHANGE.value
            ),
            None,
        )
        if existing is not None:
            existing["changes"].extend(changes)
        else:
            rows.append(
                _row(
                    AuditAction.UPDATE,
                    part.record_type,
                    part.record_id,
                    "",
                    changes,
                    actor,
                    at,
                    marking_id=part.marking_id,
                    agreement_id=part.agreement_id,
                )
            )

    if rows:
        token_name = session.info.get(TOKEN_NAME) if actor is not None else None
        for row in rows:
            row["token_name"] = token_name
        # Inline: nothing read back (no RETURNING), so on PostgreSQL an entry is added even
        # where its writer's row-level security hides it (tracker/data/row_security.py).
        session.connection().execute(sa.insert(AuditRecord.__table__).inline(), rows)
    _raise_earlier_entries(session, _raised_markings(session))


def install() -> None:
    """Write the audit records of whatever any session flushes, from now on."""
    if not event.contains(Session, "after_flush", _write_audit_records):
        event.listen(Session, "after_flush", _write_audit_records)
    if not event.contains(Session, "after_soft_rollback", _forget_notes):
        event.listen(Session, "after_soft_rollback", _forget_notes)
