"""The API's reference page, drawn on the server from its OpenAPI description: no script and
nothing from another site, so the Content-Security-Policy stays as strict as everywhere."""

from __future__ import annotations

import itertools
import re

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from tracker.api import problems

bp = Blueprint("api_reference", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


CODE_SPAN = re.compile(r"`([^`]+)`")


def _prose(text: str | None) -> Markup:
    """A description as the page shows it: escaped, its `code spans` (the one piece of
    Markdown the descriptions use) set as code."""
    # split() alternates the text between code spans and the spans' contents.
    parts = CODE_SPAN.split(text or "")
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if odd else escape(part)
        for odd, part in zip(itertools.cycle((False, True)), parts)
    )


def _schema_name(schema: dict | None) -> str:
    """How a schema is named in the page: its component, or its type."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items'))}"
    kind = schema.get("type", "")
    return " or ".join(kind) if isinstance(kind, list) else kind


def _is_problem(response: dict) -> bool:
    return problems.MEDIA_TYPE in response.get("content", {})


def _special(code: str, response: dict) -> bool:
    """Whether an operation says more of a problem than every operation does."""
    generic = problems.DESCRIPTIONS.get(int(code)) if code.isdigit() else None
    return response.get("description") != generic


@bp.route("/api/v1/docs", endpoint="page")
def page():
    spec = current_app.extensions["tracker.api"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                # The path's own parameters (the record's id) first, then the operation's.
                parameters = item.get("parameters", []) + item[method].get("parameters", [])
                operations.append((path, method.upper(), item[method], parameters))
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=operations,
        schemas=spec.get("components", {}).get("schemas", {}),
        schema_name=_schema_name,
        is_problem=_is_problem,
        special=_special,
        problem_descriptions=problems.DESCRIPTIONS,
        prose=_prose,
    )
