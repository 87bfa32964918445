"""What the portfolio reckons for each agreement: stalled or not, meetings, points, actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.portfolio.conftest import days_ago
from tracker.models import (
    ActionItem,
    AgendaItem,
    Category,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    PointStatus,
    Status,
)
from tracker.portfolio import queries
from tracker.portfolio.filters import PortfolioFilters


def portfolio(db, filters=None, *, stalled_after=90, today=None, now=None):
    """``{short name: row}`` in the portfolio's order, as of today unless told otherwise."""
    db.session.commit()
    rows = queries.iter_rows(
        filters or PortfolioFilters(),
        today=today or date.today(),
        now=now or datetime.now(UTC),
        stalled_after=stalled_after,
        batch=2,  # several batches even for a handful of agreements
    )
    return {row.short_name: row for row in rows}


def test_a_stalled_agreement_is_flagged_and_a_fresh_one_is_not(db, agreement_since):
    agreement_since("OLD", 100)
    agreement_since("NEW", 10)
    rows = portfolio(db)
    assert rows["OLD"].stalled
    assert not rows["NEW"].stalled
    assert rows["OLD"].days_in_status == 100
    assert list(rows) == ["OLD", "NEW"]  # stalled first


def test_the_cut_off_is_more_than_the_configured_days(db, agreement_since):
    agreement_since("EDGE", 90)
    agreement_since("PAST", 91)
    rows = portfolio(db)
    assert not rows["EDGE"].stalled
    assert rows["PAST"].stalled


def test_the_number_of_days_is_configurable(db, agreement_since):
    agreement_since("MID", 40)
    assert not portfolio(db)["MID"].stalled
    assert portfolio(db, stalled_after=30)["MID"].stalled


@pytest.mark.parametrize("status", ["in_force", "abandoned"])
def test_closed_agreements_are_never_stalled(db, agreement_since, status):
    agreement_since("DONE", 400, status=status)
    assert not portfolio(db)["DONE"].stalled


def test_an_agreement_recorded_as_stalled_is_flagged_however_recent(db, agreement_since):
    agreement_since("STUCK", 5, status="stalled")
    assert portfolio(db)["STUCK"].stalled


def test_a_meeting_in_the_window_unstalls_an_old_status(db, agreement_since, discuss):
    met = agreement_since("MET", 200)
    long_ago = agreement_since("LONGAGO", 200)
    only_planned = agreement_since("PLANNED", 200)
    discuss(-30, met)
    discuss(-120, long_ago)
    discuss(10, only_planned)  # a meeting still to come is not activity yet
    rows = portfolio(db)
    assert not rows["MET"].stalled
    assert rows["LONGAGO"].stalled
    assert rows["PLANNED"].stalled


def test_an_archived_meeting_does_not_count(db, agreement_since, discuss):
    agreement = agreement_since("ARCH", 200)
    discuss(-5, agreement, archived_at=datetime.now(UTC))
    row = portfolio(db)["ARCH"]
    assert row.stalled
    assert row.last_meeting is None


def test_last_and_next_meetings_on_the_meetings_own_clock(db, agreement_since, discuss):
    agreement = agreement_since("RPSS", 100)
    discuss(-40, agreement)
    latest = discuss(-20, agreement)
    # 08:30 in Tokyo on day 5 is still day 4 in UTC.
    soonest = discuss(
        5,
        agreement,
        starts_at=datetime.combine(date.today() + timedelta(days=5), datetime.min.time(), UTC)
        - timedelta(minutes=30),
        timezone="Asia/Tokyo",
    )
    discuss(9, agreement)
    row = portfolio(db)["RPSS"]
    assert row.last_meeting.id == latest.id
    assert row.last_meeting.local_day == days_ago(20)
    assert row.next_meeting.id == soonest.id
    assert row.next_meeting.local_day == date.today() + timedelta(days=5)


