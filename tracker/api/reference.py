"""The API's reference page, drawn on the server from its OpenAPI description: no script and
nothing from another site, so the Content-Security-Policy stays as strict as everywhere."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_reference", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


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


@bp.route("/api/v1/docs", endpoint="page")
def page():
    spec = current_app.extensions["tracker.api"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operations.append((path, method.upper(), item[method]))
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=operations,
        schemas=spec.get("components", {}).get("schemas", {}),
        schema_name=_schema_name,
    )
