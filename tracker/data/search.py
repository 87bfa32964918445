"""Full-text search: agreements found by their own text, their meetings' minutes and points.

The indexes live in the database, created and kept in sync by migrations, outside the
models' metadata: SQLite FTS5 tables filled by triggers, PostgreSQL generated ``tsvector``
columns with GIN indexes. Both stem English words (porter / 'english'), so "supply" finds
"Supplies"; the last word typed also matches as a prefix, so results come while typing.

User input never reaches the query syntax: it is cut into words of letters and digits, each
quoted, so operators, quotes, NEAR, ``*``, ``:`` or parentheses are just separators.
"""

from __future__ import annotations

import functools
import re

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AgendaItem, Agreement, Meeting, NegotiationPoint

WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
# Shorter last words are matched whole: a one-letter prefix matches nearly everything.
MIN_PREFIX = 2

# SQLite: one FTS5 table per searchable table. Agenda items have no single-column key, so
# their index is contentless, with rowid = meeting_id << 32 | agreement_id.
FTS_TABLES = {
    "agreement": "agreement_search",
    "meeting": "meeting_search",
    "agenda_item": "agenda_item_search",
    "negotiation_point": "negotiation_point_search",
}
# PostgreSQL: a generated column and its GIN index on each of the same tables, read through
# the owner's function for each (migration 0018).
SEARCH_NAMES = {
    "agreement": "agreement",
    "meeting": "meeting",
    "agenda_item": "agenda_item",
    "negotiation_point": "point",
}
SEARCH_COLUMN = "search_vector"
FTS5_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")


def is_search_object(name: str | None, type_: str, parent_names: dict | None = None) -> bool:
    """Whether a reflected name belongs to the search machinery the models do not describe.

    Used as Alembic's ``include_name`` filter (negated), so ``db check`` compares only what
    the models own.
    """
    if name is None:
        return False
    if type_ == "table":
        return any(
            name == fts or name in {fts + suffix for suffix in FTS5_SHADOW_SUFFIXES}
            for fts in FTS_TABLES.values()
        )
    if type_ == "column":
        return name == SEARCH_COLUMN
    if type_ == "index":
        return name.endswith("_" + SEARCH_COLUMN)
    return False


def words(text: str) -> list[str]:
    """The words of ``text`` that search uses: letters and digits only, lower case, capped."""
    found = [word.casefold()[:MAX_WORD_LENGTH] for word in WORD.findall(text or "")]
    return found[:MAX_WORDS]


def sqlite_query(terms: list[str]) -> str:
    """An FTS5 query: every word (each quoted, so never an operator), the last as a prefix."""
    quoted = [f'"{term}"' for term in terms]
    if len(terms[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


def postgresql_query(terms: list[str]) -> str:
    """A to_tsquery text: every word quoted as a lexeme, ANDed, the last as a prefix."""
    quoted = [f"'{term}'" for term in terms]
    if len(terms[-1]) >= MIN_PREFIX:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _sqlite_matches(table: str, query: str) -> sa.Select:
    """Rowids of the FTS5 table ``table`` matching ``query``."""
    return (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table(table))
        .where(sa.literal_column(table).op("MATCH")(query))
    )


def _active_meetings(ids: sa.Select) -> sa.Select:
    return sa.select(Meeting.id).where(Meeting.id.in_(ids), Meeting.archived_at.is_(None))


class _Sources:
    """Where an agreement's words are, as sets of ids to look agreements up by."""

    def __init__(self, query: str, dialect: str) -> None:
        self.query = query
        self.postgresql = dialect == "postgresql"

    def _tsquery(self):
        return sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), self.query)

    def _matches(self, table: str) -> sa.Select:
        """Ids of the rows of ``table`` whose words match: from the FTS5 table on SQLite, from
        the owner's search function on PostgreSQL (migration 0018: the GIN index, which row-level
        security would keep a plain ``@@`` from using). Only ids: whoever uses them looks the
        records up in their tables, where the reader's access applies."""
        if self.postgresql:
            return sa.select(
                getattr(sa.func, f"tracker_search_{SEARCH_NAMES[table]}")(self._tsquery())
            )
        return _sqlite_matches(FTS_TABLES[table], self.query)

    def agreements(self) -> sa.Select:
        """Agreements whose own text matches (those the reader may see)."""
        return sa.select(Agreement.id).where(Agreement.id.in_(self._matches("agreement")))

    def agreement_text(self) -> sa.Select:
        """Ids of the agreements whose own text matches, as the index gives them, seen or
        not: only to test an agreement row that the reader's access already narrows, which
        then says nothing of the others."""
        return self._matches("agreement")

    def meetings(self, *, active: bool = True) -> sa.Select:
        """Meetings whose title or minutes match; only active ones if ``active``."""
        if self.postgresql:
            found = sa.select(Meeting.id).where(Meeting.id.in_(self._matches("meeting")))
            return found.where(Meeting.archived_at.is_(None)) if active else found
        return _active_meetings(self._matches("meeting")) if active else self._matches("meeting")

    def outcomes(self) -> sa.Select:
        """(meeting, agreement) of agenda items whose outcome matches, at active meetings."""
        if self.postgresql:
            hits = (
                sa.func.tracker_search_agenda_item(self._tsquery())
                .table_valued("meeting_id", "agreement_id")
                .render_derived()
            )
        else:
            hits = (
                sa.select(
                    sa.literal_column("rowid >> 32").label("meeting_id"),
                    sa.literal_column("rowid & 4294967295").label("agreement_id"),
                )
                .select_from(sa.table(FTS_TABLES["agenda_item"]))
                .where(sa.literal_column(FTS_TABLES["agenda_item"]).op("MATCH")(self.query))
                .subquery()
            )
        # Through the agenda item itself, so that the reader's access to it (its marking,
        # its agreement's, its meeting's) applies to what its words reveal.
        return (
            sa.select(hits.c.meeting_id, hits.c.agreement_id)
            .join(
                AgendaItem,
                sa.and_(
                    AgendaItem.meeting_id == hits.c.meeting_id,
                    AgendaItem.agreement_id == hits.c.agreement_id,
                ),
            )
            .join(Meeting, Meeting.id == hits.c.meeting_id)
            .where(Meeting.archived_at.is_(None))
        )

    def points(self) -> sa.Select:
        """Agreements with a point whose subject or details match."""
        return sa.select(NegotiationPoint.agreement_id).where(
            NegotiationPoint.id.in_(self._matches("negotiation_point"))
        )