def test_open_points_and_overdue_actions(db, agreement_since):
    agreement = agreement_since("RPSS", 10)
    agreement_since("QUIET", 10)
    today = date.today()
    for status in PointStatus:
        db.session.add(NegotiationPoint(agreement=agreement, subject=status.value, status=status))
    db.session.add_all(
        [
            ActionItem(agreement=agreement, description="Late", due_on=today - timedelta(days=1)),
            ActionItem(agreement=agreement, description="Later", due_on=today - timedelta(days=9)),
            ActionItem(agreement=agreement, description="Due today", due_on=today),
            ActionItem(agreement=agreement, description="Undated"),
            ActionItem(
                agreement=agreement,
                description="Done late",
                due_on=today - timedelta(days=9),
                done=True,
            ),
        ]
    )
    rows = portfolio(db)
    assert rows["RPSS"].open_points == 2  # open and converging; agreed and dropped are settled
    assert rows["RPSS"].overdue_actions == 2
    assert (rows["QUIET"].open_points, rows["QUIET"].overdue_actions) == (0, 0)
    assert rows["RPSS"].parties == ["India", "Japan"]


def test_filters_narrow_the_rows_and_archived_agreements_never_show(
    db, agreement_since, make_party, parties
):
    india, _ = parties
    asean = make_party("ASEAN", None, kind="organisation")
    agreement_since("LOG", 10, category="logistics")
    agreement_since("TECH", 10, category="technology", status="signed")
    agreement_since("MULTI", 10, category="technology", parties=[india, asean])
    agreement_since("GONE", 10).archived_at = datetime.now(UTC)

    assert set(portfolio(db)) == {"LOG", "TECH", "MULTI"}
    assert set(portfolio(db, PortfolioFilters(category=Category.TECHNOLOGY))) == {"TECH", "MULTI"}
    assert set(portfolio(db, PortfolioFilters(status=Status.SIGNED))) == {"TECH"}
    assert set(portfolio(db, PortfolioFilters(party=asean.id))) == {"MULTI"}
    assert portfolio(db, PortfolioFilters(party=asean.id))["MULTI"].parties == ["ASEAN", "India"]


def test_counts_by_status_keep_every_filter_but_the_status(db, agreement_since):
    agreement_since("A", 10, category="logistics")
    agreement_since("B", 10, category="logistics", status="signed")
    agreement_since("C", 10, category="technology", status="signed")
    agreement_since("D", 10, category="logistics", status="signed").archived_at = datetime.now(UTC)
    db.session.commit()

    def counts(**filters):
        return {row.status: row.count for row in queries.status_counts(PortfolioFilters(**filters))}

    assert list(counts()) == list(Status)  # every status, in workflow order
    assert counts()[Status.SIGNED] == 2
    assert counts()[Status.UNDER_NEGOTIATION] == 1
    assert counts()[Status.STALLED] == 0
    logistics = counts(category=Category.LOGISTICS, status=Status.SIGNED)
    assert (logistics[Status.SIGNED], logistics[Status.UNDER_NEGOTIATION]) == (1, 1)


def test_summary_counts_what_the_table_lists(db, agreement_since):
    agreement_since("OLD", 100)
    agreement_since("NEW", 10)
    agreement_since("DONE", 300, status="in_force")
    db.session.commit()
    summary = queries.summary(
        PortfolioFilters(), today=date.today(), now=datetime.now(UTC), stalled_after=90
    )
    assert (summary.agreements, summary.stalled) == (3, 1)


def _meeting(db, title, starts_at, zone="UTC", agreements=(), **values):
    meeting = Meeting(
        title=title, starts_at=starts_at, timezone=zone, level=MeetingLevel.VIRTUAL, **values
    )
    db.session.add(meeting)
    db.session.add_all(AgendaItem(meeting=meeting, agreement=a) for a in agreements)
    return meeting


