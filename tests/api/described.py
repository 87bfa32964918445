"""Checking an answer against the API's own OpenAPI description, as a client would."""

from __future__ import annotations

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "urn:tracker:openapi"


def assert_described(client, data, schema: str) -> None:
    """``data`` is what /api/v1/openapi.json says the component ``schema`` is."""
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource(BASE, Resource(contents=spec, specification=DRAFT202012))
    jsonschema.Draft202012Validator(
        {"$ref": f"{BASE}#/components/schemas/{schema}"},
        registry=registry,
        format_checker=jsonschema.FormatChecker(),
    ).validate(data)
