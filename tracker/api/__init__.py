"""The JSON API under ``/api/v1/``: flask-smorest blueprints in each feature's ``api.py``,
with their OpenAPI description generated from the code (``/api/v1/openapi.json``) and a
reference page served by the app itself (``/api/v1/docs``).

Callers authenticate with a personal token on every request (``Authorization: Bearer``),
never with the browser's session, so the API needs no CSRF token. Errors are problem
details (RFC 9457). Lists are paged with opaque cursors. Records carry an ETag from their
version, and a change needs ``If-Match``.
"""

from __future__ import annotations

import threading
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

    # The description of each blueprint's operations is written when the description is
    # first read (its JSON, the reference page), not as the blueprint is registered: writing
    # it is three quarters of making an app (apispec resolving every schema), which a
    # worker serving requests, a command or a test's app mostly never needs. The same
    # blueprints in the same order: the very same description.

    def __init__(self, *args, **kwargs):
        self._undocumented: list[tuple] = []
        self._documenting = threading.Lock()
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        if self._undocumented:
            with self._documenting:
                while self._undocumented:
                    blueprint, name, parameters = self._undocumented.pop(0)
                    blueprint.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blueprint.description})
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """flask-smorest's, with the blueprint's description left until it is read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

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
