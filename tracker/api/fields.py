"""Fields the API's schemas share: record ids a database can hold, and text a database can
store, so that bad input is a 422 naming its field rather than a database error."""

from __future__ import annotations

import marshmallow as ma

from tracker.web.arguments import MAX_ID


def no_nul(value: str) -> None:
    # PostgreSQL cannot store or compare a NUL character; the pages refuse it too.
    if "\x00" in value:
        raise ma.ValidationError("No field takes a NUL character.")


def text(max_length: int | None = None, *, min_length: int | None = None, **kwargs):
    """A string field refusing NUL characters, and lengths outside the bounds given."""
    validators = [no_nul]
    if max_length is not None or min_length is not None:
        validators.append(ma.validate.Length(min=min_length, max=max_length))
    return ma.fields.String(validate=validators, **kwargs)


def record_id(**kwargs):
    """An integer that can be a record's id (1 to 2³¹−1): a larger one matches nothing. In a
    JSON body it must be a number (``strict``); query arguments pass ``strict=False``."""
    kwargs.setdefault("strict", True)
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)
