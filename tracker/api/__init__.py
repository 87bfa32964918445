"""The JSON API under ``/api/v1/``: flask-smorest blueprints in each feature's ``api.py``,
with their OpenAPI description generated from the code (``/api/v1/openapi.json``) and a
reference page served by the app itself (``/api/v1/docs``).

Callers authenticate with a personal token on every request (``Authorization: Bearer``),
never with the browser's session, so the API needs no CSRF token. Errors are problem
details (RFC 9457). Lists are paged with opaque cursors. Records carry an ETag from their
version, and a change needs ``If-Match``.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from importlib.util import find_spec

from flask import Flask
from flask_smorest import Api

from tracker.api import description, problems
from tracker.extensions import csrf
from tracker.web import security

PREFIX = "/api/v1"


class TrackerApi(Api):
    """flask-smorest's Api, leaving errors to the app (its own handler would answer every
    error of the whole app, pages included, with its JSON) and describing them as they are
    answered: problem details (tracker/api/problems.py), documented on each operation by
    tracker/api/description.py rather than as one catch-all "default" in another shape."""

    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = problems.ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        self.spec.components.schema("Problem", schema=problems.ProblemSchema)


def register(app: Flask, features: Iterable[str]) -> None:
    """The API's blueprints (the ``blp`` of each feature's ``api`` module), description and
    reference page, on ``app``."""
    app.config.update(
        API_TITLE="tracker",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "International agreements under negotiation: their parties, "
                "status, meetings, points and actions. Authenticate with a personal API "
                "token (your account page, or `tracker tokens create`) as "
                "`Authorization: Bearer <token>`."
            },
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{"token": []}],
        },
    )
    api = TrackerApi(app, spec_kwargs={"extra_plugins": [description.CommonResponses()]})
    app.extensions["tracker.api"] = api
    app.extensions[security.API_PROBLEMS] = problems.from_exception
    for feature in features:
        if find_spec(f"tracker.{feature}.api") is None:
            continue
        blueprint = import_module(f"tracker.{feature}.api").blp
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    from tracker.api import reference

    app.register_blueprint(reference.bp)
