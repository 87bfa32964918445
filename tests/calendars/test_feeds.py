"""The calendar downloads: what Outlook, Google Calendar and Apple Calendar import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.calendars.conftest import by_title, parse
from tests.helpers import log_in
from tests.meetings.test_query_count import counting
from tracker.models import (
    AgendaItem,
    Agreement,
    AuditAction,
    AuditRecord,
    Meeting,
    MeetingLevel,
    Role,
    utcnow,
)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/calendar.ics", "/agreements/1/calendar.ics"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, make_agreement, path):
    make_agreement()
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_calendar_of_all_meetings(viewer, db, make_meeting, make_person, make_agreement):
    rpss = make_agreement()
    singh = make_person("Rajnath Singh", rpss.parties[0], "Defence Minister")
    meeting = make_meeting(
        title="Singh–Nakatani bilateral meeting",
        starts_at=datetime(2024, 11, 20, 8, 0, tzinfo=UTC),
        ends_at=datetime(2024, 11, 20, 9, 30, tzinfo=UTC),
        timezone="Asia/Vientiane",
        city="Vientiane",
        country="Laos",
        setting="Sidelines of the ADMM-Plus",
        level=MeetingLevel.MINISTERIAL,
        participants=[singh],
        agenda_items=[AgendaItem(agreement=rpss, outcome="Talks initiated.")],
    )
    db.session.commit()

    response = viewer.get("/calendar.ics")
    calendar = parse(response)
    assert response.headers["Content-Disposition"] == 'attachment; filename="tracker-meetings.ics"'
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//tracker//")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "tracker — all meetings (UNCLASSIFIED)"

    (event,) = calendar.events
    assert str(event["SUMMARY"]) == "Singh–Nakatani bilateral meeting"
    assert str(event["LOCATION"]) == "Sidelines of the ADMM-Plus, Vientiane, Laos"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://localhost/meetings/{meeting.id}"
    # The meeting's own time, or its last change in the audit trail (its participants and
    # agenda are written after the meeting, and may be in the next second).
    changed = db.session.scalar(
        sa.select(sa.func.max(AuditRecord.recorded_at)).where(
            AuditRecord.record_type == "meeting",
            AuditRecord.record_id == meeting.id,
            AuditRecord.action != AuditAction.CREATE,
        )
    )
    last = max(meeting.updated_at, changed or meeting.updated_at)
    assert event["LAST-MODIFIED"].dt == last.replace(microsecond=0)
    assert abs(event.stamp - utcnow()) < timedelta(minutes=5)
    description = str(event["DESCRIPTION"])
    for text in (
        "Level: Ministerial",
        "• Reciprocal Provision of Supplies and Services Agreement (RPSS)\n"
        "  Outcome: Talks initiated.",
        "• Rajnath Singh, Defence Minister (India)",
        f"http://localhost/meetings/{meeting.id}",
    ):
        assert text in description
    assert event.end - event.start == timedelta(hours=1, minutes=30)


def test_links_are_built_on_the_configured_address_not_the_requests_host(
    viewer, db, make_meeting, app
):
    meeting = make_meeting()
    db.session.commit()
    app.config["BASE_URL"] = "https://tracker.mod.example"
    response = viewer.get("/calendar.ics")  # asked of http://localhost
    (event,) = parse(response).events
    assert str(event["URL"]) == f"https://tracker.mod.example/meetings/{meeting.id}"
    assert "localhost" not in response.get_data(as_text=True)


def test_start_carries_the_meetings_zone_and_the_right_instant(feed, db, make_meeting):
    make_meeting(
        title="ADMM-Plus",
        starts_at=datetime(2024, 11, 20, 2, 0, tzinfo=UTC),  # 09:00 in Vientiane
        timezone="Asia/Vientiane",
    )
    make_meeting(
        title="Delhi talks",
        starts_at=datetime(2025, 5, 5, 4, 30, tzinfo=UTC),  # 10:00 in New Delhi
        timezone="Asia/Kolkata",
    )
    db.session.commit()

    calendar = feed()
    events = by_title(calendar)
    vientiane, delhi = events["ADMM-Plus"], events["Delhi talks"]
    assert vientiane["DTSTART"].params["TZID"] == "Asia/Vientiane"
    assert vientiane["DTSTART"].to_ical() == b"20241120T090000"
    assert vientiane.start.astimezone(UTC) == datetime(2024, 11, 20, 2, 0, tzinfo=UTC)
    assert delhi["DTSTART"].params["TZID"] == "Asia/Kolkata"
    assert delhi["DTSTART"].to_ical() == b"20250505T100000"
    assert delhi.start.astimezone(UTC) == datetime(2025, 5, 5, 4, 30, tzinfo=UTC)
    # No end recorded: an hour, in the same zone.
    assert delhi["DTEND"].params["TZID"] == "Asia/Kolkata"
    assert delhi.end - delhi.start == timedelta(hours=1)

    assert {tz.tz_name for tz in calendar.timezones} == {"Asia/Vientiane", "Asia/Kolkata"}
    assert calendar.get_missing_tzids() == set()
    offsets = {tz.tz_name: tz.standard[0]["TZOFFSETTO"].td for tz in calendar.timezones}
    assert offsets == {
        "Asia/Vientiane": timedelta(hours=7),
        "Asia/Kolkata": timedelta(hours=5, minutes=30),
    }


def test_uids_stay_the_same_across_fetches_and_edits(feed, db, make_meeting, app):
    meeting = make_meeting(title="Round one")
    make_meeting(title="Round two", starts_at=datetime(2024, 9, 1, 4, 30, tzinfo=UTC))
    db.session.commit()

    first = {str(e["UID"]): e for e in feed().events}
    second = {str(e["UID"]): e for e in feed().events}
    assert first.keys() == second.keys()
    assert len(first) == 2
    assert all(uid.endswith("@tracker.invalid") for uid in first)

    (uid,) = [uid for uid, e in first.items() if str(e["SUMMARY"]) == "Round one"]
    meeting.title = "Round one (rescheduled)"
    meeting.starts_at = datetime(2024, 8, 27, 4, 30, tzinfo=UTC)
    meeting.city = "Tokyo"
    db.session.commit()

    after = {str(e["UID"]): e for e in feed().events}
    assert after.keys() == first.keys()
    edited = after[uid]
    assert str(edited["SUMMARY"]) == "Round one (rescheduled)"
    assert edited["SEQUENCE"] > first[uid]["SEQUENCE"]
    assert edited["LAST-MODIFIED"].dt >= first[uid]["LAST-MODIFIED"].dt

    app.config["CALENDAR_DOMAIN"] = "tracker.mod.example"
    assert all(str(e["UID"]).endswith("@tracker.mod.example") for e in feed().events)


def test_a_new_outcome_counts_as_a_change_of_the_meeting(feed, db, make_meeting, make_agreement):
    item = AgendaItem(agreement=make_agreement(), outcome="")
    make_meeting(agenda_items=[item])
    db.session.commit()
    (before,) = feed().events

    item.outcome = "Text agreed ad referendum."
    db.session.commit()
    (after,) = feed().events
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert "Outcome: Text agreed ad referendum." in str(after["DESCRIPTION"])


def test_archived_meetings_are_left_out(feed, db, make_meeting, make_agreement):
    rpss = make_agreement()
    make_meeting(title="Held", agenda_items=[AgendaItem(agreement=rpss)])
    make_meeting(title="Archived", archived_at=utcnow(), agenda_items=[AgendaItem(agreement=rpss)])
    db.session.commit()
    assert set(by_title(feed())) == {"Held"}
    assert set(by_title(feed(f"/agreements/{rpss.id}/calendar.ics"))) == {"Held"}


def test_agreement_calendar_holds_only_its_meetings(
    viewer, db, make_meeting, make_agreement, make_party
):
    parties = [make_party("India", "IND"), make_party("Japan", "JPN")]
    rpss = make_agreement(short_name="RPSS", parties=parties)
    antenna = make_agreement(title="Stealth antenna", short_name="UNICORN–Tōkyō", parties=parties)
    make_meeting(title="RPSS round", agenda_items=[AgendaItem(agreement=rpss)])
    make_meeting(
        title="Both",
        agenda_items=[AgendaItem(agreement=rpss), AgendaItem(agreement=antenna, outcome="Noted")],
    )
    make_meeting(title="Antenna round", agenda_items=[AgendaItem(agreement=antenna)])
    make_meeting(title="Nothing on the agenda")
    db.session.commit()

    response = viewer.get(f"/agreements/{antenna.id}/calendar.ics")
    calendar = parse(response)
    assert set(by_title(calendar)) == {"Both", "Antenna round"}
    assert str(calendar["X-WR-CALNAME"]) == "tracker — UNICORN–Tōkyō (UNCLASSIFIED)"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="tracker-unicorn-tokyo-meetings.ics"'
    )
    # The whole agenda of a meeting is described, not only this agreement.
    assert "Reciprocal Provision" in str(by_title(calendar)["Both"]["DESCRIPTION"])

    everything = set(by_title(parse(viewer.get("/calendar.ics"))))
    assert everything == {"RPSS round", "Both", "Antenna round", "Nothing on the agenda"}


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/999999/calendar.ics",
        "/agreements/0/calendar.ics",
        "/agreements/-1/calendar.ics",
        "/agreements/abc/calendar.ics",
        "/agreements/99999999999999999999999/calendar.ics",
        "/agreements/2147483648/calendar.ics",
    ],
)
def test_unknown_agreements_are_not_found(viewer, db, make_agreement, path):
    make_agreement()
    db.session.commit()
    assert viewer.get(path).status_code == 404


def test_archived_agreement_has_no_calendar_and_no_link(viewer, db, make_agreement, make_meeting):
    agreement = make_agreement(archived_at=utcnow())
    make_meeting(agenda_items=[AgendaItem(agreement=agreement)])
    db.session.commit()
    assert viewer.get(f"/agreements/{agreement.id}/calendar.ics").status_code == 404
    page = html(viewer.get(f"/agreements/{agreement.id}"))
    assert "calendar.ics" not in page


def test_query_string_is_ignored(feed, db, make_meeting):
    make_meeting(title="Round one")
    db.session.commit()
    for query in ("?since=yesterday", "?since=2024-13-45", "?page=-1&x=%00", "?agreement=abc"):
        assert set(by_title(feed("/calendar.ics" + query))) == {"Round one"}


def test_pages_link_to_their_calendars(viewer, db, make_agreement):
    agreement = make_agreement()
    db.session.commit()
    assert 'href="/calendar.ics">Download calendar (.ics)</a>' in html(viewer.get("/meetings/"))
    page = html(viewer.get(f"/agreements/{agreement.id}"))
    assert f'href="/agreements/{agreement.id}/calendar.ics">Download calendar (.ics)</a>' in page


def test_query_count_does_not_grow_with_meetings(viewer, db, make_agreement, make_person):
    agreement = make_agreement()
    people = [make_person(f"Delegate {n}", agreement.parties[n % 2]) for n in range(3)]

    def add(count: int) -> None:
        for n in range(count):
            db.session.add(
                Meeting(
                    title=f"Round {n}",
                    starts_at=datetime(2024, 1, 1, 3, tzinfo=UTC) + timedelta(days=n),
                    timezone=("Asia/Kolkata", "Asia/Tokyo", "Europe/Brussels")[n % 3],
                    level=MeetingLevel.WORKING_GROUP,
                    participants=people,
                    agenda_items=[AgendaItem(agreement=agreement, outcome=f"Note {n}")],
                )
            )
        db.session.commit()
        for meeting in db.session.scalars(sa.select(Meeting)):
            meeting.summary = "Edited"  # an audit record each, for the revision count
        db.session.commit()

    def measure(path: str) -> int:
        with viewer.application.app_context(), counting(db.engine) as statements:
            response = viewer.get(path)
        assert response.status_code == 200
        return len(statements)

    paths = ["/calendar.ics", f"/agreements/{agreement.id}/calendar.ics"]
    add(2)
    measure(paths[0])  # the app's first request reads the markings in use, once
    few = [measure(path) for path in paths]
    add(12)
    assert [measure(path) for path in paths] == few
    assert len(parse(viewer.get(paths[1])).events) == 14


def test_demo_data_calendar_has_the_vientiane_meetings(feed, runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output

    events = by_title(feed())
    admm = events["11th ASEAN Defence Ministers' Meeting-Plus (ADMM-Plus)"]
    assert str(admm["LOCATION"]) == "Vientiane, Laos"
    assert admm["DTSTART"].params["TZID"] == "Asia/Vientiane"
    assert admm.start.astimezone(UTC) == datetime(2024, 11, 20, 2, 0, tzinfo=UTC)
    assert admm.end.astimezone(UTC) == datetime(2024, 11, 21, 11, 0, tzinfo=UTC)
    bilateral = events["Singh–Nakatani bilateral meeting"]
    assert "Held during: 11th ASEAN Defence Ministers' Meeting-Plus" in str(
        bilateral["DESCRIPTION"]
    )

    rpss = db.session.scalar(sa.select(Agreement).where(Agreement.short_name == "RPSS"))
    rpss_events = by_title(feed(f"/agreements/{rpss.id}/calendar.ics"))
    assert set(rpss_events) == {
        "Singh–Nakatani bilateral meeting",
        "India–Japan Defence Ministers' talks",
    }
    assert len({str(e["UID"]) for e in events.values()}) == len(events) == 4


def test_editors_and_admins_get_the_same_calendar(client, db, make_user, make_meeting):
    make_meeting()
    db.session.commit()
    for role in (Role.EDITOR, Role.ADMIN):
        make_user(role.value, role=role)
        assert log_in(client, role.value).status_code == 302
        assert len(parse(client.get("/calendar.ics")).events) == 1


def test_a_new_meeting_never_takes_a_deleted_meetings_uid(feed, db, make_meeting):
    old = make_meeting(title="Deleted later")
    db.session.commit()
    old.summary = "Edited"
    db.session.commit()
    (before,) = feed().events
    assert before["SEQUENCE"] == 1
    old_id = old.id
    db.session.delete(old)
    db.session.commit()

    # SQLite hands the id of the newest row to the next one once that row is deleted.
    new = make_meeting(title="New", created_at=utcnow() + timedelta(minutes=1))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        assert new.id == old_id
    (after,) = feed().events
    assert str(after["UID"]) != str(before["UID"])
    assert after["SEQUENCE"] == 0  # the deleted meeting's changes are not this one's


def test_the_whole_collection_calendar_holds_the_future_and_the_latest_held(
    app, feed, db, make_meeting
):
    """A collection of hundreds of thousands of meetings: the latest held, all to come."""
    app.config["CALENDAR_PAST_MEETINGS"] = 2
    now = datetime.now(UTC)
    for days in (-300, -200, -100, 5, 400):
        make_meeting(title=f"Day {days:+d}", starts_at=now + timedelta(days=days))
    archived = make_meeting(title="Archived", starts_at=now - timedelta(days=1))
    archived.archived_at = now
    db.session.commit()
    assert set(by_title(feed())) == {"Day -200", "Day -100", "Day +5", "Day +400"}
