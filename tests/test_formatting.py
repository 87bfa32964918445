"""Dates and times look the same everywhere, and times name their zone."""

from datetime import UTC, date, datetime

from tracker.render.dates import format_date, format_local_datetime


def test_dates_use_one_unambiguous_format():
    assert format_date(date(2025, 5, 5)) == "5 May 2025"
    assert format_date(None) == ""


def test_times_are_shown_on_the_local_clock_with_the_zone():
    moment = datetime(2025, 5, 5, 4, 30, tzinfo=UTC)
    assert format_local_datetime(moment, "Asia/Kolkata") == "5 May 2025 10:00 IST"
    assert format_local_datetime(moment, "Asia/Tokyo") == "5 May 2025 13:30 JST"
    # Zones without an abbreviation are named by their offset from UTC.
    assert format_local_datetime(moment, "Asia/Vientiane") == "5 May 2025 11:30 UTC+07"


def test_stored_values_are_shown_in_the_app_formats():
    from tracker.web.templating import stored_value

    assert stored_value("2025-05-05") == "5 May 2025"
    assert stored_value("2025-05-05T04:30:00+00:00") == "5 May 2025 04:30 UTC"
    assert stored_value(["Singh", "Nakatani"]) == "Singh, Nakatani"
    assert stored_value(None) == "(none)"
    assert stored_value(True) == "yes"
    assert stored_value("RPSS") == "RPSS"
