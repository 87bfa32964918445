"""Bad values found by tests/test_fuzzing.py, each pinned down: a clear message or a 400/404."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import db_snapshot, log_in
from tracker.models import AgendaItem, Meeting, MeetingLevel, Role
from tracker.web.arguments import MAX_ID, record_id


@pytest.fixture
def admin(client, make_user):
    make_user("admin", role=Role.ADMIN)
    assert log_in(client, "admin").status_code == 302
    return client


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", 7), (str(MAX_ID), MAX_ID), ("0", None), (str(MAX_ID + 1), None), (str(2**63), None)]
    + [("²", None), ("١", None), ("-1", None), (" 7", None), ("", None), (None, None)],
)
def test_record_id_takes_ascii_digits_in_the_id_range(text, expected):
    assert record_id(text) == expected


@pytest.mark.parametrize("number", [MAX_ID + 1, 2**63, 10**30])
def test_ids_too_large_for_the_database_are_not_found(admin, make_agreement, db, number):
    """They used to reach SQLite, which cannot bind more than 64 bits (500)."""
    make_agreement()
    db.session.commit()
    assert admin.get(f"/agreements/{number}").status_code == 404
    assert admin.post(f"/agreements/{number}/actions/new", data={}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/agreements/?party=9223372036854775808",
        "/agreements/?lead=%C2%B2",
        "/agreements/?page=%C2%B2",
        "/meetings/?agreement=9223372036854775808",
        "/meetings/new?parent=9223372036854775808&agreement=9223372036854775808",
        "/people/?party=9223372036854775808",
        "/people/new?party=9223372036854775808",
        "/admin/audit?user=%C2%B2",
        "/admin/audit?user=9223372036854775808",
        "/admin/audit.csv?user=9223372036854775808",
    ],
)
def test_filters_that_cannot_name_a_record_are_ignored(admin, query):
    """An id no record can have filters nothing out, as an unknown value always did."""
    assert admin.get(query).status_code == 200


def test_audit_trail_until_the_last_day_of_the_calendar(admin, make_agreement, db):
    """The day after 31 Dec 9999 does not exist; 'until then' means no upper bound."""
    make_agreement()
    db.session.commit()
    page = admin.get("/admin/audit?until=9999-12-31").get_data(as_text=True)
    assert "RPSS" in page or "Reciprocal Provision" in page


@pytest.mark.parametrize("name", ["_scheme", "_method", "_anchor", "_external", "endpoint"])
def test_list_links_ignore_url_for_keywords_in_the_query(admin, make_party, db, name):
    """Pagination and the audit download link pass the query on to url_for; its own keywords
    from a visitor's query string used to make it fail (500) or rewrite the link."""
    app = admin.application
    app.config["PAGE_SIZE"] = 1
    make_party("India", "IND")
    make_party("Japan", "JPN")
    db.session.commit()
    response = admin.get(f"/parties/?{name}=javascript&q=a")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/parties/?q=a&amp;page=2"' in page
    assert "javascript" not in page
    audit = admin.get(f"/admin/audit?{name}=javascript&type=party").get_data(as_text=True)
    assert 'href="/admin/audit.csv?type=party"' in audit


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/parties/new", {"name": "a\x00b", "kind": "grouping"}),
        ("/agreements/new", {"title": "a\x00b", "category": "logistics", "status": "proposed"}),
        ("/people/new", {"name\x00": "x"}),
    ],
)
def test_forms_with_nul_characters_are_refused_before_any_view(admin, db, path, data):
    """PostgreSQL cannot store NUL, so it used to fail in the database (500)."""
    before = db_snapshot(db.engine)
    response = admin.post(path, data=data)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert db_snapshot(db.engine) == before


def test_meeting_search_drops_nul_like_the_other_lists(admin, db):
    """The meetings list passed it on to PostgreSQL (500); the other lists already dropped it."""
    db.session.add(
        Meeting(
            title="Defence Policy Dialogue",
            starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
            timezone="Asia/Kolkata",
            level=MeetingLevel.SENIOR_OFFICIALS,
        )
    )
    db.session.commit()
    page = admin.get("/meetings/?q=Policy%00").get_data(as_text=True)
    assert "Defence Policy Dialogue" in page


def test_login_with_a_nul_character_is_refused(client, make_user):
    make_user("ann")
    response = client.post("/login", data={"username": "ann\x00", "password": "x"})
    assert response.status_code == 400


def meeting_form(**overrides) -> dict:
    data = {
        "title": "Defence Policy Dialogue",
        "start_date": "2024-08-20",
        "start_time": "10:00",
        "timezone": "Asia/Kolkata",
        "level": "senior_officials",
    }
    return data | overrides


@pytest.mark.parametrize(
    "dates",
    [
        {"start_date": "0001-01-01", "start_time": "00:00"},
        {"start_date": "9999-12-31", "start_time": "23:59", "timezone": "America/Los_Angeles"},
        {"end_date": "9999-12-31", "end_time": "23:00", "timezone": "Pacific/Honolulu"},
        {"start_date": "1899-12-31"},
    ],
)
def test_meeting_days_beyond_the_calendar_get_a_message(admin, db, dates):
    """Moving 00:00 on 1 Jan of year 1 from Delhi to UTC falls off Python's calendar (500)."""
    before = db_snapshot(db.engine)
    response = admin.post("/meetings/new", data=meeting_form(**dates))
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2999." in response.get_data(as_text=True)
    assert db_snapshot(db.engine) == before


def test_meeting_on_the_last_day_accepted_is_saved(admin, db):
    response = admin.post("/meetings/new", data=meeting_form(start_date="2999-12-31"))
    assert response.status_code == 302
    meeting = db.session.scalars(sa.select(Meeting)).one()
    assert meeting.local_starts_at.date().isoformat() == "2999-12-31"


def test_outcomes_form_with_a_garbled_agreement_is_refused(admin, db, make_agreement):
    """``"²".isdigit()`` is true but int("²") fails: the form's hidden id used to crash it."""
    agreement = make_agreement()
    meeting = Meeting(
        title="Round 1",
        starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
        level=MeetingLevel.SENIOR_OFFICIALS,
        agenda_items=[AgendaItem(agreement=agreement)],
    )
    db.session.add(meeting)
    db.session.commit()
    before = db_snapshot(db.engine)
    response = admin.post(
        f"/meetings/{meeting.id}/outcomes", data={"agreements-0-agreement_id": "²"}
    )
    assert response.status_code == 400
    assert db_snapshot(db.engine) == before
