"""Recording everything a meeting produced, for each agreement discussed, in one pass."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from, log_in
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    Meeting,
    NegotiationPoint,
    Person,
    PointStatus,
    Role,
    Status,
)


@pytest.fixture
def talks(db, make_agreement, make_party):
    """The New Delhi talks discussing the RPSS (with an open point) and a second agreement."""
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    rpss = make_agreement(
        short_name="RPSS", status="proposed", status_on=date(2024, 11, 1), parties=[india, japan]
    )
    dic = make_agreement(
        title="Defence industrial cooperation", short_name="DIC", parties=[india, japan]
    )
    scope = NegotiationPoint(agreement=rpss, subject="Scope of services", status="open")
    singh = Person(name="Rajnath Singh", position="Defence Minister", party=india)
    meeting = Meeting(
        title="New Delhi talks",
        level="ministerial",
        timezone="Asia/Kolkata",
        starts_at=datetime(2025, 5, 5, 4, 30, tzinfo=UTC),
        participants=[singh],
    )
    db.session.add_all(
        [
            scope,
            singh,
            meeting,
            AgendaItem(meeting=meeting, agreement=rpss, outcome=""),
            AgendaItem(meeting=meeting, agreement=dic, outcome=""),
        ]
    )
    db.session.commit()
    return {"meeting": meeting, "rpss": rpss, "dic": dic, "scope": scope, "singh": singh}


def _form(talks, **overrides):
    """The form as the page renders it: DIC first, then RPSS (by title)."""
    dic, rpss = talks["dic"], talks["rpss"]
    data = {
        "agreements-0-agreement_id": str(dic.id),
        "agreements-0-outcome": "",
        "agreements-0-status": "",
        "agreements-0-status_on": "2025-05-05",
        "agreements-0-status_note": "",
        "agreements-0-point_subject": "",
        "agreements-0-point_details": "",
        "agreements-1-agreement_id": str(rpss.id),
        "agreements-1-outcome": "",
        "agreements-1-status": "",
        "agreements-1-status_on": "2025-05-05",
        "agreements-1-status_note": "",
        "agreements-1-point_subject": "",
        "agreements-1-point_details": "",
        "agreements-1-settle-0-point_id": str(talks["scope"].id),
        "agreements-1-settle-0-status": "",
    }
    for section in (0, 1):
        for row in (0, 1):
            prefix = f"agreements-{section}-actions-{row}-"
            data |= {prefix + "task": "", prefix + "owner": "", prefix + "due_on": ""}
    data |= loaded_from(talks["meeting"])
    data |= loaded_from(dic, "agreements-0-") | loaded_from(rpss, "agreements-1-")
    data.update(overrides)
    return data


def _reload(db, short_name):
    db.session.expire_all()
    return db.session.scalar(sa.select(Agreement).where(Agreement.short_name == short_name))


def test_page_lists_each_agreement_with_its_open_points(logged_in, talks):
    html = logged_in.get(f"/meetings/{talks['meeting'].id}/outcomes").get_data(as_text=True)
    assert html.index("Defence industrial cooperation") < html.index("Reciprocal Provision")
    assert "Scope of services" in html
    assert 'value="2025-05-05"' in html  # the meeting's local date
    # Only moves the status rules allow are offered.
    rpss_section = html.split("Reciprocal Provision")[1]
    assert 'value="under_negotiation"' in rpss_section
    assert 'value="signed"' not in rpss_section


def test_one_pass_records_status_points_and_actions_citing_the_meeting(logged_in, db, talks):
    meeting, singh = talks["meeting"], talks["singh"]
    response = logged_in.post(
        f"/meetings/{meeting.id}/outcomes",
        data=_form(
            talks,
            **{
                "agreements-0-outcome": "Projects to be listed",
                "agreements-0-actions-0-task": "List candidate projects",
                "agreements-0-actions-0-due_on": "2025-09-30",
                "agreements-1-outcome": "Formal negotiations launched",
                "agreements-1-status": "under_negotiation",
                "agreements-1-status_note": "Ministers agreed to negotiate",
                "agreements-1-settle-0-status": "agreed",
                "agreements-1-point_subject": "Reimbursement mechanism",
                "agreements-1-point_details": "How supplies are paid for",
                "agreements-1-actions-0-task": "Exchange first draft",
                "agreements-1-actions-0-owner": str(singh.id),
                "agreements-1-actions-0-due_on": "2025-07-31",
            },
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting.id}"

    rpss = _reload(db, "RPSS")
    change = rpss.status_changes[-1]
    assert (rpss.status, change.meeting_id, change.effective_on, change.note) == (
        Status.UNDER_NEGOTIATION,
        meeting.id,
        date(2025, 5, 5),
        "Ministers agreed to negotiate",
    )
    assert change.recorded_by.username == "desk.officer"
    points = {p.subject: p for p in rpss.points}
    assert points["Scope of services"].status == PointStatus.AGREED
    assert points["Scope of services"].settled_at_id == meeting.id
    assert points["Reimbursement mechanism"].raised_at_id == meeting.id
    assert points["Reimbursement mechanism"].status == PointStatus.OPEN
    [action] = rpss.action_items
    assert (action.description, action.owner_id, action.meeting_id, action.due_on) == (
        "Exchange first draft",
        singh.id,
        meeting.id,
        date(2025, 7, 31),
    )
    outcomes = {
        item.agreement.short_name: item.outcome
        for item in db.session.get(Meeting, meeting.id).agenda_items
    }
    assert outcomes == {"RPSS": "Formal negotiations launched", "DIC": "Projects to be listed"}
    assert _reload(db, "DIC").action_items[0].description == "List candidate projects"

    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded 7 changes from “New Delhi talks”." in page


def test_a_refused_part_saves_nothing_and_keeps_the_input(logged_in, db, talks):
    meeting = talks["meeting"]
    response = logged_in.post(
        f"/meetings/{meeting.id}/outcomes",
        data=_form(
            talks,
            **{
                "agreements-0-outcome": "Kept text",
                "agreements-1-status": "under_negotiation",
                "agreements-1-status_on": "2024-10-01",  # before the agreement's last change
            },
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "cannot take effect before the previous one" in html
    assert "Kept text" in html
    assert _reload(db, "RPSS").status == Status.PROPOSED
    assert {item.outcome for item in db.session.get(Meeting, meeting.id).agenda_items} == {""}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"agreements-1-status": "under_negotiation", "agreements-1-status_on": ""},
            "Give the date the change took effect.",
        ),
        ({"agreements-1-status": "in_force"}, "Not a valid choice."),
        ({"agreements-1-point_details": "No subject"}, "Give the new point a subject."),
        ({"agreements-1-actions-0-due_on": "2025-07-31"}, "Describe what has to be done."),
        (
            {
                "agreements-1-actions-0-task": "Draft",
                "agreements-1-actions-0-due_on": "soon",
            },
            "Not a valid date value.",
        ),
    ],
)
def test_bad_input_is_explained_next_to_the_field(logged_in, db, talks, overrides, message):
    response = logged_in.post(
        f"/meetings/{talks['meeting'].id}/outcomes", data=_form(talks, **overrides)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0
    assert _reload(db, "RPSS").status == Status.PROPOSED


def test_tampered_sections_are_refused(logged_in, db, talks, make_agreement):
    other = make_agreement(title="Not discussed", short_name="ND", parties=[])
    db.session.commit()
    url = f"/meetings/{talks['meeting'].id}/outcomes"
    assert (
        logged_in.post(
            url, data=_form(talks, **{"agreements-0-agreement_id": str(other.id)})
        ).status_code
        == 400
    )
    assert (
        logged_in.post(
            url, data=_form(talks, **{"agreements-1-settle-0-point_id": "99999"})
        ).status_code
        == 400
    )
    assert logged_in.post(url, data={"agreements-0-agreement_id": "x"}).status_code == 400


def test_viewers_cannot_record_and_missing_meetings_are_404(client, make_user, talks):
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    url = f"/meetings/{talks['meeting'].id}/outcomes"
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code == 403
    client.post("/logout")
    make_user("editor", role=Role.EDITOR)
    log_in(client, "editor")
    assert client.get("/meetings/9999/outcomes").status_code == 404


def test_meeting_without_agenda_explains_what_to_do(logged_in, db):
    meeting = Meeting(
        title="Courtesy call", level="ministerial", starts_at=datetime(2025, 5, 5, tzinfo=UTC)
    )
    db.session.add(meeting)
    db.session.commit()
    html = logged_in.get(f"/meetings/{meeting.id}/outcomes").get_data(as_text=True)
    assert "No agreement is on this meeting" in html
