"""Reads of agreements for pages: explicit eager loading, no lazy loads in templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.agreements.filters import AgreementFilters
from tracker.data import access, search
from tracker.data.cache import remember
from tracker.extensions import db
from tracker.markings.queries import at_or_above
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    Party,
    PartyKind,
    PartyPosition,
    PartyRole,
    PositionChange,
    Status,
    StatusChange,
    User,
)
from tracker.models.clock import get_zone, local_day
from tracker.render.timeline import MeetingMark, Phase
from tracker.web.pagination import Page, count_rows, locate


@dataclass
class AgreementRow:
    """What one line of the list shows: plain values, no ORM objects to build or load."""

    id: int
    title: str
    short_name: str | None
    status: Status
    status_since: date | None
    last_meeting_at: datetime | None
    marking_id: int
    parties: list[str] = field(default_factory=list)

    @property
    def last_activity(self) -> date | None:
        meeting_day = self.last_meeting_at.date() if self.last_meeting_at else None
        dates = [day for day in (self.status_since, meeting_day) if day]
        return max(dates) if dates else None


# Walking an index in list order and testing each row against a set costs about a tenth
# of fetching a matching row by id and sorting the matches (measured on SQLite).
PROBE_ADVANTAGE = 10


def _narrowed(
    stmt: sa.Select, filters: AgreementFilters, first: sa.ColumnElement[bool] | None = None
) -> sa.Select:
    """``stmt`` with the filters that the list's indexes serve directly (after ``first``, the
    access rule stated first: ``access.agreements_first``, worked out if not given)."""
    stmt = stmt.where(access.agreements_first(db.session) if first is None else first)
    if filters.archived:
        stmt = stmt.where(Agreement.archived_at.is_not(None))
    else:
        stmt = stmt.where(Agreement.archived_at.is_(None))
    if filters.status:
        stmt = stmt.where(Agreement.status == filters.status)
    if filters.category:
        stmt = stmt.where(Agreement.category == filters.category)
    if filters.lead:
        stmt = stmt.where(Agreement.lead_id == filters.lead)
    if filters.classification is not None:
        stmt = stmt.where(at_or_above(Agreement.marking_id, filters.classification))
    return stmt


@dataclass(frozen=True)
class _Narrowing:
    """A filter that keeps the agreements of a set: as the set's ids, to fetch the rows by,
    or as a condition to test each row against while walking the list in order. Both are
    built only when used: search statements are large, and a reused total needs neither."""

    ids: Callable[[], sa.Select | sa.CompoundSelect]
    test: Callable[[], sa.ColumnElement[bool]]


def _party_ids(party: int) -> sa.Select:
    return sa.select(AgreementParty.agreement_id).where(AgreementParty.party_id == party)


def _narrowings(filters: AgreementFilters) -> list[_Narrowing]:
    """The party's agreements, the search's matches."""
    found = []
    if filters.party:
        found.append(
            _Narrowing(
                lambda: _party_ids(filters.party),
                # "id + 0": test each row against the set, not fetch rows by its ids.
                lambda: (Agreement.id + 0).in_(_party_ids(filters.party)),
            )
        )
    if filters.q and search.words(filters.q):
        found.append(
            _Narrowing(
                lambda: search.matching_agreement_ids(filters.q),
                lambda: search.agreement_matches(filters.q),
            )
        )
    return found


def _total(filters: AgreementFilters, narrowed: bool, stmt: Callable[[], sa.Select]) -> int:
    """The list's total, reused while the data is unchanged; the plain list is counted
    from the table's size, which the database knows without visiting every row."""
    if not narrowed and filters == AgreementFilters(q=filters.q, sort=filters.sort):

        def count() -> int:
            everything = sa.select(sa.func.count()).select_from(Agreement).scalar_subquery()
            archived = sa.select(sa.func.count()).where(Agreement.archived_at.is_not(None))
            return db.session.scalar(sa.select(everything - archived.scalar_subquery()))

        return remember(("agreements", AgreementFilters()), count)
    return remember(("agreements", replace(filters, sort="")), lambda: count_rows(stmt()))


