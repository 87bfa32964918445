"""Errors on the API as RFC 9457 problem details (``application/problem+json``): a status, its
title, what went wrong for this request, and for refused input the messages by field."""

from __future__ import annotations

from http import HTTPStatus

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
    headers = dict(data.get("headers") or {})
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="tracker API"')
    if error.code == 429 and getattr(error, "retry_after", None):
        headers.setdefault("Retry-After", str(error.retry_after))
    detail = data.get("message") or error.description
    extra = {key: value for key, value in data.items() if key in ("current",)}
    return problem(error.code or 500, detail, errors=errors, headers=headers, **extra)
