"""Lists on the API, a page at a time by opaque cursors: a page continues after the sort key
of the last row it returned, so pages stay right while records are added, and a deep page
costs what the first does (no OFFSET).

A cursor is the last row's sort key, signed with the app's secret and tied to the list and
its filters: one that was edited, or belongs to another list, is refused (400).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from tracker.api.rows import Rows
from tracker.data import outgoing
from tracker.extensions import db
from tracker.web.outgoing import shown_text

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageArgs(ma.Schema):
    """The query arguments of every list."""

    cursor = ma.fields.String(
        metadata={"description": "Where to continue: the `next` cursor of the page before."}
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Rows on the page, 1 to {MAX_LIMIT}."},
    )


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The schema of a page of ``item``s: the rows, the cursor of the next page and the
    marking of what the page shows."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": Rows(item, required=True),
            "next": ma.fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "The cursor of the next page; null on the last."},
            ),
            "marking": marking_field(),
        },
    )


def marking_field() -> ma.fields.Function:
    """The answer's ``marking``: the highest marking of what it shows, worked out as it is
    written (declare it last, after the fields whose records it covers)."""
    return ma.fields.Function(
        lambda _answer: shown_text(),
        required=True,
        metadata={
            "type": "string",
            "description": "The highest classification marking of what this answer shows, "
            "e.g. `SECRET // REL TO IND, JPN` (as the X-Classification header).",
        },
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="tracker api cursor")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


@dataclass(frozen=True)
class Page:
    items: list
    next: str | None


def _typed(key: sa.ColumnElement, value: Any) -> Any:
    """A cursor's value as its column holds it (dates travel as ISO text)."""
    if not isinstance(value, str):
        return value
    # A TypeDecorator (UTCDateTime) says "object"; the type it stores says what it holds.
    kind = getattr(key.type, "impl_instance", key.type)
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return value
    try:
        if python_type is datetime:
            return datetime.fromisoformat(value)
        if python_type is date:
            return date.fromisoformat(value)
    except ValueError:
        abort(400, message="That cursor is not one this list gave out.")
    return value


def encode_cursor(scope: str, values: Sequence[Any]) -> str:
    """The cursor continuing after ``values`` (the last row's sort key) in the list ``scope``."""
    return _serializer().dumps([scope, [_plain(value) for value in values]])


def decode_cursor(cursor: str, scope: str, count: int) -> list:
    """The sort key a cursor of the list ``scope`` continues after (``count`` values as JSON
    holds them: dates as ISO text); one edited or of another list is refused (400)."""
    try:
        kind, after = _serializer().loads(cursor)
    except BadSignature:
        abort(400, message="That cursor is not one this list gave out.")
    if kind != scope or not isinstance(after, list) or len(after) != count:
        abort(400, message="That cursor belongs to another list or other filters.")
    return after


def _column(key: sa.ColumnElement) -> tuple[sa.ColumnElement, bool]:
    """The column of an order key, and whether it descends (``column.desc()``)."""
    if isinstance(key, UnaryExpression) and key.modifier is operators.desc_op:
        return key.element, True
    return key, False


def _after(keys: Sequence[sa.ColumnElement]) -> sa.ColumnElement[bool]:
    """Rows after the sort key bound as ``_after_0``, ``_after_1``… in the order of ``keys``:
    one row-value comparison when the keys run one way (which an index on them serves as a
    range), else key by key."""
    columns = [_column(key) for key in keys]
    bounds = [
        sa.bindparam(f"_after_{n}", type_=column.type) for n, (column, _) in enumerate(columns)
    ]
    directions = {descending for _, descending in columns}
    if directions == {False}:
        return sa.tuple_(*(column for column, _ in columns)) > sa.tuple_(*bounds)
    if directions == {True}:
        return sa.tuple_(*(column for column, _ in columns)) < sa.tuple_(*bounds)
    # a > x, or a = x and what follows is after: from the last key outwards.
    condition = None
    for (column, descending), bound in reversed(list(zip(columns, bounds, strict=True))):
        beyond = column < bound if descending else column > bound
        condition = (
            beyond if condition is None else sa.or_(beyond, sa.and_(column == bound, condition))
        )
    # The first key's range said on its own too, so that an index on it starts there.
    (first, descending), bound = columns[0], bounds[0]
    return sa.and_(first <= bound if descending else first >= bound, condition)


