"""Fields every resource's schemas use: text a database can store, and record ids."""

from __future__ import annotations

import marshmallow as ma

from tracker.web.arguments import MAX_ID


def no_nul(value: str) -> None:
    """PostgreSQL cannot store a NUL character, and no field needs one."""
    if "\x00" in value:
        raise ma.ValidationError("Text cannot contain a NUL character.")


def text(max_length: int | None = None, **kwargs) -> ma.fields.String:
    """Text of at most ``max_length`` characters (unbounded: None), without NUL."""
    validators = [no_nul]
    if max_length is not None:
        validators.append(ma.validate.Length(max=max_length))
    return ma.fields.String(validate=validators, **kwargs)


def record_id(**kwargs) -> ma.fields.Integer:
    """A record's id in a JSON body: a whole number from 1 to 2³¹−1 (larger ones would
    overflow the database's integer, and are no record's)."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)
