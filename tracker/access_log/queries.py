"""Reads of the access log, newest first, and the titles of the records it names that the
reader may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.api.pagination import Page, page
from tracker.data import markings
from tracker.extensions import db
from tracker.models import (
    AccessLogEntry,
    AccessOutcome,
    ActionItem,
    AgendaItem,
    Agreement,
    Alternative,
    InternalNote,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    PartyPosition,
    PositionChange,
    Revision,
    StatusChange,
    TextNote,
    User,
)
from tracker.render.dates import format_date

# The kinds of record the log names (their tables), as officers read them.
RECORD_TYPES: dict[str, str] = {
    "agreement": "Agreement",
    "status_change": "Status change",
    "meeting": "Meeting",
    "agenda_item": "Outcome at a meeting",
    "negotiation_point": "Negotiation point",
    "party_position": "Party position",
    "position_change": "Position change",
    "action_item": "Action item",
    "negotiating_text": "Negotiating text",
    "text_revision": "Text revision",
    "text_alternative": "Bracketed alternative",
    "text_note": "Note in a text",
    "internal_note": "Internal note",
}
OUTCOMES = tuple(outcome.value for outcome in AccessOutcome)
# Newest first: the time, then the order rows were written in.
ORDER = (AccessLogEntry.at, AccessLogEntry.id)


@dataclass(frozen=True)
class LogFilters:
    user_id: int | None = None
    record_type: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def scope(self) -> str:
        """Names the list and its filters, so a cursor serves only the list it came from."""
        return (
            f"access-log:{self.user_id or ''}:{self.record_type}:{self.outcome}:"
            f"{self.since or ''}:{self.until or ''}"
        )


def _filtered(filters: LogFilters) -> sa.Select:
    stmt = sa.select(AccessLogEntry).options(joinedload(AccessLogEntry.user))
    if filters.user_id:
        stmt = stmt.where(AccessLogEntry.user_id == filters.user_id)
    if filters.record_type:
        stmt = stmt.where(AccessLogEntry.record_type == filters.record_type)
    if filters.outcome:
        stmt = stmt.where(AccessLogEntry.outcome == AccessOutcome(filters.outcome))
    if filters.since:
        stmt = stmt.where(AccessLogEntry.at >= datetime.combine(filters.since, time(), UTC))
    if filters.until and filters.until < date.max:  # the last day there is bounds nothing
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        stmt = stmt.where(AccessLogEntry.at < end)
    return stmt


def log_page(filters: LogFilters, cursor: str | None, limit: int) -> Page:
    """A page of the log, newest first, after ``cursor`` (the ``next`` of the page before)."""
    return page(
        _filtered(filters),
        ORDER,
        scope=filters.scope,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


def iter_log(filters: LogFilters, batch: int = 500) -> Iterator[tuple[AccessLogEntry, str | None]]:
    """Every matching entry, newest first, with its record's title (None when the reader may
    not see it), fetched in batches so an export need not fit in memory."""
    stmt = _filtered(filters).order_by(*(key.desc() for key in ORDER))
    result = db.session.execute(stmt.execution_options(yield_per=batch)).scalars()
    for entries in result.partitions():
        names = titles(entries)
        for entry in entries:
            yield entry, names.get(key_of(entry))


def key_of(entry: AccessLogEntry) -> tuple[str, int, int | None]:
    return (entry.record_type, entry.record_id, entry.part_id)


def _single(model, title: Callable, *options) -> Callable:
    def read(keys: list[tuple[int, int | None]]) -> dict[tuple, str]:
        ids = sorted({record_id for record_id, _part in keys})
        records = db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))
        return {(record.id, None): title(record) for record in records}

    return read


def _positions(keys: list[tuple[int, int | None]]) -> dict[tuple, str]:
    wanted = [(point, party) for point, party in keys if party is not None]
    records = db.session.scalars(
        sa.select(PartyPosition)
        .where(sa.tuple_(PartyPosition.point_id, PartyPosition.party_id).in_(wanted))
        .options(joinedload(PartyPosition.point), joinedload(PartyPosition.party))
    )
    return {
        (p.point_id, p.party_id): f"{p.party.name} on “{p.point.subject}”"
        for p in records
        if p.point is not None
    }


def _outcomes(keys: list[tuple[int, int | None]]) -> dict[tuple, str]:
    wanted = [(meeting, agreement) for meeting, agreement in keys if agreement is not None]
    records = db.session.scalars(
        sa.select(AgendaItem)
        .where(sa.tuple_(AgendaItem.meeting_id, AgendaItem.agreement_id).in_(wanted))
        .options(joinedload(AgendaItem.meeting), joinedload(AgendaItem.agreement))
    )
    return {
        (item.meeting_id, item.agreement_id): f"{item.agreement.title} at {item.meeting.title}"
        for item in records
        if item.meeting is not None and item.agreement is not None
    }


def _excerpt(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _alternative(record: Alternative) -> str:
    wording = f"“{_excerpt(record.wording)}”" if record.wording else "(deletes the passage)"
    return f"{record.label}: {wording}" if record.label else wording


TITLES: dict[str, Callable[[list[tuple[int, int | None]]], dict[tuple, str]]] = {
    "agreement": _single(Agreement, lambda r: r.title),
    "meeting": _single(Meeting, lambda r: r.title),
    "negotiation_point": _single(NegotiationPoint, lambda r: r.subject),
    "action_item": _single(ActionItem, lambda r: r.description),
    "status_change": _single(
        StatusChange, lambda r: f"Status {r.to_status.label} from {format_date(r.effective_on)}"
    ),
    "party_position": _positions,
    "agenda_item": _outcomes,
    "position_change": _single(
        PositionChange,
        lambda r: f"{r.party.name} on “{r.point.subject}”, {format_date(r.stated_on)}",
        joinedload(PositionChange.party),
        joinedload(PositionChange.point),
    ),
    "negotiating_text": _single(NegotiatingText, lambda r: r.title),
    "text_revision": _single(
        Revision, lambda r: f"{r.text.title}, {r.label}", joinedload(Revision.text)
    ),
    "text_alternative": _single(Alternative, _alternative),
    "text_note": _single(TextNote, lambda r: f"{r.kind.value.capitalize()}: {_excerpt(r.body)}"),
    "internal_note": _single(InternalNote, lambda r: f"{r.kind.label}: {_excerpt(r.body)}"),
}


def titles(entries: Iterable[AccessLogEntry]) -> dict[tuple[str, int, int | None], str]:
    """The titles of the records ``entries`` name, of those the reader may see (the others
    are not found, as everywhere); one query per kind of record."""
    by_type: dict[str, list[tuple[int, int | None]]] = {}
    for entry in entries:
        by_type.setdefault(entry.record_type, []).append((entry.record_id, entry.part_id))
    found: dict[tuple[str, int, int | None], str] = {}
    for record_type, keys in by_type.items():
        read = TITLES.get(record_type)
        if read is None:
            continue
        for (record_id, part_id), title in read(keys).items():
            found[(record_type, record_id, part_id)] = title
    return found


def level_name(level: int) -> str:
    names = markings.levels()
    return names[min(level, len(names) - 1)] if level >= 0 else str(level)


def users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.username)))
