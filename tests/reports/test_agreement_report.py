"""The status report of one agreement, today and as it stood on past days."""

from __future__ import annotations

from datetime import date

from tracker.models import PointStatus, Status
from tracker.reports.queries import agreement_report, find_agreement


def test_today_shows_the_current_state(negotiation):
    report = agreement_report(negotiation.agreement.id, today=date(2025, 1, 1))

    assert report.is_today
    assert report.status is Status.STALLED
    assert report.status_since == date(2023, 6, 1)
    assert report.days_in_status == (date(2025, 1, 1) - date(2023, 6, 1)).days
    assert [step.status for step in report.history] == [
        Status.PROPOSED,
        Status.UNDER_NEGOTIATION,
        Status.STALLED,
    ]
    assert [m.title for m in report.meetings] == [
        "First official-level round",
        "Second official-level round",
    ]
    assert report.meetings[1].outcome == "Work-share principle agreed."
    assert report.next_meeting.title == "Third official-level round"
    assert [p.subject for p in report.open_points] == ["Export to third countries"]
    assert [a.description for a in report.open_actions] == ["Cost study"]
    assert [p.name for p in report.parties] == ["India", "Japan"]


def test_as_of_shows_the_status_that_held_on_that_day(negotiation):
    report = agreement_report(negotiation.agreement.id, as_of=date(2022, 1, 1))

    assert not report.is_today
    assert report.status is Status.UNDER_NEGOTIATION
    assert report.status_since == date(2021, 3, 1)
    assert report.days_in_status == 306
    assert [step.status for step in report.history] == [Status.PROPOSED, Status.UNDER_NEGOTIATION]
    assert report.key_dates["opened_on"] == date(2021, 3, 1)


def test_as_of_lists_only_meetings_held_by_then(negotiation):
    report = agreement_report(negotiation.agreement.id, as_of=date(2022, 1, 1))

    assert [m.title for m in report.meetings] == ["First official-level round"]


def test_next_meeting_as_of_is_one_already_planned_then(negotiation):
    # The third round was entered on 11 Feb 2024: known on 1 Mar 2024, not on 1 Jan 2022.
    assert agreement_report(negotiation.agreement.id, as_of=date(2022, 1, 1)).next_meeting is None
    later = agreement_report(negotiation.agreement.id, as_of=date(2024, 3, 1))
    assert later.next_meeting.title == "Third official-level round"


def test_points_open_then_but_settled_since_are_shown_open(negotiation):
    report = agreement_report(negotiation.agreement.id, as_of=date(2022, 1, 1))

    assert [(p.subject, p.status) for p in report.open_points] == [
        ("Work share", PointStatus.OPEN)
    ]
    positions = {(pos.party, pos.position) for pos in report.open_points[0].positions}
    assert positions == {("India", "Equal shares."), ("Japan", "By capability.")}
    # Raised only in 2024: not known in 2022; the work share was settled at that round.
    settled = agreement_report(negotiation.agreement.id, as_of=date(2024, 2, 10))
    assert [p.subject for p in settled.open_points] == ["Export to third countries"]


def test_actions_open_and_overdue_on_that_day(negotiation):
    before_done = agreement_report(negotiation.agreement.id, as_of=date(2022, 1, 1))
    assert [(a.description, a.overdue) for a in before_done.open_actions] == [
        ("Circulate a draft annex", True)
    ]
    after_done = agreement_report(negotiation.agreement.id, as_of=date(2022, 6, 1))
    assert after_done.open_actions == []


def test_before_the_first_status_the_agreement_is_not_yet_recorded(negotiation):
    report = agreement_report(negotiation.agreement.id, as_of=date(2019, 12, 31))

    assert not report.recorded
    assert report.status is None and report.days_in_status is None
    assert report.history == [] and report.meetings == []


def test_latest_updates_come_from_the_audit_trail_up_to_the_day(negotiation, logged_in):
    response = logged_in.post(
        f"/agreements/{negotiation.agreement.id}/points/new",
        data={"subject": "Liability", "status": "open"},
    )
    assert response.status_code in (302, 303)

    report = agreement_report(negotiation.agreement.id)
    newest = report.latest_updates[0]
    assert (newest.user, newest.action, newest.record_type, newest.record) == (
        "Desk.Officer",
        "Create",
        "point",
        "Liability",
    )
    assert "subject" in newest.fields
    # Nothing had been recorded in the tracker on 1 Jan 2022.
    assert agreement_report(negotiation.agreement.id, as_of=date(2022, 1, 1)).latest_updates == []


def test_archived_meetings_are_left_out(db, negotiation):
    from datetime import UTC, datetime

    negotiation.first_round.archived_at = datetime.now(UTC)
    db.session.commit()

    report = agreement_report(negotiation.agreement.id)
    assert [m.title for m in report.meetings] == ["Second official-level round"]


def test_agreements_are_found_by_id_or_short_name(negotiation):
    agreement_id = negotiation.agreement.id
    assert find_agreement(str(agreement_id)).id == agreement_id
    assert find_agreement("unicorn").id == agreement_id
    assert find_agreement(" UNICORN ").id == agreement_id
    assert find_agreement("NOPE") is None
    assert find_agreement("²") is None  # a digit to str.isdigit(), not to int()
    assert agreement_report(agreement_id + 999) is None


def test_demo_rpss_report_tells_the_story_of_the_article(runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    rpss = find_agreement("RPSS")

    report = agreement_report(rpss.id, today=date(2025, 6, 1))
    assert report.title == "Reciprocal Provision of Supplies and Services Agreement"
    assert (report.status, report.status_since) == (Status.UNDER_NEGOTIATION, date(2024, 11, 20))
    assert {p.name for p in report.parties} == {"India", "Japan"}
    assert [(m.title, m.place, m.day) for m in report.meetings] == [
        ("Singh–Nakatani bilateral meeting", "Vientiane, Laos", date(2024, 11, 20)),
        ("India–Japan Defence Ministers' talks", "New Delhi, India", date(2025, 5, 5)),
    ]
    assert {p.subject for p in report.open_points} == {
        "Scope of supplies and services",
        "Reimbursement and settlement mechanism",
    }
    # Before the New Delhi talks only the point raised at Vientiane was on the table.
    before = agreement_report(rpss.id, as_of=date(2025, 1, 31), today=date(2025, 6, 1))
    assert [m.title for m in before.meetings] == ["Singh–Nakatani bilateral meeting"]
    assert [p.subject for p in before.open_points] == ["Scope of supplies and services"]
