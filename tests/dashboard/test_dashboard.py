"""The dashboard shows what needs attention: statuses, next meetings, overdue actions, changes."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tracker.models import ActionItem, AgendaItem, Agreement, Meeting


def _section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_counts_agreements_by_status_with_links_to_the_filtered_list(
    logged_in, db, make_agreement, make_party
):
    india = make_party("India", "IND")
    make_agreement(short_name="A", status="proposed", parties=[india])
    make_agreement(short_name="B", title="Second", status="proposed", parties=[india])
    make_agreement(short_name="C", title="Third", status="signed", parties=[india])
    archived = make_agreement(short_name="D", title="Fourth", status="signed", parties=[india])
    archived.archived_at = datetime.now(UTC)
    db.session.commit()

    section = _section(logged_in.get("/").get_data(as_text=True), "by-status-heading")
    assert 'href="/agreements/?status=proposed"' in section
    assert 'Proposed <span class="badge text-bg-dark">2</span>' in section
    assert 'Signed <span class="badge text-bg-dark">1</span>' in section
    assert 'In force <span class="badge text-bg-dark">0</span>' in section


def test_next_meetings_are_upcoming_ones_in_order(logged_in, db, make_agreement):
    agreement = make_agreement()
    now = datetime.now(UTC)
    past = Meeting(title="Last round", starts_at=now - timedelta(days=3), level="virtual")
    later = Meeting(title="Second round", starts_at=now + timedelta(days=20), level="virtual")
    soon = Meeting(
        title="First round",
        starts_at=now + timedelta(days=2),
        level="virtual",
        timezone="Asia/Tokyo",
    )
    db.session.add_all([past, later, soon, AgendaItem(meeting=soon, agreement=agreement)])
    db.session.commit()

    section = _section(logged_in.get("/").get_data(as_text=True), "meetings-heading")
    assert "Last round" not in section
    assert section.index("First round") < section.index("Second round")
    assert "JST" in section
    assert agreement.title in section


def test_overdue_actions_are_listed_oldest_first_and_done_ones_left_out(
    logged_in, db, make_agreement
):
    agreement = make_agreement()
    today = date.today()
    db.session.add_all(
        [
            ActionItem(
                agreement=agreement, description="Late by a week", due_on=today - timedelta(days=7)
            ),
            ActionItem(
                agreement=agreement,
                description="Late by a month",
                due_on=today - timedelta(days=30),
            ),
            ActionItem(
                agreement=agreement,
                description="Done already",
                done=True,
                due_on=today - timedelta(days=30),
            ),
            ActionItem(
                agreement=agreement, description="Due tomorrow", due_on=today + timedelta(days=1)
            ),
        ]
    )
    db.session.commit()

    section = _section(logged_in.get("/").get_data(as_text=True), "overdue-heading")
    assert section.index("Late by a month") < section.index("Late by a week")
    assert "30 days late" in section
    assert "Done already" not in section and "Due tomorrow" not in section
    assert '<span class="badge text-bg-danger">2</span>' in section


def test_recent_changes_put_the_latest_status_change_first(
    logged_in, db, make_agreement, make_party
):
    india = make_party("India", "IND")
    first = make_agreement(short_name="OLD", title="Older agreement", parties=[india])
    make_agreement(short_name="NEW", title="Newer agreement", parties=[india])
    db.session.commit()
    first = db.session.scalar(sa.select(Agreement).where(Agreement.short_name == "OLD"))
    first.change_status("under_negotiation", effective_on=date.today())
    db.session.commit()

    section = _section(logged_in.get("/").get_data(as_text=True), "recent-heading")
    assert section.index("Older agreement") < section.index("Newer agreement")


def test_empty_dashboard_says_so(logged_in):
    html = logged_in.get("/").get_data(as_text=True)
    assert "No meetings scheduled." in html
    assert "Nothing is overdue." in html
    assert "Record the first one" in html


def test_counts_follow_changes_made_after_a_view(logged_in, db, make_agreement, make_party):
    """Totals are reused between views only while nothing they count has changed."""
    agreement = make_agreement(short_name="A", status="proposed", parties=[make_party()])
    late = ActionItem(
        agreement=agreement, description="Late", due_on=date.today() - timedelta(days=3)
    )
    db.session.add(late)
    db.session.commit()
    first = logged_in.get("/").get_data(as_text=True)
    assert '<span class="badge text-bg-danger">1</span>' in _section(first, "overdue-heading")
    assert 'Proposed <span class="badge text-bg-dark">1</span>' in first

    late.done = True  # an action item alone changes
    db.session.commit()
    assert "Nothing is overdue." in logged_in.get("/").get_data(as_text=True)

    agreement.change_status("under_negotiation", effective_on=date.today())
    db.session.commit()
    third = logged_in.get("/").get_data(as_text=True)
    assert 'Proposed <span class="badge text-bg-dark">0</span>' in third
    assert 'Under negotiation <span class="badge text-bg-dark">1</span>' in third