def test_upcoming_meetings_are_those_of_the_next_30_days_on_their_own_clock(db, agreement_since):
    today = date(2025, 3, 1)
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    agreement = agreement_since("RPSS", 10)
    _meeting(db, "Started an hour ago", now - timedelta(hours=1), agreements=[agreement])
    _meeting(db, "Yesterday", now - timedelta(days=1))
    _meeting(db, "This afternoon", now + timedelta(hours=2))
    _meeting(db, "Day 30", datetime(2025, 3, 31, 12, tzinfo=UTC))
    _meeting(db, "Day 31", datetime(2025, 4, 1, 12, tzinfo=UTC))
    # 1 April, 02:00 in Tokyo: 31 March in UTC, but day 31 where it is held.
    _meeting(db, "Tokyo day 31", datetime(2025, 3, 31, 17, tzinfo=UTC), "Asia/Tokyo")
    # 31 March, 20:00 in Los Angeles: 1 April in UTC, but day 30 where it is held.
    _meeting(db, "Los Angeles day 30", datetime(2025, 4, 1, 3, tzinfo=UTC), "America/Los_Angeles")
    _meeting(db, "Archived", now + timedelta(days=2), archived_at=now)
    db.session.commit()

    meetings = queries.upcoming_meetings(PortfolioFilters(), today=today, now=now)
    assert [entry.meeting.title for entry in meetings] == [
        "This afternoon",
        "Day 30",
        "Los Angeles day 30",
    ]


def test_upcoming_meetings_follow_the_filters_and_name_their_agreements(
    db, agreement_since, discuss
):
    log = agreement_since("LOG", 10, category="logistics")
    tech = agreement_since("TECH", 10, category="technology")
    gone = agreement_since("GONE", 10, category="technology")
    gone.archived_at = datetime.now(UTC)
    discuss(3, log, tech, gone, title="Joint round")
    discuss(4, tech, title="Technology round")
    discuss(5, title="Nothing on the agenda")
    db.session.commit()
    now, today = datetime.now(UTC), date.today()

    everything = queries.upcoming_meetings(PortfolioFilters(), today=today, now=now)
    assert [entry.meeting.title for entry in everything] == [
        "Joint round",
        "Technology round",
        "Nothing on the agenda",
    ]
    assert [a.short_name for a in everything[0].agreements] == ["LOG", "TECH"]

    logistics = queries.upcoming_meetings(
        PortfolioFilters(category=Category.LOGISTICS), today=today, now=now
    )
    assert [entry.meeting.title for entry in logistics] == ["Joint round"]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_pages_put_together_are_the_whole_portfolio_in_order(db, agreement_since, size):
    """A page can hold stalled rows, fresh rows, or the turn from one to the other."""
    for n, days in enumerate((200, 10, 150, 20, 300, 30, 120)):
        agreement_since(f"P{n}", days, title=f"Talks {6 - n}")
    everything = list(portfolio(db))
    # Stalled by title, then the others by title.
    assert everything == ["P6", "P4", "P2", "P0", "P5", "P3", "P1"]

    filters, today, now = PortfolioFilters(), date.today(), datetime.now(UTC)
    summary = queries.summary(filters, today=today, now=now, stalled_after=90)
    assert (summary.agreements, summary.stalled) == (7, 4)
    pages = []
    for number in range(1, -(-7 // size) + 1):
        rows = queries.page_rows(
            filters,
            today=today,
            now=now,
            stalled_after=90,
            number=number,
            size=size,
            summary=summary,
        )
        pages.extend(row.short_name for row in rows)
    assert pages == everything


def test_the_counts_follow_a_change_made_after_they_were_counted(db, agreement_since, discuss):
    """Counts are reused while the data is unchanged, and never after it changes."""
    old = agreement_since("OLD", 200)
    db.session.commit()
    filters, today, now = PortfolioFilters(), date.today(), datetime.now(UTC)

    def counts():
        summary = queries.summary(filters, today=today, now=now, stalled_after=90)
        by_status = {c.status: c.count for c in queries.status_counts(filters)}
        return summary.agreements, summary.stalled, by_status[Status.UNDER_NEGOTIATION]

    assert counts() == (1, 1, 1)
    discuss(-3, old)  # a meeting last week: no longer stalled
    db.session.commit()
    assert counts() == (1, 0, 1)
    agreement_since("NEW", 5)
    db.session.commit()
    assert counts() == (2, 0, 2)
