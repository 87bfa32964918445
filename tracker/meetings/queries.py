"""Reads of meetings for pages: explicit eager loading, no lazy loads in templates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from tracker.data import outgoing, search
from tracker.data.cache import Shelf, remember
from tracker.extensions import db
from tracker.markings.queries import at_or_above
from tracker.models import AgendaItem, Agreement, Meeting, MeetingLevel, Party, Person, utcnow
from tracker.web.arguments import MAX_ID
from tracker.web.forms import NONE_CHOSEN
from tracker.web.pagination import Page, count_rows, paginate


@dataclass(frozen=True)
class MeetingFilters:
    level: MeetingLevel | None = None
    agreement_id: int | None = None
    q: str = ""
    # The archived meetings instead of the active ones.
    archived: bool = False
    # "upcoming" (starting after now) or "past"; any other value: both.
    when: str = ""
    # Marked at this classification level (a rank) or higher.
    classification: int | None = None


def _filtered(stmt: sa.Select, filters: MeetingFilters) -> sa.Select:
    stmt = stmt.where(
        Meeting.archived_at.is_not(None) if filters.archived else Meeting.archived_at.is_(None)
    )
    if filters.when == "upcoming":
        stmt = stmt.where(Meeting.starts_at > utcnow())
    elif filters.when == "past":
        stmt = stmt.where(Meeting.starts_at <= utcnow())
    if filters.level is not None:
        stmt = stmt.where(Meeting.level == filters.level)
    if filters.classification is not None:
        stmt = stmt.where(at_or_above(Meeting.marking_id, filters.classification))
    if filters.agreement_id is not None:
        # The agreement's meetings through the agenda index, not a test of every meeting.
        stmt = stmt.where(
            Meeting.id.in_(
                sa.select(AgendaItem.meeting_id).where(
                    AgendaItem.agreement_id == filters.agreement_id
                )
            )
        )
    if filters.q:
        # Title and minutes through the full-text index (every word, English endings
        # ignored); the place and setting as typed, anywhere in them.
        found = [
            Meeting.title.icontains(filters.q, autoescape=True),
            Meeting.city.icontains(filters.q, autoescape=True),
            Meeting.setting.icontains(filters.q, autoescape=True),
        ]
        in_text = search.matching_meeting_ids(filters.q)
        if in_text is not None:
            found.append(Meeting.id.in_(in_text))
        stmt = stmt.where(sa.or_(*found))
    return stmt


def meetings(filters: MeetingFilters) -> sa.Select:
    """Meetings matching ``filters``, unordered, with what a representation of each shows:
    its gathering, participants and agenda with each agreement."""
    return _filtered(sa.select(Meeting), filters).options(
        joinedload(Meeting.parent),
        selectinload(Meeting.participants),
        selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement),
    )


def meeting_page(filters: MeetingFilters, number: int, size: int) -> Page:
    """Active meetings matching ``filters``, newest first; ``number`` is clamped to the range.

    The total is counted once per state of the data (tracker.data.cache.remember).
    """
    stmt = (
        _filtered(sa.select(Meeting), filters)
        .options(
            joinedload(Meeting.parent),
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement),
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    total = remember(("meetings", filters), lambda: count_rows(stmt))
    return paginate(stmt, number, size, total=total)


def meeting_detail(meeting_id: int) -> Meeting | None:
    """A meeting with everything its page shows."""
    stmt = (
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.parent),
            selectinload(Meeting.side_meetings),
            selectinload(Meeting.participants).joinedload(Person.party),
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement),
        )
    )
    return db.session.scalars(stmt).one_or_none()


def meeting(meeting_id: int) -> Meeting | None:
    """A meeting, archived or not, with what its representation shows (see :func:`meetings`)."""
    stmt = (
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.parent),
            selectinload(Meeting.participants),
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.agreement),
        )
    )
    return db.session.scalars(stmt).one_or_none()


def meeting_for_form(meeting_id: int) -> Meeting | None:
    """A meeting with the lists its form edits: its participants, and its agenda with the
    short name of each agreement (what a typed agenda row shows), nothing else of them."""
    stmt = (
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            # Not joined: SQLite would build the join of every meeting's participants first.
            selectinload(Meeting.participants),
            selectinload(Meeting.agenda_items)
            .joinedload(AgendaItem.agreement)
            .load_only(Agreement.short_name, Agreement.marking_id),
        )
    )
    return db.session.scalars(stmt).one_or_none()


def agreement_name(agreement_id: int | None) -> str | None:
    """How the list names the agreement it is narrowed to; None if there is no such one."""
    if agreement_id is None:
        return None
    row = db.session.execute(
        sa.select(Agreement.short_name, Agreement.title).where(Agreement.id == agreement_id)
    ).first()
    return None if row is None else row.short_name or row.title


def _descendant_ids(meeting_id: int) -> sa.Select:
    """Ids of the meeting's side meetings, theirs, and so on (archived ones included).

    Walked down from the meeting through the parent index, in the query that needs them:
    reading every meeting that has a parent took 20 ms a form at 250,000 meetings. UNION,
    not UNION ALL, so even a cycle written outside the app ends.
    """
    below = (
        sa.select(Meeting.id).where(Meeting.parent_id == meeting_id).cte("below", recursive=True)
    )
    side = aliased(Meeting)
    below = below.union(sa.select(side.id).join(below, side.parent_id == below.c.id))
    return sa.select(below.c.id)


def active_count(model) -> int:
    """How many records of ``model`` are not archived, counted once per state of the data."""
    return remember(
        ("active", model.__tablename__),
        lambda: db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.archived_at.is_(None))
        ),
    )


# The gatherings a meeting's form offers, kept until the data changes (per reader's access,
# tracker/data/cache.py): at 250,000 meetings a window holds a thousand, whose reading was
# most of the form's time and, kept as the same tuple, are drawn once (web/forms.py).
_GATHERINGS = Shelf("tracker.meetings.gatherings", size=32)


def parent_choices(
    meeting: Meeting | None, *, window: timedelta | None = None, also: int | None = None
) -> tuple[SelectChoice, ...]:
    """Gatherings a meeting may be held during: not archived, not itself or below it.

    With a ``window``, only those starting within it of the meeting (of the current hour,
    for a new one), besides its current gathering and ``also`` (the one asked for or
    submitted, if not archived): a side meeting is held while its gathering is, and a
    collection can hold hundreds of thousands of meetings.
    """
    around = None
    if window is not None:
        around = meeting.starts_at if meeting and meeting.starts_at else None
        around = around or utcnow().replace(minute=0, second=0, microsecond=0)
    key = (
        meeting.id if meeting else None,
        meeting.parent_id if meeting else None,
        around,
        window,
        also,
    )
    kept = _GATHERINGS.get(key)
    if kept is not None:
        choices, marked = kept
        outgoing.note_markings(db.session, marked, "meeting")  # shown as if read again
        return choices
    choices, marked = _read_gatherings(meeting, around, window, also)
    _GATHERINGS.put(key, (choices, marked))
    return choices


def _read_gatherings(
    meeting: Meeting | None, around: datetime | None, window: timedelta | None, also: int | None
) -> tuple[tuple[SelectChoice, ...], frozenset[int]]:
    """:func:`parent_choices`, read, with the markings of the gatherings offered."""
    active = Meeting.archived_at.is_(None)
    listed = active
    if window is not None:
        listed = sa.and_(active, Meeting.starts_at.between(around - window, around + window))
    current = meeting.parent_id if meeting else None
    # Only the ids there are: "id IS NULL" can be tested on no index, so SQLite would read
    # every meeting (300 ms at 250,000) instead of the window's and these few.
    others = [Meeting.id == current] if current is not None else []
    if also is not None:
        others.append(sa.and_(Meeting.id == also, active))
    row = sa.select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.marking_id)
    gathering = Meeting
    if others:
        # The window in its index's order and these few apart, merged (SQLite: MERGE (UNION
        # ALL)): "the window OR these" had every row of the window sorted again.
        gathering = aliased(
            Meeting,
            sa.union_all(row.where(listed), row.where(sa.or_(*others), sa.not_(listed))).subquery(
                "gathering"
            ),
        )
        listed = sa.true()
    stmt = (
        # The start as stored: only its month is shown, read from the text on SQLite.
        sa.select(gathering.id, gathering.title, _stored(gathering.starts_at), gathering.marking_id)
        .where(listed)
        .order_by(gathering.starts_at.desc(), gathering.id.desc())
    )
    if meeting and meeting.id:  # not itself or below it
        stmt = stmt.where(
            gathering.id != meeting.id, gathering.id.not_in(_descendant_ids(meeting.id))
        )
    choices = [SelectChoice("", "None")]
    marked = set()
    for id_, title, starts_at, marking_id in db.session.execute(stmt):
        choices.append(SelectChoice(str(id_), f"{title} ({_month(starts_at)})"))
        marked.add(marking_id)
    return tuple(choices), frozenset(marked)


def _stored(column) -> sa.ColumnElement:
    """``column`` as the database gives it, without SQLAlchemy's conversion (SQLite: text).
    Named apart from the column: SQLite then orders by the column, not by this result, and
    keeps merging the two index walks instead of reading every row before the first."""
    return sa.type_coerce(column, sa.String).label("stored_starts_at")


@cache
def _month_named(year: int, month: int) -> str:
    return f"{date(year, month, 1):%b %Y}"


@cache
def _month_of_text(year_month: str) -> str:
    return _month_named(int(year_month[:4]), int(year_month[5:7]))


def _month(stored: str | datetime) -> str:
    """ "Mar 2023": the UTC month of a start as the database gives it (SQLite: naive UTC
    text), written once for the hundred or so gatherings that share it; converting and
    formatting each start was a fifth of the meeting form."""
    if isinstance(stored, str):
        return _month_of_text(stored[:7])
    moment = stored.astimezone(UTC) if stored.tzinfo else stored
    return _month_named(moment.year, moment.month)


def participant_choices(keep: Iterable[int] = ()) -> tuple[SelectChoice, ...]:
    """People grouped by party (an <optgroup> each); archived ones only if already chosen.

    Read once until the data changes (people raise the change counter too), and kept as
    the same tuple, drawn once: 600 people at the benchmark's scale."""
    keep = tuple(sorted(set(keep)))
    stmt = (
        sa.select(Person.id, Person.name, Person.position, Party.name)
        .join(Person.party)
        .where(sa.or_(Person.archived_at.is_(None), Person.id.in_(keep)))
        .order_by(Party.name, Person.name, Person.id)
    )
    return remember(
        ("participant choices", keep),
        lambda: tuple(
            SelectChoice(str(id_), f"{name}, {position}" if position else name, optgroup=party)
            for id_, name, position, party in db.session.execute(stmt)
        ),
    )


