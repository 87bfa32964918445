"""Writes an audit record for every change, in the same transaction, from one session hook.

Services and views need not remember to audit: whatever they flush is recorded, with the
logged-in user (none for the command line), the API token they acted through if any, and
each changed field's old and new value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.models import (
    AccessGroup,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    ApiToken,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
    StatusChange,
    User,
    utcnow,
)
from tracker.models.audit import AuditAction, AuditRecord


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


def _child_change(obj, *, deleted: bool) -> tuple[str, int, dict] | None:
    """A change to a row that belongs to an audited record, as a field of that record."""
    if isinstance(obj, AgreementParty):
        party = obj.party.name if obj.party else obj.party_id
        value = None if deleted else _plain(obj.role)
        return (
            "agreement",
            obj.agreement_id,
            {"field": f"party {party}", "old": "(removed)" if deleted else None, "new": value},
        )
    if isinstance(obj, PartyPosition):
        party = obj.party.name if obj.party else obj.party_id
        old = sa.inspect(obj).attrs.position.history.deleted
        return (
            "point",
            obj.point_id,
            {
                "field": f"position of {party}",
                "old": old[0] if old else None,
                "new": None if deleted else obj.position,
            },
        )
    if isinstance(obj, AgendaItem):
        agreement = obj.agreement.title if obj.agreement else obj.agreement_id
        old = sa.inspect(obj).attrs.outcome.history.deleted
        return (
            "meeting",
            obj.meeting_id,
            {
                "field": f"outcome for {agreement}",
                "old": "(removed)" if deleted else (old[0] if old else None),
                "new": None if deleted else obj.outcome,
            },
        )
    return None


def _row(
    action: AuditAction,
    record_type: str,
    record_id: int,
    summary: str,
    changes: list[dict],
    actor: int | None,
    at: datetime,
) -> dict:
    return {
        "recorded_at": at,
        "user_id": actor,
        "action": action.value,
        "record_type": record_type,
        "record_id": record_id,
        "summary": (summary or "")[:300],
        "changes": changes,
    }


def _write_audit_records(session: Session, _context) -> None:
    actor, at = _actor_id(), utcnow()
    rows: list[dict] = []
    children: dict[tuple[str, int], list[dict]] = {}

    def child(obj, deleted: bool) -> None:
        found = _child_change(obj, deleted=deleted)
        if found and found[1] is not None:
            record_type, record_id, change = found
            children.setdefault((record_type, record_id), []).append(change)

    for obj in session.new:
        spec = AUDITED.get(type(obj))
        if spec:
            changes = _column_changes(obj, new=True) + _collection_changes(obj, spec.collections)
            rows.append(
                _row(
                    AuditAction.CREATE,
                    spec.record_type,
                    obj.id,
                    getattr(obj, spec.name_attr),
                    changes,
                    actor,
                    at,
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
        rows.append(
            _row(action, spec.record_type, obj.id, getattr(obj, spec.name_attr), changes, actor, at)
        )

    for obj in session.deleted:
        spec = AUDITED.get(type(obj))
        if spec:
            rows.append(
                _row(
                    AuditAction.DELETE,
                    spec.record_type,
                    obj.id,
                    getattr(obj, spec.name_attr),
                    [],
                    actor,
                    at,
                )
            )
        else:
            child(obj, deleted=True)

    # Changes to a record's parts join that record's own row, or make one.
    for (record_type, record_id), changes in children.items():
        existing = next(
            (
                row
                for row in rows
                if (row["record_type"], row["record_id"]) == (record_type, record_id)
                and row["action"] != AuditAction.STATUS_CHANGE.value
            ),
            None,
        )
        if existing is not None:
            existing["changes"].extend(changes)
        else:
            rows.append(_row(AuditAction.UPDATE, record_type, record_id, "", changes, actor, at))

    if rows:
        token_name = session.info.get(TOKEN_NAME) if actor is not None else None
        for row in rows:
            row["token_name"] = token_name
        session.connection().execute(sa.insert(AuditRecord.__table__), rows)


def install() -> None:
    """Write the audit records of whatever any session flushes, from now on."""
    if not event.contains(Session, "after_flush", _write_audit_records):
        event.listen(Session, "after_flush", _write_audit_records)
