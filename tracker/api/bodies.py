"""What the API takes as a request body: JSON, within the app's size cap
(MAX_CONTENT_LENGTH, as the pages). Anything else is refused before a view sees it, with a
problem: 413 too large, 415 not JSON, 400 JSON that does not parse (a body nested too deep
for the parser too), so no body can make the API answer 500."""

from __future__ import annotations

import json

from flask import abort, request

from tracker.api.access import READING_METHODS
from tracker.web.auth import is_api_request


def _sends_body() -> bool:
    return bool(request.content_length) or "Transfer-Encoding" in request.headers


def check_body() -> None:
    """Applied before every request: refuse an API request's body that is not JSON."""
    if not is_api_request() or request.method in READING_METHODS or not _sends_body():
        return
    if not request.is_json:
        abort(415, description="Send the body as JSON, with Content-Type: application/json.")
    body = request.get_data(cache=True)  # past the size cap: 413
    if not body:
        return
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        abort(400, description="The body is not valid JSON (UTF-8).")