def agreement_by_reference(text: str, keep: Iterable[int] = ()) -> int | None:
    """The id of the agreement typed as its short name (any case) or number ("#12" or
    "12"); archived ones only if in ``keep``. None if there is no such agreement."""
    text = text.strip()
    keep = list(keep)
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit():
        if int(number) > MAX_ID:
            return None
        found = Agreement.id == int(number)
    else:
        found = sa.func.lower(Agreement.short_name) == text.lower()
    return db.session.scalar(
        sa.select(Agreement.id).where(
            found, sa.or_(Agreement.archived_at.is_(None), Agreement.id.in_(keep))
        )
    )


def agreement_references(ids: Iterable[int], known: Iterable[Agreement] = ()) -> dict[int, str]:
    """How a typed agenda row shows each agreement: its short name, else its number;
    read only for those not among the ``known`` agreements."""
    names = {agreement.id: agreement.short_name or f"#{agreement.id}" for agreement in known}
    ids = [id_ for id_ in ids if id_ is not None and 0 < id_ <= MAX_ID and id_ not in names]
    if not ids:
        return names
    rows = db.session.execute(
        sa.select(Agreement.id, Agreement.short_name).where(Agreement.id.in_(ids))
    )
    return names | {id_: short_name or f"#{id_}" for id_, short_name in rows}


def agreement_choices(keep: Iterable[int] = ()) -> list[SelectChoice]:
    """Agreements to pick on an agenda row; archived ones only if already discussed."""
    keep = list(keep)
    stmt = (
        sa.select(Agreement.id, Agreement.title, Agreement.short_name)
        .where(sa.or_(Agreement.archived_at.is_(None), Agreement.id.in_(keep)))
        .order_by(Agreement.title)
    )
    choices = [NONE_CHOSEN]
    for id_, title, short_name in db.session.execute(stmt):
        choices.append(SelectChoice(str(id_), f"{title} ({short_name})" if short_name else title))
    return choices
