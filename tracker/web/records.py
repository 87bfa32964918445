"""Loading the record a request is about: one that does not exist is a 404."""

from __future__ import annotations

from typing import TypeVar

from flask import abort

T = TypeVar("T")


def or_404(record: T | None) -> T:
    """``record``, or a 404 page when the query found none."""
    if record is None:
        abort(404)
    return record
