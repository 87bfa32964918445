"""What no API request may carry: a NUL character, in its query arguments or anywhere in its
JSON body. No field takes one and PostgreSQL cannot store one, so it is refused (422, by
field) before anything reads it, as the pages refuse it in forms (tracker/web/arguments.py)."""

from __future__ import annotations

from flask import request
from flask_smorest import abort

MESSAGE = "Contains a NUL character, which no field takes."


def _nul_errors(value):
    """Where in ``value`` a NUL is, as marshmallow names nested fields (``{"outcomes": {"1":
    {"note": [message]}}}``); None if nowhere."""
    if isinstance(value, str):
        return [MESSAGE] if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return None
    found = {}
    for key, item in items:
        where = [MESSAGE] if "\x00" in key else _nul_errors(item)
        if where is not None:
            found[key] = where
    return found or None


def refuse_nul() -> None:
    """Refuse the request (422, naming each argument or field, nested ones too) if it holds
    a NUL."""
    errors = {}
    query = {name for name, value in request.args.items(multi=True) if "\x00" in name + value}
    if query:
        errors["query"] = {name: [MESSAGE] for name in sorted(query)}
    body = request.get_json(silent=True) if request.is_json else None
    found = _nul_errors(body)
    if found is not None:
        errors["json"] = found if isinstance(found, dict) else {"_schema": found}
    if errors:
        abort(
            422,
            message="The request contained a NUL character, which no field takes.",
            errors=errors,
        )
