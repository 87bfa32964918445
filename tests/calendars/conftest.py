"""Fixtures for the calendar tests: the meeting factories, and reading .ics responses."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from tests.helpers import log_in
from tests.meetings.conftest import make_meeting, make_person  # noqa: F401
from tracker.models import Role


def parse(response) -> Calendar:
    """The calendar in a successful .ics response."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def by_title(calendar: Calendar) -> dict:
    return {str(event["SUMMARY"]): event for event in calendar.events}


@pytest.fixture
def viewer(client, make_user):
    """A client logged in as a viewer, the least a calendar needs."""
    make_user("reader", role=Role.VIEWER)
    assert log_in(client, "reader").status_code == 302
    return client


@pytest.fixture
def feed(viewer):
    """Fetch and parse a calendar as a viewer: ``feed("/calendar.ics")``."""

    def fetch(path: str = "/calendar.ics") -> Calendar:
        return parse(viewer.get(path))

    return fetch
