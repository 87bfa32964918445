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

from tracker.extensions import db

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
    """The schema of a page of ``item``s: the rows and the cursor of the next page."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item), required=True),
            "next": ma.fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "The cursor of the next page; null on the last."},
            ),
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
    # A TypeDecorator (UTCDateTime) holds values of the type it decorates.
    column_type = getattr(key.type, "impl_instance", key.type)
    try:
        python_type = column_type.python_type
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


def page(
    stmt: sa.Select,
    keys: Sequence[sa.ColumnElement],
    *,
    scope: str,
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> Page:
    """What ``stmt`` selects first (a record), after ``cursor``, in the ascending (or
    ``descending``) order of ``keys`` (which must end in a unique column), at most
    ``limit``; ``scope`` names the list and its filters, so a cursor of another list is
    refused."""
    if cursor:
        try:
            kind, after = _serializer().loads(cursor)
        except BadSignature:
            abort(400, message="That cursor is not one this list gave out.")
        if kind != scope or len(after) != len(keys):
            abort(400, message="That cursor belongs to another list or other filters.")
        bound = sa.tuple_(
            *(
                sa.literal(_typed(key, value), key.type)
                for key, value in zip(keys, after, strict=True)
            )
        )
        after_bound = sa.tuple_(*keys) < bound if descending else sa.tuple_(*keys) > bound
        stmt = stmt.where(after_bound)
    labels = [f"_cursor_{n}" for n in range(len(keys))]
    stmt = stmt.add_columns(*(key.label(label) for key, label in zip(keys, labels, strict=True)))
    order = [key.desc() for key in keys] if descending else keys
    rows = list(db.session.execute(stmt.order_by(*order).limit(limit + 1)).all())
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        values = [_plain(rows[-1]._mapping[label]) for label in labels]
        following = _serializer().dumps([scope, values])
    return Page(items=[row[0] for row in rows], next=following)


def link_header(next_cursor: str | None, endpoint: str, **args) -> dict[str, str]:
    """The ``Link`` header pointing at the next page, if there is one."""
    if next_cursor is None:
        return {}
    query = {**request.args.to_dict(), **args, "cursor": next_cursor}
    return {"Link": f'<{url_for(endpoint, **query)}>; rel="next"'}
