"""Fixtures of the need-to-know tests: clients logged in as several users at once."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_as  # noqa: F401  (the API's callers, by role)
from tests.conftest import IsolatedClient
from tests.helpers import log_in


@pytest.fixture
def client_of(app):
    """``client_of("ann")``: a client of its own, logged in as the existing user ann."""

    def make(username: str):
        app.test_client_class = IsolatedClient
        client = app.test_client()
        assert log_in(client, username).status_code == 302
        return client

    return make
