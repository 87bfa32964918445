"""iCalendar (RFC 5545) feeds of meetings, built from plain meeting data.

Every event keeps its meeting's own zone (``DTSTART;TZID=Asia/Vientiane``) and the calendar
carries a VTIMEZONE for each zone used: Google and Apple read the IANA name, Outlook reads the
VTIMEZONE, and both arrive at the same instant.

A calendar carries the classification marking of what it shows: its first property
(``X-TRACKER-CLASSIFICATION``), its name and description, and each event's notes, first
and last line (the marking of that meeting with what its notes show).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfoNotFoundError

from icalendar import Calendar, Event, Timezone
from icalendar.parser import Contentline, Parameters
from icalendar.prop import vText

from tracker.models.clock import get_zone

PRODID = "-//tracker//Meetings calendar//EN"
MARKING_PROPERTY = "X-TRACKER-CLASSIFICATION"
# A meeting recorded without an end: one hour, the usual length calendar apps give a new
# event, so it shows at its start time without blocking the rest of the day.
DEFAULT_DURATION = timedelta(hours=1)


@dataclass(frozen=True)
class AgendaEntry:
    """An agreement discussed at the meeting, with the outcome recorded for it."""

    agreement: str
    outcome: str = ""


@dataclass(frozen=True)
class MeetingEntry:
    """What the calendar says about one meeting; times are aware datetimes."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    level: str
    created_at: datetime
    modified_at: datetime
    # How many times the meeting was changed after it was recorded (its audit trail).
    revision: int
    url: str
    setting: str = ""
    city: str = ""
    country: str = ""
    summary: str = ""
    held_during: str = ""
    agenda: tuple[AgendaEntry, ...] = ()
    participants: tuple[str, ...] = ()
    # The marking of the meeting with all its notes show, e.g. "RESTRICTED // REL TO IND".
    marking: str = ""

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.setting, self.city, self.country) if part)


def event_uid(meeting_id: int, created_at: datetime, domain: str) -> str:
    """A UID that survives every edit of the meeting.

    The creation time keeps it unique should a database hand a deleted meeting's id to a new
    one (SQLite does when the newest row is deleted).
    """
    return f"meeting-{meeting_id}-{created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@{domain}"


def zone(name: str) -> tzinfo:
    """The meeting's zone; UTC for a name this system does not know."""
    try:
        return get_zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def description(meeting: MeetingEntry) -> str:
    """The event's notes: level, summary, agreements with their outcome, participants, link;
    the marking first and last."""
    lines = [meeting.marking, ""] if meeting.marking else []
    lines.append(f"Level: {meeting.level}")
    if meeting.held_during:
        lines.append(f"Held during: {meeting.held_during}")
    if meeting.summary:
        lines += ["", meeting.summary]
    lines += ["", "Agreements discussed:"]
    if meeting.agenda:
        for item in meeting.agenda:
            lines.append(f"• {item.agreement}")
            lines.append(f"  Outcome: {item.outcome}" if item.outcome else "  No outcome recorded.")
    else:
        lines.append("None recorded.")
    lines += ["", "Participants:"]
    lines += [f"• {person}" for person in meeting.participants] or ["None recorded."]
    # Outlook shows no URL property, so the link is in the notes too.
    lines += ["", f"In the tracker: {meeting.url}"]
    if meeting.marking:
        lines += ["", meeting.marking]
    return "\n".join(lines)


def meeting_event(meeting: MeetingEntry, *, domain: str, generated_at: datetime) -> Event:
    here = zone(meeting.timezone)
    start = meeting.starts_at.astimezone(here)
    end = meeting.ends_at.astimezone(here) if meeting.ends_at else start + DEFAULT_DURATION
    event = Event.new(
        uid=event_uid(meeting.id, meeting.created_at, domain),
        stamp=generated_at.astimezone(UTC),
        created=meeting.created_at.astimezone(UTC),
        last_modified=meeting.modified_at.astimezone(UTC),
        sequence=meeting.revision,
        start=start,
        end=end,
        summary=meeting.title,
        description=description(meeting),
        url=meeting.url,
    )
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CONFIRMED")
    return event


def build_calendar(
    name: str,
    meetings: Iterable[MeetingEntry],
    *,
    calendar_uid: str,
    domain: str,
    generated_at: datetime,
    marking: str = "",
) -> bytes:
    """The whole ``.ics`` file, published (``METHOD:PUBLISH``) for import or subscription;
    ``marking``, the highest of what it shows, is its first property and in its name."""
    meetings = list(meetings)
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name=f"{name} ({marking})" if marking else name,
        description=f"Classification: {marking}" if marking else None,
        uid=calendar_uid,
    )
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, domain=domain, generated_at=generated_at))
    if meetings:
        # The zones' rules for the years the meetings span, not 1970-2038: a short VTIMEZONE.
        first = min(m.starts_at for m in meetings).year
        last = max(m.ends_at or m.starts_at for m in meetings).year
        for position, tzid in enumerate(sorted(calendar.get_missing_tzids())):
            timezone = _vtimezone(tzid, date(first - 1, 1, 1), date(last + 2, 1, 1))
            if timezone is not None:
                calendar.subcomponents.insert(position, timezone)
    text = calendar.to_ical()
    if not marking:
        return text
    # icalendar writes VERSION and PRODID first whatever the order they were added in.
    first = Contentline.from_parts(MARKING_PROPERTY, Parameters(), vText(marking)).to_ical()
    begin = b"BEGIN:VCALENDAR\r\n"
    return begin + first + b"\r\n" + text.removeprefix(begin)


@functools.lru_cache(maxsize=512)
def _vtimezone(tzid: str, first: date, last: date) -> Timezone | None:
    """The zone's VTIMEZONE for those years, worked out once per process (as
    Calendar.add_missing_timezones would, at about 60 ms a zone); None if unknown."""
    try:
        return Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:
        return None
