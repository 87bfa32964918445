"""Fixtures of the API's tests: a client calling as a user through one of their tokens."""

from __future__ import annotations

import pytest

from tracker.accounts import tokens
from tracker.models import Role


class ApiCaller:
    """A test client that sends ``Authorization: Bearer <secret>`` with every request."""

    def __init__(self, client, secret: str, user, token):
        self.client, self.secret, self.user, self.token = client, secret, user, token

    def open(self, url: str, method: str = "GET", headers: dict | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {self.secret}", **(headers or {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self.open(url, "GET", **kwargs)

    def post(self, url, **kwargs):
        return self.open(url, "POST", **kwargs)

    def patch(self, url, **kwargs):
        return self.open(url, "PATCH", **kwargs)

    def put(self, url, **kwargs):
        return self.open(url, "PUT", **kwargs)

    def delete(self, url, **kwargs):
        return self.open(url, "DELETE", **kwargs)


@pytest.fixture
def api_as(db, client, make_user):
    """``api_as(Role.EDITOR)``: a caller with a token of a new user of that role;
    ``read_only=True`` for a read-only token, ``username=`` to name the user."""
    made = iter(range(1, 1000))

    def make(role: Role = Role.EDITOR, *, read_only: bool = False, username: str | None = None):
        user = make_user(username or f"{role.value}.api{next(made)}", role=role)
        token, secret = tokens.create_token(user, "Test script", read_only=read_only)
        db.session.commit()
        return ApiCaller(client, secret, user, token)

    return make


@pytest.fixture
def api(api_as):
    """An editor's caller."""
    return api_as(Role.EDITOR)
