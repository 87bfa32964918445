"""The rule for setting a record's marking, in one place, for every form and API route.

A new record gets the marking of what it belongs to (its *parents*: a point, an action item,
a status change or an outcome its agreement; a party's position its point; an outcome also
its meeting) unless it is given a higher one. A record is never marked lower than its
parents, nor lower than it already is (a lower level, a caveat dropped, a REL TO list
widened or removed), without an explicit **downgrade**: a reason, which the audit trail
records with who gave it. A declassify-on date is the record's own schedule and is not
compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import inspect

from tracker.data import audit_trail, markings
from tracker.extensions import db
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    Alternative,
    InternalNote,
    Marked,
    MarkingValue,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Party,
    PartyPosition,
    PositionChange,
    Revision,
    StatusChange,
    TextNote,
)
from tracker.models.clock import today
from tracker.models.errors import RuleError
from tracker.models.marking import UNMARKED_ID
from tracker.web.markings import describe

MAX_REASON = 500
# What each marked record is called in messages.
NOUNS: dict[type, str] = {
    Agreement: "agreement",
    Meeting: "meeting",
    NegotiationPoint: "point",
    PartyPosition: "position",
    PositionChange: "position change",
    ActionItem: "action item",
    StatusChange: "status change",
    AgendaItem: "outcome",
    NegotiatingText: "text",
    Revision: "revision",
    Alternative: "alternative",
    TextNote: "note",
    InternalNote: "internal note",
}


class MarkingError(RuleError):
    """A marking the rules refuse; ``field`` is the part of the marking at fault, e.g.
    ``marking.level`` (dotted: the marking sub-form's field, the API body's nested key)."""


@dataclass(frozen=True)
class MarkingChoice:
    """A marking asked for by a form or an API body, and the reason if it is a downgrade."""

    value: MarkingValue
    downgrade_reason: str = ""


def value_of(record: Marked) -> MarkingValue:
    """The marking ``record`` carries now (the lowest if it has none yet)."""
    return markings.value_of(db.session, record.marking_id or UNMARKED_ID)


def inherited(parents: Iterable[Marked]) -> MarkingValue:
    """What a new record under ``parents`` is marked by default: its one parent's marking,
    or what showing all of them together would be marked."""
    values = [value_of(parent) for parent in parents]
    if not values:
        return MarkingValue()
    if len(values) == 1:
        return values[0]
    return MarkingValue.combined(values, today())


def covers(value: MarkingValue, floor: MarkingValue) -> bool:
    """Whether ``value`` is at least as restrictive as ``floor``."""
    return not _lowered(value, floor)


def _lowered(value: MarkingValue, floor: MarkingValue) -> str | None:
    """The part of ``value`` that is lower than ``floor`` (its field name), or None."""
    if value.level < floor.level:
        return "level"
    if not value.caveats >= floor.caveats:
        return "caveats"
    if floor.release_to and not (value.release_to and value.release_to <= floor.release_to):
        return "rel_to"
    return None


def check_value(value: MarkingValue, field: str = "marking") -> None:
    """Refuse a marking the deployment does not know, by the part at fault."""
    levels = markings.levels()
    if not 0 <= value.level < len(levels):
        raise MarkingError("Choose a level from the list.", f"{field}.level")
    unknown = sorted(value.caveats - set(markings.caveats()))
    if unknown:
        raise MarkingError(f"Not a caveat in use: {', '.join(unknown)}.", f"{field}.caveats")
    if value.release_to:
        found = db.session.scalar(
            sa.select(sa.func.count()).select_from(Party).where(Party.id.in_(value.release_to))
        )
        if found != len(value.release_to):
            raise MarkingError("Release only to parties from the list.", f"{field}.rel_to")
    if (value.declassify_on is None) != (value.downgrade_to is None):
        missing = "downgrade_to" if value.downgrade_to is None else "declassify_on"
        raise MarkingError(
            "Give both the declassify-on date and the level it goes down to, or neither.",
            f"{field}.{missing}",
        )
    if value.downgrade_to is not None and not 0 <= value.downgrade_to < value.level:
        raise MarkingError(
            "The level it goes down to must be lower than its level.", f"{field}.downgrade_to"
        )


def _is_new(record: Marked) -> bool:
    state = inspect(record)
    return state.transient or state.pending or record.marking_id is None


def set_marking(
    record: Marked,
    choice: MarkingChoice | None,
    *,
    parents: Sequence[Marked] = (),
    field: str = "marking",
    label: str | None = None,
) -> MarkingValue:
    """Give ``record`` the marking ``choice`` asks for under the rule (see the module), or
    its default: a new record its parents' marking, an existing one the marking it has.

    Set parents' markings first: a new record's default is read from them. ``label`` names
    the record in messages when the field alone would not (a party's position).
    """
    new = _is_new(record)
    floor = inherited(parents)
    if choice is None:
        if new:
            record.marking_id = _stored(floor)
            return floor
        return value_of(record)
    value = choice.value
    if not new and record.marking_id == _known_id(value):
        return value  # unchanged: not a new downgrade, whatever its parents are now
    check_value(value, field)
    reason = (choice.downgrade_reason or "").strip()
    if len(reason) > MAX_REASON:
        raise MarkingError(
            f"The reason can be at most {MAX_REASON} characters.", f"{field}.downgrade_reason"
        )
    # Lower than what it belongs to, or than it already is: a downgrade.
    compared = [(floor, _parent_noun(record, parents))]
    if not new:
        compared.append((value_of(record), "it is"))
    for reference, what in compared:
        part = _lowered(value, reference)
        if part is None:
            continue
        if not reason:
            name = NOUNS.get(type(record), "record")
            noun = label or f"{'An' if name[0] in 'aeiou' else 'A'} {name}"
            raise MarkingError(
                f"{noun} cannot be marked lower than {what} ({describe(reference)}) without "
                "a downgrade: give the reason for it.",
                f"{field}.{part}",
            )
        _note_downgrade(record, reference, value, reason)
        break
    record.marking_id = _stored(value)
    return value


def _parent_noun(record: Marked, parents: Sequence[Marked]) -> str:
    if not parents:
        return "the lowest level"
    names = [NOUNS.get(type(parent), "record") for parent in parents]
    return "its " + " and its ".join(names)


def _known_id(value: MarkingValue) -> int | None:
    for marking_id, known in markings.known(db.session).items():
        if known == value:
            return marking_id
    return None


def _stored(value: MarkingValue) -> int:
    return stored_id(value)


def stored_id(value: MarkingValue) -> int:
    """The id of ``value``'s row in ``marking``, written now if nobody has used it yet.

    Written with plain statements on the session's connection, so that the records a
    service is still setting up are not flushed half-made.
    """
    return markings.id_for(db.session, value)


def _note_downgrade(record: Marked, old: MarkingValue, new: MarkingValue, reason: str) -> None:
    audit_trail.note(
        db.session,
        record,
        [
            {"field": "marking downgraded", "old": describe(old), "new": describe(new)},
            {"field": "downgrade reason", "old": None, "new": reason},
        ],
    )


def from_parts(
    level: int,
    rel_to: Iterable[int] = (),
    caveats: Iterable[str] = (),
    declassify_on: date | None = None,
    downgrade_to: int | None = None,
) -> MarkingValue:
    """A marking from the parts forms and the API take."""
    return MarkingValue(
        level=level,
        release_to=frozenset(rel_to),
        caveats=frozenset(caveats),
        declassify_on=declassify_on,
        downgrade_to=downgrade_to,
    )
