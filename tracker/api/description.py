"""What the OpenAPI description says of every operation, added once here rather than by each
resource: the problems it may answer with (RFC 9457, ``application/problem+json``), the
``ETag`` of a record and the ``Link`` of a list page.

An error a resource documents itself (``@blp.alt_response(409, description=...)``) keeps its
description and gets the problem's content; the rest follow from the operation's shape:
every operation needs a token (401, 403), may be throttled (429) or find the database busy
(503) and may be sent what cannot be read (400); one with an id in its path may find no
record (404); one with arguments or a body may have them refused (422); one with a body may
send too much or the wrong type (413, 415); one that takes If-Match may get 428 or 412.
"""

from __future__ import annotations

from apispec import BasePlugin

from tracker.api import problems

EVERY_OPERATION = (400, 401, 403, 429, 503)
WRITING = frozenset({"post", "put", "patch", "delete"})

ETAG = {
    "description": "The record's version, to send back as If-Match with a change.",
    "required": True,
    "schema": {"type": "string"},
}
LINK = {
    "description": 'The next page, as `<url>; rel="next"`; absent on the last.',
    "schema": {"type": "string"},
}


def _status(code) -> int | None:
    try:
        return int(code)
    except ValueError:  # "default", "4XX"
        return None


def _schema_name(response) -> str | None:
    """The component a JSON response's schema refers to, if it does."""
    if not isinstance(response, dict):
        return None
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if isinstance(schema, dict):
        schema = schema.get("$ref", "").rsplit("/", 1)[-1] or None
    return schema if isinstance(schema, str) else None


def _takes_if_match(operation: dict) -> bool:
    return any(
        isinstance(parameter, dict)
        and parameter.get("in") == "header"
        and parameter.get("name", "").lower() == "if-match"
        for parameter in operation.get("parameters", [])
    )


class CommonResponses(BasePlugin):
    """An apispec plugin adding to each operation the answers every resource shares."""

    def init_spec(self, spec) -> None:
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            self._problems(path or "", method, operation)
            self._headers(operation)
            operation["responses"] = dict(
                sorted(operation["responses"].items(), key=lambda item: str(item[0]))
            )

    def _problems(self, path: str, method: str, operation: dict) -> None:
        responses = operation.setdefault("responses", {})
        codes = set(EVERY_OPERATION)
        if "{" in path:
            codes.add(404)
        if operation.get("parameters") or "requestBody" in operation or method in WRITING:
            codes.add(422)
        if "requestBody" in operation:
            codes |= {413, 415}
        if _takes_if_match(operation):
            codes |= {412, 428}
        documented = {_status(code) for code in responses}
        for code in sorted(codes - documented):
            responses[code] = problems.response(code)
        for code, response in responses.items():
            status = _status(code)
            if status is None or status < 400:
                continue
            if isinstance(response, str):
                # A named response (flask-smorest's "UNPROCESSABLE_ENTITY" for refused
                # arguments): ours, as it is answered.
                responses[code] = problems.response(status)
            elif "content" not in response:
                described = problems.response(status)
                response["content"] = described["content"]
                if "headers" in described:
                    response.setdefault("headers", described["headers"])

    def _headers(self, operation: dict) -> None:
        for code, response in operation.get("responses", {}).items():
            status = _status(code)
            name = _schema_name(response)
            if status is None or not 200 <= status < 300 or name is None:
                continue
            properties = self.spec.components.schemas.get(name, {}).get("properties", {})
            headers = response.setdefault("headers", {})
            if "version" in properties:  # a record: answered with its ETag (versions.tagged)
                headers.setdefault("ETag", dict(ETAG))
            elif {"items", "next"} <= properties.keys():  # a page of a list
                headers.setdefault("Link", dict(LINK))