# Orders whose keys all ascend, so a page can start at a key instead of skipping rows.
SORT_KEYS = {
    "title": (Agreement.title, Agreement.id),
    "status": (Agreement.status, Agreement.title, Agreement.id),
}
DEEP_OFFSET = 1_000


def _from_page_start(
    stmt: sa.Select, keys: tuple, filters: AgreementFilters, number: int, offset: int
) -> tuple[sa.Select, int]:
    """``stmt`` starting at the sort key of the page's first row, and the offset left.

    Finding that key skips the rows before it once (in the index, without reading rows);
    it is then reused while the data is unchanged, so a deep page costs what page 1 does.
    """
    start = remember(
        ("page start", filters, number),
        lambda: db.session.execute(stmt.with_only_columns(*keys).offset(offset).limit(1)).first(),
    )
    if start is None:
        return stmt, offset
    bound = sa.tuple_(
        *(sa.literal(value, key.type) for key, value in zip(keys, start, strict=True))
    )
    return stmt.where(sa.tuple_(*keys) >= bound), 0


def _with_narrowings(
    wanted: sa.Select,
    filters: AgreementFilters,
    narrowings: list[_Narrowing],
    base: sa.Select,
    total: int,
    rows: int,
) -> sa.Select:
    """``wanted`` kept to the narrowings' sets, the cheaper way to read ``rows`` rows in
    the list's order: walking the list testing each row, or fetching the sets' rows."""
    if not narrowings:
        return wanted
    return _narrowing(wanted, narrowings, _probes(filters, lambda: base, total, rows))


def _probes(
    filters: AgreementFilters, base: Callable[[], sa.Select], total: int, rows: int
) -> bool:
    """Whether reading ``rows`` rows of the list narrowed to ``total`` agreements is cheaper
    by walking the list's index testing each row (rather than fetching the sets' rows);
    ``base()`` is the list without the narrowings, counted if its total is not kept."""
    among = _total(replace(filters, q="", party=None), False, base)
    walked = rows * among / max(total, 1)
    return walked < PROBE_ADVANTAGE * total


def _narrowing(wanted: sa.Select, narrowings: list[_Narrowing], probe: bool) -> sa.Select:
    """``wanted`` kept to the narrowings' sets, each tested on each row (``probe``) or as
    the ids to fetch."""
    for narrowing in narrowings:
        wanted = wanted.where(narrowing.test() if probe else Agreement.id.in_(narrowing.ids()))
    return wanted


def list_agreements(filters: AgreementFilters, page: int, size: int) -> Page:
    """One page of agreements with what each list row shows, in a fixed number of queries.

    Filters and orders are served by indexes (activity dates are stored on the agreement,
    kept by triggers). A party or a search narrows the list to a set of ids; when the set
    is a large share of the list, the list's index is walked in order and each row tested
    against the set, else the set's rows are fetched and sorted.
    """
    base = _narrowed(sa.select(Agreement.id), filters)
    narrowings = _narrowings(filters)

    def matching() -> sa.Select:
        stmt = base
        for narrowing in narrowings:
            stmt = stmt.where(Agreement.id.in_(narrowing.ids()))
        return stmt

    total = _total(filters, bool(narrowings), matching)
    number, pages = locate(page, total, size)
    offset = (number - 1) * size

    wanted = _narrowed(
        sa.select(
            Agreement.id,
            Agreement.title,
            Agreement.short_name,
            Agreement.status,
            Agreement.status_changed_on,
            Agreement.last_meeting_at,
            Agreement.marking_id,
        ),
        filters,
    )
    wanted = _with_narrowings(wanted, filters, narrowings, base, total, offset + size)

    if filters.sort == "activity":
        wanted = wanted.order_by(Agreement.last_activity_on.desc(), Agreement.title, Agreement.id)
    else:
        keys = SORT_KEYS[filters.sort if filters.sort in SORT_KEYS else "title"]
        wanted = wanted.order_by(*keys)
        if offset >= DEEP_OFFSET:
            wanted, offset = _from_page_start(wanted, keys, filters, number, offset)
    rows = [AgreementRow(*row) for row in db.session.execute(wanted.limit(size).offset(offset))]
    if rows:
        names = db.session.execute(
            sa.select(AgreementParty.agreement_id, Party.name)
            .join(Party, Party.id == AgreementParty.party_id)
            .where(AgreementParty.agreement_id.in_([row.id for row in rows]))
            .order_by(Party.name)
        )
        by_id = {row.id: row for row in rows}
        for agreement_id, name in names:
            by_id[agreement_id].parties.append(name)
    return Page(items=rows, number=number, pages=pages, total=total)


