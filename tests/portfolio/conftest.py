"""Fixtures for the portfolio tests: agreements with histories counted back from today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.meetings.conftest import make_meeting, viewer  # noqa: F401
from tracker.models import AgendaItem, Status


@pytest.fixture
def parties(make_party):
    return make_party("India", "IND"), make_party("Japan", "JPN")


def days_ago(days: int) -> date:
    return date.today() - timedelta(days=days)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


@pytest.fixture
def agreement_since(db, make_agreement, parties):
    """An agreement whose current status took effect ``days`` days ago:
    ``agreement_since("RPSS", 100, status="under_negotiation")``."""

    def make(short_name: str, days: int, status: str = "under_negotiation", **overrides):
        values = {"title": f"Agreement {short_name}", "parties": list(parties)} | overrides
        if Status(status) == Status.ABANDONED:
            agreement = make_agreement(
                short_name=short_name, status="proposed", status_on=days_ago(days + 50), **values
            )
            agreement.change_status(status, effective_on=days_ago(days))
        else:
            agreement = make_agreement(
                short_name=short_name, status=status, status_on=days_ago(days), **values
            )
        db.session.flush()
        return agreement

    return make


@pytest.fixture
def discuss(db, make_meeting):  # noqa: F811
    """A meeting at noon UTC ``days`` from today (negative: in the past) about ``agreements``;
    keywords (``starts_at``, ``timezone``…) override."""

    def make(days: int, *agreements, **overrides):
        values = {
            "title": f"Meeting {days:+d}",
            "starts_at": at_noon(date.today() + timedelta(days=days)),
        }
        meeting = make_meeting(**(values | overrides))
        db.session.add_all(AgendaItem(meeting=meeting, agreement=a) for a in agreements)
        db.session.flush()
        return meeting

    return make
