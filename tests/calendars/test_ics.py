"""Building the .ics file from plain meeting data, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from icalendar import Calendar

from tracker.calendars.views import slug
from tracker.render.ical import AgendaEntry, MeetingEntry, build_calendar, event_uid

NOW = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


def entry(**overrides) -> MeetingEntry:
    values = {
        "id": 7,
        "title": "Defence Policy Dialogue",
        "starts_at": datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
        "ends_at": None,
        "timezone": "Asia/Kolkata",
        "level": "Senior officials",
        "created_at": datetime(2024, 8, 1, 9, 15, 30, 123456, tzinfo=UTC),
        "modified_at": datetime(2024, 8, 2, 10, 0, tzinfo=UTC),
        "revision": 2,
        "url": "https://tracker.example/meetings/7",
    }
    values.update(overrides)
    return MeetingEntry(**values)


def build(*meetings: MeetingEntry) -> Calendar:
    ics = build_calendar(
        "tracker — test", meetings, calendar_uid="cal@example", domain="example", generated_at=NOW
    )
    return Calendar.from_ical(ics)


def test_text_with_commas_semicolons_newlines_and_unicode_round_trips():
    title = "Tōkyō talks, round 2; “2+2” format\\ Ōsaka"
    outcome = "Text agreed; signature next.\nSecond line, with a comma — and ₹ 5 crore"
    meeting = entry(
        title=title,
        setting="Sidelines of the G20; Hall 3",
        city="Bengaluru, Karnataka",
        country="India",
        summary="Line one.\nLine two; with, punctuation.",
        agenda=(AgendaEntry("Säkerhet, pact; “RPSS”", outcome),),
        participants=("Gen Nakatani, Minister of Defense (Japan)",),
    )
    (event,) = build(meeting).events
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "Sidelines of the G20; Hall 3, Bengaluru, Karnataka, India"
    text = str(event["DESCRIPTION"])
    assert "Line one.\nLine two; with, punctuation." in text
    assert "• Säkerhet, pact; “RPSS”\n  Outcome: " + outcome in text
    assert "• Gen Nakatani, Minister of Defense (Japan)" in text


def test_event_properties():
    (event,) = build(entry()).events
    assert str(event["UID"]) == "meeting-7-20240801T091530Z@example"
    assert event.stamp == NOW
    assert event["LAST-MODIFIED"].dt == datetime(2024, 8, 2, 10, 0, tzinfo=UTC)
    assert event["CREATED"].dt == datetime(2024, 8, 1, 9, 15, 30, tzinfo=UTC)
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "https://tracker.example/meetings/7"
    assert "LOCATION" not in event  # nothing to say, rather than an empty line


def test_a_meeting_without_an_end_lasts_an_hour():
    (event,) = build(entry()).events
    assert event.end - event.start == timedelta(hours=1)
    assert event.start.astimezone(UTC) == datetime(2024, 8, 20, 4, 30, tzinfo=UTC)


def test_meetings_in_utc_or_an_unknown_zone_are_written_in_utc():
    calendar = build(
        entry(id=1, title="Virtual", timezone="UTC"),
        entry(id=2, title="Odd zone", timezone="Mars/Olympus_Mons"),
    )
    for event in calendar.events:
        assert event["DTSTART"].to_ical().endswith(b"Z")
        assert "TZID" not in event["DTSTART"].params
        assert event.start == datetime(2024, 8, 20, 4, 30, tzinfo=UTC)
    assert calendar.timezones == []


def test_an_empty_calendar_is_still_a_valid_calendar():
    calendar = build()
    assert calendar.events == []
    assert str(calendar["X-WR-CALNAME"]) == "tracker — test"
    assert str(calendar["VERSION"]) == "2.0"


def test_uid_depends_only_on_id_creation_and_domain():
    created = datetime(2024, 8, 1, 9, 15, 30, tzinfo=UTC)
    assert event_uid(7, created, "x.invalid") == "meeting-7-20240801T091530Z@x.invalid"
    # The same instant in another zone is the same UID.
    ist = created.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert event_uid(7, ist, "x.invalid") == event_uid(7, created, "x.invalid")


def test_slug_is_ascii_and_never_empty():
    assert slug("Tōkyō–Ōsaka Pact (2025)", "x") == "tokyo-osaka-pact-2025"
    assert slug("日本", "agreement-3") == "agreement-3"
    assert slug('a"b\r\nc', "x") == "a-b-c"