def _sources(text: str) -> _Sources | None:
    terms = words(text)
    if not terms:
        return None
    if db.engine.dialect.name == "postgresql":
        return _Sources(postgresql_query(terms), "postgresql")
    return _Sources(sqlite_query(terms), "sqlite")


# Statements are immutable: the same search typed again (the next page, the same query
# from someone else) reuses them instead of building a dozen constructs again.
@functools.lru_cache(maxsize=256)
def _cached(kind: str, text: str, dialect: str):
    return {"ids": _matching_ids, "test": _matches}[kind](text)


def matching_agreement_ids(text: str) -> sa.CompoundSelect | None:
    """Ids of agreements whose text, meetings (minutes, outcomes) or points match ``text``.

    None when ``text`` holds no word to search for.
    """
    return _cached("ids", text, db.engine.dialect.name)


def matching_meeting_ids(text: str) -> sa.Select | None:
    """Ids of meetings (archived ones too) whose title or minutes match ``text``; None
    when ``text`` holds no word to search for."""
    sources = _sources(text)
    return None if sources is None else sources.meetings(active=False)


def agreement_matches(text: str) -> sa.ColumnElement[bool] | None:
    """A condition on each agreement row: its text, meetings or points match ``text``; only
    for a query of agreements, which the reader's access narrows.

    For walking a long list in order and stopping after a page: the matching records are
    gathered once, and each agreement is checked against them, instead of first listing
    every agreement they belong to. None when ``text`` holds no word to search for.
    """
    return _cached("test", text, db.engine.dialect.name)


def _matching_ids(text: str) -> sa.CompoundSelect | None:
    sources = _sources(text)
    if sources is None:
        return None
    outcomes = sources.outcomes().subquery()
    return sa.union(
        sources.agreements(),
        sa.select(AgendaItem.agreement_id).where(AgendaItem.meeting_id.in_(sources.meetings())),
        sa.select(outcomes.c.agreement_id),
        sources.points(),
    )


def _matches(text: str) -> sa.ColumnElement[bool] | None:
    sources = _sources(text)
    if sources is None:
        return None
    # "id + 0": check each row against the set, rather than fetching rows by the set's ids.
    key = Agreement.id + 0
    outcomes = sources.outcomes().subquery()
    return sa.or_(
        # The row tested is an agreement the reader sees (the condition narrows a query of
        # agreements, which their access narrows too), so its own text's matches need no
        # second look at each matching agreement: for a reader who sees a tenth, that look
        # read 7,800 rows of a broad search to keep 800.
        key.in_(sources.agreement_text()),
        # Each agreement's few meetings are checked for being archived, not every match.
        sa.exists().where(
            AgendaItem.agreement_id == Agreement.id,
            (AgendaItem.meeting_id + 0).in_(sources.meetings(active=False)),
            Meeting.id == AgendaItem.meeting_id,
            Meeting.archived_at.is_(None),
        ),
        key.in_(sa.select(outcomes.c.agreement_id)),
        key.in_(sources.points()),
    )
