"""Fixtures shared with the party tests (people, clients logged in by role)."""

from tests.parties.conftest import admin, editor, login_as, make_person, viewer

__all__ = ["admin", "editor", "login_as", "make_person", "viewer"]