def _paged(
    stmt: sa.Select, keys: Sequence[sa.ColumnElement], after: bool
) -> tuple[sa.Select, list[str]]:
    """``stmt`` as a page: after the bound sort key (if ``after``), with the key's columns
    added (labelled ``_cursor_<n>``), in the order of ``keys``, at most ``_page_rows`` rows."""
    if after:
        stmt = stmt.where(_after(keys))
    labels = [f"_cursor_{n}" for n in range(len(keys))]
    stmt = stmt.add_columns(
        *(_column(key)[0].label(label) for key, label in zip(keys, labels, strict=True))
    )
    return stmt.order_by(*keys).limit(sa.bindparam("_page_rows")), labels


# Pages of statements built once and run again (marked ``access.KEPT_STATEMENT``), by the
# statement's id and the page's shape, the statement and its keys kept alongside so that
# their ids name no others: the same page statement each time, whose cache key SQLAlchemy
# does not work out again, and which the data layer narrows once per reader's access.
_KEPT_PAGES: dict[tuple, tuple[sa.Select, tuple, sa.Select, list[str]]] = {}
_KEPT_PAGES_MAX = 256


def _page_statement(
    stmt: sa.Select, keys: Sequence[sa.ColumnElement], descending: bool, after: bool
) -> tuple[sa.Select, list[str], list[sa.ColumnElement]]:
    """The page statement of ``stmt`` in the order of ``keys`` (each reversed if
    ``descending``), its cursor labels and the order's keys."""
    order = [key.desc() for key in keys] if descending else list(keys)
    if not stmt.get_execution_options().get("tracker_kept"):
        return (*_paged(stmt, order, after), order)
    key = (id(stmt), descending, after)
    found = _KEPT_PAGES.get(key)
    if (
        found is not None
        and found[0] is stmt
        and len(found[1]) == len(keys)
        and all(a is b for a, b in zip(found[1], keys, strict=True))
    ):
        return found[2], found[3], order
    if len(_KEPT_PAGES) >= _KEPT_PAGES_MAX:
        _KEPT_PAGES.clear()
    paged, labels = _paged(stmt, order, after)
    _KEPT_PAGES[key] = (stmt, tuple(keys), paged, labels)
    return paged, labels, order


def page(
    stmt: sa.Select,
    keys: Sequence[sa.ColumnElement],
    *,
    scope: str,
    cursor: str | None,
    limit: int,
    descending: bool = False,
    whole_rows: bool = False,
) -> Page:
    """What ``stmt`` selects first (a record; with ``whole_rows``, the rows it selects), after
    ``cursor``, in the order of ``keys`` (columns, ascending, or ``column.desc()``; the last
    must be unique and never null; with ``descending`` every key is reversed), at most
    ``limit``; ``scope`` names the list and its filters, so a cursor of another list is
    refused. A statement built once and run again (marked ``access.KEPT_STATEMENT``, with
    ``keys`` made once too) gets the same page statement each time."""
    paged, labels, order = _page_statement(stmt, keys, descending, bool(cursor))
    values: dict[str, Any] = {"_page_rows": limit + 1}
    if cursor:
        after = decode_cursor(cursor, scope, len(order))
        for n, (key, value) in enumerate(zip(order, after, strict=True)):
            values[f"_after_{n}"] = _typed(_column(key)[0], value)
    rows = list(db.session.execute(paged, values).all())
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = encode_cursor(scope, [rows[-1]._mapping[label] for label in labels])
    if whole_rows and rows and "marking_id" in rows[0]._fields:
        # Plain rows load no records: their markings are noted as a load would note them.
        outgoing.note_markings(db.session, {row.marking_id for row in rows}, "rows")
    return Page(items=rows if whole_rows else [row[0] for row in rows], next=following)


def link_header(next_cursor: str | None, endpoint: str, **args) -> dict[str, str]:
    """The ``Link`` header pointing at the next page, if there is one."""
    if next_cursor is None:
        return {}
    query = {**request.args.to_dict(), **args, "cursor": next_cursor}
    return {"Link": f'<{url_for(endpoint, **query)}>; rel="next"'}
