"""What no API request may carry: a NUL character, in its query arguments or anywhere in its
JSON body. No field takes one and PostgreSQL cannot store one, so it is refused (422, by
field) before anything reads it, as the pages refuse it in forms (tracker/web/arguments.py)."""

from __future__ import annotations

from flask import request
from flask_smorest import abort

MESSAGE = "Contains a NUL character, which no field takes."


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def refuse_nul() -> None:
    """Refuse the request (422, naming each argument or top-level field) if it holds a NUL."""
    errors = {}
    query = {name for name, value in request.args.items(multi=True) if "\x00" in name + value}
    if query:
        errors["query"] = {name: [MESSAGE] for name in sorted(query)}
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        fields = {name for name, value in body.items() if _holds_nul(name) or _holds_nul(value)}
        if fields:
            errors["json"] = {name: [MESSAGE] for name in sorted(fields)}
    elif _holds_nul(body):
        errors["json"] = {"_schema": [MESSAGE]}
    if errors:
        abort(
            422,
            message="The request contained a NUL character, which no field takes.",
            errors=errors,
        )
