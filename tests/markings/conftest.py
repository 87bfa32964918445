"""The API callers of tests/api, for the API tests here."""

from tests.api.conftest import api, api_as  # noqa: F401  (fixtures)
