"""Errors on the API as RFC 9457 problem details (``application/problem+json``): a status, its
title, what went wrong for this request, and for refused input the messages by field."""

from __future__ import annotations

from copy import deepcopy
from http import HTTPStatus

import marshmallow as ma
from flask import Response, json
from werkzeug.exceptions import HTTPException

from tracker.web.security import request_id

MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    headers: dict[str, str] | None = None,
    **members,
) -> Response:
    """A problem-details response; ``members`` are extension members of the problem."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
        "request_id": request_id(),
        **members,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def from_exception(error: HTTPException) -> Response:
    """The problem of an HTTP error raised anywhere on the API, with what webargs or the
    view put in ``error.data`` (field messages, headers, a current representation)."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    # What the error itself says in headers (a 405's Allow), beside what the view added.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="tracker API"')
    if error.code == 429 and getattr(error, "retry_after", None):
        headers.setdefault("Retry-After", str(error.retry_after))
    detail = data.get("message") or error.description
    extra = {key: value for key, value in data.items() if key in ("current",)}
    return problem(error.code or 500, detail, errors=errors, headers=headers, **extra)


class ProblemSchema(ma.Schema):
    """A problem (RFC 9457), as every error on the API is answered."""

    class Meta:
        # Problems may carry extension members (RFC 9457, 3.2); clients ignore those they
        # do not know.
        unknown = ma.INCLUDE

    type = ma.fields.String(
        required=True, metadata={"description": "`about:blank`: the status says what it is."}
    )
    title = ma.fields.String(required=True, metadata={"description": "The status's phrase."})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status."})
    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong with this request."}
    )
    request_id = ma.fields.String(
        required=True,
        metadata={"description": "This request's id (also in X-Request-ID): quote it to staff."},
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={
            "description": "Refused input: messages by where it was sent (`json`, `query`, "
            '`headers`) and field, e.g. `{"json": {"name": ["Missing data for required '
            'field."]}}`.'
        },
    )
    current = ma.fields.String(
        metadata={"description": "On 412: where to read the record as it is now."}
    )


# What each error means on the API, for the description of every operation that may answer it.
DESCRIPTIONS = {
    400: "The request could not be read: malformed JSON, or a cursor this list did not give out.",
    401: "No working token: send `Authorization: Bearer <token>`.",
    403: "The token's user lacks the role for this, or the token may only read.",
    404: "There is no such record.",
    409: "The change conflicts with another made meanwhile.",
    412: "The record changed since you read it (If-Match is stale): nothing was saved; "
    "`current` says where to read it again.",
    413: "The body is larger than the server accepts.",
    415: "Send the body as `application/json`.",
    422: "Refused input: `errors` holds the messages by field, nothing was saved.",
    428: "Send the ETag you read the record with as If-Match.",
    429: "Too many requests with this token: try again after Retry-After seconds.",
    503: "The database was busy or the request took too long; nothing was saved: try again "
    "after Retry-After seconds.",
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "string"},
}
HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "How to authenticate: a Bearer token.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {"Retry-After": RETRY_AFTER},
    503: {"Retry-After": RETRY_AFTER},
}


def response(status: int) -> dict:
    """The description of a problem answer with ``status``."""
    described = {
        "description": DESCRIPTIONS.get(status) or HTTPStatus(status).phrase,
        "content": {MEDIA_TYPE: {"schema": "Problem"}},
    }
    if status in HEADERS:
        described["headers"] = deepcopy(HEADERS[status])
    return described
