"""Fixtures for the action item tests: the same agreement and meetings as for points."""

from tests.meetings.conftest import admin, make_meeting, make_person, viewer  # noqa: F401
from tests.points.conftest import talks  # noqa: F401
