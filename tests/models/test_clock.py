"""One clock: UTC now, today on the deployment's calendar, a meeting's local day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker import create_app
from tracker.models import Meeting, MeetingLevel, clock

# 26 hours apart, so their calendars never show the same day.
EARLIEST, LATEST = "Pacific/Kiritimati", "Etc/GMT+12"


def _today_in(zone: str) -> date:
    with create_app({"TIMEZONE": zone}).app_context():
        return clock.today()


def test_today_is_the_day_on_the_deployments_calendar():
    assert (_today_in(EARLIEST) - _today_in(LATEST)).days in (1, 2)


def test_an_unknown_timezone_is_refused_at_start_with_a_clear_message():
    with pytest.raises(ValueError, match="'Mars/Olympus' is not a zone name"):
        create_app({"TIMEZONE": "Mars/Olympus"})


def test_now_is_aware_and_in_utc():
    assert clock.utcnow().utcoffset() == timedelta(0)


def test_a_meetings_day_is_the_day_where_it_is_held():
    # 20:00 UTC on 4 May is already 5 May in Tokyo.
    starts_at = datetime(2025, 5, 4, 20, 0, tzinfo=UTC)
    meeting = Meeting(
        title="Talks", starts_at=starts_at, timezone="Asia/Tokyo", level=MeetingLevel.MINISTERIAL
    )
    assert meeting.local_day == date(2025, 5, 5) == clock.local_day(starts_at, "Asia/Tokyo")