@dataclass(frozen=True)
class MeetingLine:
    """A meeting that discussed an agreement, as the agreement's page shows it."""

    id: int
    title: str
    starts_at: datetime
    timezone: str
    city: str
    country: str
    level: MeetingLevel
    outcome: str
    created_at: datetime  # when it was entered: the status report's "next meeting" as of a day

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(get_zone(self.timezone))

    @property
    def local_day(self) -> date:
        return local_day(self.starts_at, self.timezone)


_MEETING_LINE = (
    Meeting.id,
    Meeting.title,
    Meeting.starts_at,
    Meeting.timezone,
    Meeting.city,
    Meeting.country,
    Meeting.level,
    AgendaItem.outcome,
    Meeting.created_at,
)


def _meetings(agreement_id: int, *columns) -> sa.Select:
    return (
        sa.select(*_MEETING_LINE, *columns)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.agreement_id == agreement_id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )


def meetings_of(agreement_id: int) -> list[MeetingLine]:
    """The meetings (not archived) that discussed the agreement, newest first, as plain
    rows: an agreement discussed at hundreds of meetings costs one light query."""
    stmt = _meetings(agreement_id).where(Meeting.archived_at.is_(None))
    return [MeetingLine(*row) for row in db.session.execute(stmt)]


def meetings_and_markings(agreement_id: int) -> tuple[list[MeetingLine], dict[int, set[int]]]:
    """meetings_of's lines, and the markings of every meeting that discussed the agreement
    (archived ones too) with its agenda item's, in one statement (the status report's)."""
    rows = db.session.execute(
        _meetings(agreement_id, Meeting.archived_at, Meeting.marking_id, AgendaItem.marking_id)
    )
    lines: list[MeetingLine] = []
    found: dict[int, set[int]] = {}
    for *line, archived_at, meeting_marking, item_marking in rows:
        if archived_at is None:
            lines.append(MeetingLine(*line))
        found.setdefault(line[0], set()).update((meeting_marking, item_marking))
    return lines, found


def agreement_for_page(
    agreement_id: int, *, agenda: bool = True, position_history: bool = False
) -> Agreement | None:
    """One agreement with everything its pages show, loaded up front; its agenda items
    (with their meetings) only if ``agenda``: the agreement's own page reads meetings_of;
    each point's position history (oldest first) if ``position_history`` (the report)."""
    options = (
        [selectinload(Agreement.agenda_items).joinedload(AgendaItem.meeting)] if agenda else []
    )
    # Joined to the points' statement with their positions: a point's rows are its
    # positions times its steps, a few each.
    history = (
        [joinedload(NegotiationPoint.position_changes).joinedload(PositionChange.party)]
        if position_history
        else []
    )
    stmt = (
        sa.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            *options,
            # Its lead and its few parties in the same statement as the agreement.
            joinedload(Agreement.lead),
            joinedload(Agreement.party_links).joinedload(AgreementParty.party),
            selectinload(Agreement.status_changes).options(
                joinedload(StatusChange.meeting), joinedload(StatusChange.recorded_by)
            ),
            # Each point's few positions (one per party) joined to the points' statement.
            selectinload(Agreement.points).options(
                joinedload(NegotiationPoint.raised_at),
                joinedload(NegotiationPoint.settled_at),
                joinedload(NegotiationPoint.positions).joinedload(PartyPosition.party),
                *history,
            ),
            selectinload(Agreement.action_items).options(
                joinedload(ActionItem.owner), joinedload(ActionItem.meeting)
            ),
        )
    )
    return db.session.scalars(stmt).unique().one_or_none()


