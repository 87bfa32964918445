"""Paging and search helpers shared by every list page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db

MAX_SEARCH_LENGTH = 200


@dataclass
class Page:
    """One page of a list, as the ``pagination`` macro expects it."""

    items: list[Any]
    number: int
    pages: int
    total: int


def count_rows(stmt: sa.Select) -> int:
    """How many rows ``stmt`` returns."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    return total or 0


def paginate(
    stmt: sa.Select, number: int, per_page: int, *, rows: bool = False, total: int | None = None
) -> Page:
    """The ``number``th page of ``stmt``; out-of-range numbers are clamped.

    Two queries, or one when the caller knows the ``total``.
    """
    if total is None:
        total = count_rows(stmt)
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    if not total:  # nothing to look for: a search with no match would read every row
        return Page(items=[], number=1, pages=1, total=0)
    result = db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    items = list(result.all() if rows else result.scalars())
    return Page(items=items, number=number, pages=pages, total=total)


def clean_search(text: str | None) -> str:
    """The search text as typed, without control characters the database refuses."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    return text.strip()[:MAX_SEARCH_LENGTH]
