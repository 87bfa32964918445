"""Paging shared by every list: which page a number means, and one page of a query or list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db


@dataclass
class Page:
    """One page of a list, as the ``pagination`` macro expects it."""

    items: list[Any]
    number: int
    pages: int
    total: int


def locate(number: int, total: int, size: int) -> tuple[int, int]:
    """The page ``number`` brought within the pages ``total`` rows make, and how many."""
    pages = max(1, -(-total // size))
    return min(max(number, 1), pages), pages


def page_of(items: Sequence[Any], number: int, size: int) -> Page:
    """The ``number``th page of a list already in memory."""
    number, pages = locate(number, len(items), size)
    start = (number - 1) * size
    rows = list(items[start : start + size])
    return Page(items=rows, number=number, pages=pages, total=len(items))


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
    number, pages = locate(number, total, per_page)
    if not total:  # nothing to look for: a search with no match would read every row
        return Page(items=[], number=1, pages=1, total=0)
    result = db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    items = list(result.all() if rows else result.scalars())
    return Page(items=items, number=number, pages=pages, total=total)