def timeline_parts(
    agreement: Agreement, meetings: list[MeetingLine]
) -> tuple[list[Phase], list[MeetingMark]]:
    """The status phases of an agreement loaded by agreement_for_page, and its meetings."""
    phases = [Phase(change.to_status, change.effective_on) for change in agreement.status_changes]
    marks = [
        # The day it was where it was held, as the meetings list shows it.
        MeetingMark(day=m.local_day, title=m.title, level=m.level.label)
        for m in meetings
    ]
    return phases, marks


def party_choices() -> tuple[tuple[int, str, str], ...]:
    """(id, name, kind) of the parties not archived, by kind and name; read once until the
    data changes."""

    def read() -> tuple[tuple[int, str, str], ...]:
        parties = db.session.execute(
            sa.select(Party.id, Party.name, Party.kind)
            .where(Party.archived_at.is_(None))
            .order_by(Party.kind, Party.name)
        )
        return tuple((id_, name, PartyKind(kind).label) for id_, name, kind in parties)

    return remember("party choices", read)


_STAFF = (
    sa.select(User.id, User.display_name).where(User.active.is_(True)).order_by(User.display_name)
)


def staff_choices() -> list[tuple[int, str]]:
    """(id, display name) of active staff, for lead selects (read on every request: users
    are not counted by the change counter; no marked records, so without the ORM's work)."""
    return [tuple(row) for row in access.read_unruled(db.session, _STAFF)]


# The list's orders as keys that end in the id, for pages that continue after a row's key.
ORDER_KEYS: dict[str, tuple[sa.ColumnElement, ...]] = {
    "title": (Agreement.title, Agreement.id),
    "status": (Agreement.status, Agreement.title, Agreement.id),
    "activity": (Agreement.last_activity_on.desc(), Agreement.title, Agreement.id),
}


