"""No lost updates: a form that changes a record carries the version of the record it was
loaded from, and a save from an older version is refused with what changed since.

The form is stamped with the record's version and its latest audit record when it is
loaded (:func:`check` on GET); on POST the submitted version is compared, and a refused save
shows the form again with the user's input, a :class:`Conflict` for ``conflict_notice``
(templates/_macros/conflict.html) and status 409; the form then carries the new version, so
saving again on purpose works. :func:`saving` catches the race a check cannot see: another
save landing between this request's read and its write (``StaleDataError``). Views use both
through :class:`tracker.web.editing.Edit`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from wtforms import HiddenField

from tracker.data.audit_trail import AUDITED
from tracker.extensions import db
from tracker.models import AuditRecord

NOUNS = {"point": "negotiation point", "action": "action item"}


class VersionedForm:
    """Mixin for a form that changes one record: the record's version when the form was
    loaded and the last audit record of it then. Both are rendered by ``hidden_tag()``."""

    version = HiddenField()
    seen_change = HiddenField()


@dataclass(frozen=True)
class ChangedField:
    field: str
    old: Any
    new: Any
    who: str
    at: datetime
    record: str


@dataclass(frozen=True)
class Conflict:
    """What others changed in the record(s) since the form was loaded."""

    noun: str  # "this agreement"
    records: tuple[AuditRecord, ...] = ()
    # The form did not say which version it was loaded from (forged, or from an old page).
    unknown: bool = False
    # Each record's name, by (record type, id), for a conflict over several records.
    titles: dict[tuple[str, int], str] = dataclasses.field(default_factory=dict)

    @property
    def status(self) -> int:
        return 400 if self.unknown else 409

    @property
    def who(self) -> str:
        names = list(dict.fromkeys(_author(record) for record in self.records))
        if not names:
            return "Someone else"
        text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return text[:1].upper() + text[1:]

    @property
    def at(self) -> datetime | None:
        return max((record.recorded_at for record in self.records), default=None)

    @property
    def several_records(self) -> bool:
        return len({(r.record_type, r.record_id) for r in self.records}) > 1

    @property
    def changes(self) -> list[ChangedField]:
        rows = []
        for record in self.records:
            # A record with no field changes (a deletion) is shown by what happened to it.
            for change in record.changes or [{"field": record.action.label}]:
                rows.append(
                    ChangedField(
                        field=change["field"],
                        old=change.get("old"),
                        new=change.get("new"),
                        who=_author(record),
                        at=record.recorded_at,
                        record=self.titles.get((record.record_type, record.record_id), ""),
                    )
                )
        return rows


class EditConflict(Exception):
    """The record changed between this request's read and its write."""

    def __init__(self, conflict: Conflict) -> None:
        super().__init__(f"{conflict.noun} changed while it was being edited")
        self.conflict = conflict


def _author(record: AuditRecord) -> str:
    if record.user is None:
        return "someone at the command line"
    if current_user.is_authenticated and record.user_id == current_user.id:
        return "you (in another window)"
    return record.user.display_name


def _key(record) -> tuple[str, int]:
    # A record without an audit trail of its own (a provision in one revision) is guarded
    # by its version alone: there is no history to show, only that it changed.
    audited = AUDITED.get(type(record))
    return (audited.record_type if audited else type(record).__name__), record.id


def _audited(record) -> bool:
    return type(record) in AUDITED


def _title(record) -> str:
    audited = AUDITED.get(type(record))
    return str(getattr(record, audited.name_attr)) if audited else ""


def noun_for(record) -> str:
    record_type = _key(record)[0]
    return f"this {NOUNS.get(record_type, record_type)}"


def _latest_changes(records: Sequence[Any]) -> dict[tuple[str, int], int]:
    """The id of the newest audit record of each record, by (record type, id)."""
    ids: dict[str, list[int]] = {}
    for record in filter(_audited, records):
        record_type, record_id = _key(record)
        ids.setdefault(record_type, []).append(record_id)
    latest: dict[tuple[str, int], int] = {}
    for record_type, record_ids in ids.items():
        rows = db.session.execute(
            sa.select(AuditRecord.record_id, sa.func.max(AuditRecord.id))
            .where(AuditRecord.record_type == record_type, AuditRecord.record_id.in_(record_ids))
            .group_by(AuditRecord.record_id)
        )
        latest.update({(record_type, record_id): newest for record_id, newest in rows})
    return latest


def changes_since(record, seen: int) -> list[AuditRecord]:
    # Ids follow the order records were written, so "after the one seen" is "since loading".
    if not _audited(record):
        return []
    record_type, record_id = _key(record)
    return list(
        db.session.scalars(
            sa.select(AuditRecord)
            .where(
                AuditRecord.record_type == record_type,
                AuditRecord.record_id == record_id,
                AuditRecord.id > seen,
            )
            .options(joinedload(AuditRecord.user))
            .order_by(AuditRecord.id)
        )
    )


def stamp(form, record) -> None:
    """Make ``form`` carry ``record``'s current version and its newest audit record."""
    _stamp([(form, record)])


def _stamp(pairs: Sequence[tuple[Any, Any]]) -> None:
    latest = _latest_changes([record for _, record in pairs])
    for form, record in pairs:
        form.version.data = str(record.version)
        form.seen_change.data = str(latest.get(_key(record), 0))


def _submitted_number(hidden: HiddenField) -> int | None:
    value = hidden.raw_data[0] if hidden.raw_data else ""
    if value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def _compare(pairs: Sequence[tuple[Any, Any]], noun: str) -> Conflict | None:
    """A conflict if any form's submitted version is not its record's version; every form
    of a conflict is stamped with the current versions."""
    stale, unknown = [], False
    for form, record in pairs:
        version = _submitted_number(form.version)
        if version != record.version:
            unknown = unknown or version is None
            stale.append((form, record))
    if not stale:
        return None
    records: list[AuditRecord] = []
    for form, record in stale:
        seen = _submitted_number(form.seen_change)
        if seen is not None:
            records += changes_since(record, seen)
    _stamp(pairs)
    titles = {_key(record): _title(record) for _, record in pairs}
    return Conflict(noun, tuple(sorted(records, key=lambda r: r.id)), unknown, titles)


def check(form, record, *, parts: Sequence[tuple[Any, Any]] = (), noun: str | None = None):
    """On GET, stamp ``form`` (and the ``(subform, record)`` pairs of ``parts``); on POST,
    the :class:`Conflict` if any of the records changed since the form was loaded, else None.
    """
    pairs = [(form, record), *parts]
    if not form.is_submitted():
        _stamp(pairs)
        return None
    return _compare(pairs, noun or noun_for(record))


@contextmanager
def saving(
    form, record, *, parts: Sequence[tuple[Any, Any]] = (), noun: str | None = None
) -> Iterator[None]:
    """Turn a save that lost the race with another (``StaleDataError`` on flush) into an
    :class:`EditConflict`, after rolling back; a record deleted meanwhile is a 404."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        pairs = [(form, record), *parts]
        try:
            conflict = _compare(pairs, noun or noun_for(record))
        except ObjectDeletedError:
            abort(404)
        if conflict is None:  # the row that moved on was another one the save touched
            _stamp(pairs)
            conflict = Conflict(noun or noun_for(record))
        raise EditConflict(conflict) from None


def status(conflict: Conflict | None) -> int:
    """The status of a form page: 200, or the conflict's."""
    return 200 if conflict is None else conflict.status
