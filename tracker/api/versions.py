"""Records on the API carry an ``ETag`` made from their version, and a change or a delete
must send it back as ``If-Match``: 428 without one, 412 when the record has moved on since,
with where to read it as it is now. So a program's change never overwrites one it has not
seen, as a page's form never does (tracker/web/conflicts.py)."""

from __future__ import annotations

from flask import request
from flask_smorest import abort

# Documented on every operation that takes If-Match.
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the record as you read it.",
    "schema": {"type": "string"},
}
CHANGE_RESPONSES = {
    412: {"description": "The record changed since you read it; the problem says where."},
    428: {"description": "Send the record's ETag as If-Match."},
}


def etag(record) -> str:
    """The record's entity tag: its version, which every save raises."""
    return f'"v{record.version}"'


def require_version(record, current_url: str) -> None:
    """Refuse the change unless ``If-Match`` names the record's current version."""
    # "*" (any version) is not taken: it would let a change overwrite what it has not seen.
    if not request.if_match or request.if_match.star_tag:
        abort(428, message="Send the ETag you read the record with as If-Match.")
    if not request.if_match.contains(etag(record).strip('"')):
        abort(
            412,
            message="The record changed since you read it: read it again and send its new "
            "ETag as If-Match.",
            current=current_url,
        )


def tagged(record, status: int = 200, **headers) -> tuple:
    """A view's answer of ``record`` with its ETag (and other ``headers``)."""
    return record, status, {"ETag": etag(record), **headers}