# What a list shows of an agreement (the API's rows): plain values, read without making
# records of them.
LISTED = (
    Agreement.id,
    Agreement.title,
    Agreement.short_name,
    Agreement.category,
    Agreement.priority,
    Agreement.status,
    Agreement.status_changed_on,
    Agreement.last_activity_on,
    Agreement.archived_at,
    Agreement.version,
    # Not shown: what the answer's marking is worked out from (api/pagination.py).
    Agreement.marking_id,
    # Its parties, read with it rather than by a query of their own: see party_links.
    (
        sa.select(
            sa.func.aggregate_strings(
                sa.cast(AgreementParty.party_id, sa.String)
                + ":"
                + sa.type_coerce(AgreementParty.role, sa.String),
                ",",
            )
        )
        .where(AgreementParty.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
        .label("parties")
    ),
)


# The API list's statements (agreements_in_order), by filters, way, the rule's id and the
# database's kind.
_IN_ORDER: dict[tuple, tuple[sa.ColumnElement[bool], sa.Select]] = {}
_IN_ORDER_KEPT = 256


def agreements_in_order(filters: AgreementFilters, rows: int) -> tuple[sa.Select, tuple]:
    """The agreements the list shows for ``filters`` (rows of what the list shows of each:
    LISTED), unordered, and the keys of the list's order (the last is the id); their parties
    come from ``party_lines``.

    The narrowings (a party, a search) are applied the way that is cheaper for reading
    about ``rows`` rows from wherever the page starts, as the list page does. The statement
    is built once for each filters, way and reader's rule, and kept (the API's pages bind
    where they start and how many rows, api/pagination.py), unless it holds values of the
    data (the markings at or above a classification).
    """
    first = access.agreements_first(db.session)
    narrowings = _narrowings(filters)
    probe = None
    if narrowings:

        def base() -> sa.Select:
            return _narrowed(sa.select(Agreement.id), filters, first)

        def matching() -> sa.Select:
            stmt = base()
            for narrowing in narrowings:
                stmt = stmt.where(Agreement.id.in_(narrowing.ids()))
            return stmt

        total = _total(filters, True, matching)
        probe = _probes(filters, base, total, rows)
    keys = ORDER_KEYS[filters.sort if filters.sort in ORDER_KEYS else "title"]

    def build() -> sa.Select:
        wanted = _narrowed(sa.select(*LISTED), filters, first)
        return wanted if probe is None else _narrowing(wanted, narrowings, probe)

    if filters.classification is not None:
        return build(), keys
    # A search's statement is the database's own (FTS5 or tsvector).
    key = (filters, probe, id(first), db.engine.dialect.name)
    found = _IN_ORDER.get(key)
    if found is None or found[0] is not first:
        if len(_IN_ORDER) >= _IN_ORDER_KEPT:
            _IN_ORDER.clear()
        # The rule kept alongside, so that its id names no other while kept.
        found = _IN_ORDER[key] = (first, build().execution_options(**access.KEPT_STATEMENT))
    return found[1], keys


class PartyLine(NamedTuple):
    """A party of an agreement, as a list shows it (a tuple: a page makes hundreds)."""

    party_id: int
    role: PartyRole
    party_name: str


_PARTY_ORDER = sa.select(Party.id, Party.name).order_by(Party.name, Party.id)


def _party_order() -> dict[int, tuple[int, str]]:
    """Each party's place in the order of their names (as the database orders them: its
    collation, which Python's sort may not share) and its name; read once until the data
    changes (parties are not marked)."""

    def read() -> dict[int, tuple[int, str]]:
        rows = access.read_unruled(db.session, _PARTY_ORDER)
        return {party_id: (place, name) for place, (party_id, name) in enumerate(rows)}

    return remember("party order", read)


_ROLES = {role.value: role for role in PartyRole}


def party_links(rows: list) -> dict[int, list[PartyLine]]:
    """The parties of each of ``rows`` (LISTED, a page's), by name: from the ``parties``
    each row was read with ("party id:role" pieces), in the names' order kept until the
    data changes; by a query of their own if a party is newer than that order."""
    order = _party_order()
    lines: dict[int, list[PartyLine]] = {}
    for row in rows:
        if not row.parties:
            continue
        found = []
        for piece in row.parties.split(","):
            party_id, _, role = piece.partition(":")
            party_id = int(party_id)
            if party_id not in order:  # stored after the order was read (READ COMMITTED)
                return party_lines(row.id for row in rows)
            place, name = order[party_id]
            found.append((place, party_id, role, name))
        found.sort()
        lines[row.id] = [
            PartyLine(party_id, _ROLES[role], name) for _place, party_id, role, name in found
        ]
    return lines


_PARTY_LINES = (
    sa.select(AgreementParty.agreement_id, AgreementParty.party_id, AgreementParty.role, Party.name)
    .join(Party, Party.id == AgreementParty.party_id)
    .where(AgreementParty.agreement_id.in_(sa.bindparam("agreement_ids", expanding=True)))
    .order_by(Party.name, Party.id)
    .execution_options(**access.KEPT_STATEMENT)
)


def party_lines(agreement_ids: Iterable[int]) -> dict[int, list[PartyLine]]:
    """The parties of each of ``agreement_ids`` (a page's), by name, in one query (none
    for no agreements)."""
    lines: dict[int, list[PartyLine]] = {}
    wanted = list(agreement_ids)
    if not wanted:
        return lines
    for agreement_id, party_id, role, name in db.session.execute(
        _PARTY_LINES, {"agreement_ids": wanted}
    ):
        lines.setdefault(agreement_id, []).append(PartyLine(party_id, role, name))
    return lines


def agreement_for_api(agreement_id: int) -> Agreement | None:
    """One agreement with what the API shows of it: its lead and its parties."""
    return db.session.scalar(
        sa.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            joinedload(Agreement.lead),
            selectinload(Agreement.party_links).joinedload(AgreementParty.party),
        )
    )


def agreement_for_form(agreement_id: int) -> Agreement | None:
    """One agreement with what its edit form shows and replaces: its lead and its parties
    (the form reads both from the agreement), not its history, meetings, points or actions."""
    # One statement: the agreement's few party rows joined to it.
    return (
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.id == agreement_id)
            .options(
                joinedload(Agreement.lead),
                joinedload(Agreement.party_links).joinedload(AgreementParty.party),
            )
        )
        .unique()
        .one_or_none()
    )


def agreement_with_history(agreement_id: int) -> Agreement | None:
    """One agreement with its status history, each step's meeting and who recorded it."""
    return db.session.scalar(
        sa.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.status_changes).options(
                joinedload(StatusChange.meeting), joinedload(StatusChange.recorded_by)
            )
        )
    )
