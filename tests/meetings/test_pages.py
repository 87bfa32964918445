"""The meeting list and a meeting's page."""

from datetime import UTC, datetime, timedelta

import pytest

from tracker.models import AgendaItem, MeetingLevel, utcnow


def html(response) -> str:
    return response.get_data(as_text=True)


def test_list_is_newest_first_and_marks_upcoming(logged_in, db, make_meeting):
    make_meeting(title="Old talks", starts_at=datetime(2023, 1, 5, 3, 0, tzinfo=UTC))
    make_meeting(title="Future talks", starts_at=utcnow() + timedelta(days=30))
    make_meeting(title="Recent talks", starts_at=datetime(2024, 9, 1, 3, 0, tzinfo=UTC))
    db.session.commit()

    response = logged_in.get("/meetings/")
    page = html(response)
    assert response.status_code == 200
    assert page.index("Future talks") < page.index("Recent talks") < page.index("Old talks")
    assert page.count("Upcoming") == 1
    assert page.index("Upcoming") < page.index("Recent talks")


def test_list_hides_archived_meetings(logged_in, db, make_meeting):
    make_meeting(title="Visible talks")
    make_meeting(title="Hidden talks", archived_at=utcnow())
    db.session.commit()
    page = html(logged_in.get("/meetings/"))
    assert "Visible talks" in page
    assert "Hidden talks" not in page


def test_list_filters_by_level_agreement_and_text(logged_in, db, make_meeting, make_agreement):
    rpss = make_agreement()
    summit = make_meeting(title="Annual Summit", level=MeetingLevel.SUMMIT, city="Tokyo")
    make_meeting(title="Working group on logistics", level=MeetingLevel.WORKING_GROUP)
    make_meeting(title="2+2 dialogue", setting="On the sidelines of 100% ADMM-Plus")
    db.session.add(AgendaItem(meeting=summit, agreement=rpss, outcome="Text agreed"))
    db.session.commit()

    page = html(logged_in.get("/meetings/?level=summit"))
    assert "Annual Summit" in page
    assert "Working group on logistics" not in page

    page = html(logged_in.get(f"/meetings/?agreement={rpss.id}"))
    assert "Annual Summit" in page
    assert "2+2 dialogue" not in page

    page = html(logged_in.get("/meetings/?q=tokyo"))
    assert "Annual Summit" in page and "2+2 dialogue" not in page
    page = html(logged_in.get("/meetings/?q=100%25"))
    assert "2+2 dialogue" in page and "Annual Summit" not in page
    page = html(logged_in.get("/meetings/?q=nothing+like+this"))
    assert "No meetings match these filters." in page


@pytest.mark.parametrize("query", ["level=bogus", "agreement=abc", "agreement=999", "page=x"])
def test_list_ignores_nonsense_filters(logged_in, db, make_meeting, query):
    make_meeting()
    db.session.commit()
    assert logged_in.get(f"/meetings/?{query}").status_code == 200


def test_list_paginates(app, logged_in, db, make_meeting):
    app.config["PAGE_SIZE"] = 2
    for day in range(1, 6):
        make_meeting(title=f"Round {day}", starts_at=datetime(2024, 5, day, 3, 0, tzinfo=UTC))
    db.session.commit()

    first = html(logged_in.get("/meetings/"))
    assert "Round 5" in first and "Round 4" in first and "Round 3" not in first
    assert "Page 1 of 3" in first
    third = html(logged_in.get("/meetings/?page=3"))
    assert "Round 1" in third and "Round 2" not in third
    for page in ("abc", "0", "-4", "999", "99999999999999999999"):
        response = logged_in.get(f"/meetings/?page={page}")
        assert response.status_code == 200
        assert "Round" in html(response)
    assert "Round 1" in html(logged_in.get("/meetings/?page=999"))


def test_detail_shows_the_time_in_the_meetings_zone(logged_in, db, make_meeting):
    meeting = make_meeting(
        title="Defence Policy Dialogue",
        starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
        ends_at=datetime(2024, 8, 20, 11, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
        setting="Ministry of Defence, South Block",
        summary="Both sides reviewed progress.",
    )
    db.session.commit()

    page = html(logged_in.get(f"/meetings/{meeting.id}"))
    assert "20 Aug 2024 10:00 IST" in page
    assert "20 Aug 2024 17:00 IST" in page
    assert "New Delhi, India" in page
    assert "Ministry of Defence, South Block" in page
    assert "Senior officials" in page
    assert "Both sides reviewed progress." in page
    assert 'aria-label="Breadcrumb"' in page


def test_detail_groups_participants_and_lists_outcomes(
    logged_in, db, make_meeting, make_person, make_party, make_agreement
):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    agreement = make_agreement(parties=[india, japan])
    meeting = make_meeting()
    meeting.participants = [
        make_person("Rajnath Singh", india, "Defence Minister"),
        make_person("Minoru Kihara", japan, "Minister of Defense"),
        make_person("Giridhar Aramane", india, "Defence Secretary"),
    ]
    db.session.add(
        AgendaItem(meeting=meeting, agreement=agreement, outcome="Agreed to finalise text")
    )
    db.session.commit()

    page = html(logged_in.get(f"/meetings/{meeting.id}"))
    assert page.index("India") < page.index("Giridhar Aramane") < page.index("Rajnath Singh")
    assert page.index("Rajnath Singh") < page.index("Japan") < page.index("Minoru Kihara")
    assert "Reciprocal Provision of Supplies and Services Agreement" in page
    assert "Agreed to finalise text" in page
    assert f'href="/agreements/{agreement.id}"' in page


def test_detail_links_gathering_and_side_meetings(logged_in, db, make_meeting):
    gathering = make_meeting(title="ADMM-Plus", timezone="Asia/Vientiane")
    side = make_meeting(title="Bilateral on the sidelines", parent=gathering)
    make_meeting(title="Archived side talk", parent=gathering, archived_at=utcnow())
    db.session.commit()

    page = html(logged_in.get(f"/meetings/{gathering.id}"))
    assert "Meetings on its sidelines" in page
    assert f'href="/meetings/{side.id}"' in page
    assert "Archived side talk" not in page
    page = html(logged_in.get(f"/meetings/{side.id}"))
    assert "Held during" in page
    assert f'href="/meetings/{gathering.id}"' in page


def test_archived_meeting_page_still_opens(logged_in, db, make_meeting):
    meeting = make_meeting(archived_at=utcnow())
    db.session.commit()
    response = logged_in.get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    assert "Archived on" in html(response)


@pytest.mark.parametrize(
    "path",
    ["/meetings/999", "/meetings/999/edit", "/meetings/999/delete"],
)
def test_missing_meetings_are_404(admin, path):
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/meetings/999/archive", "/meetings/999/restore"])
def test_posting_to_missing_meetings_is_404(admin, path):
    assert admin.post(path).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/meetings/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_viewer_reads_without_edit_buttons(viewer, db, make_meeting):
    meeting = make_meeting()
    db.session.commit()
    assert "New meeting" not in html(viewer.get("/meetings/"))
    page = html(viewer.get(f"/meetings/{meeting.id}"))
    assert "Defence Policy Dialogue" in page
    assert f"/meetings/{meeting.id}/edit" not in page
    assert "Archive" not in page and "Delete" not in page


def test_list_narrowed_to_an_agreement_names_it_and_offers_to_widen(
    logged_in, db, make_meeting, make_agreement
):
    """The agreement filter comes from links and is shown as a name, not a list of every
    agreement (a collection can hold hundreds of thousands)."""
    rpss = make_agreement(short_name="RPSS")
    summit = make_meeting(title="Annual Summit")
    make_meeting(title="Other talks")
    db.session.add(AgendaItem(meeting=summit, agreement=rpss))
    db.session.commit()

    agreement_page = html(logged_in.get(f"/agreements/{rpss.id}"))
    assert f'href="/meetings/?agreement={rpss.id}"' in agreement_page

    page = html(logged_in.get(f"/meetings/?agreement={rpss.id}&level=summit"))
    assert f'<a href="/agreements/{rpss.id}">RPSS</a>' in page
    assert 'href="/meetings/?level=summit">Any agreement</a>' in page
    assert "<option" not in page.split('id="level"')[1].split("</select>")[1]
    # An agreement that does not exist narrows nothing.
    page = html(logged_in.get("/meetings/?agreement=999"))
    assert "Annual Summit" in page and "Other talks" in page and "Any agreement" not in page


def test_list_search_finds_words_in_the_minutes(logged_in, db, make_meeting):
    """The minutes are searched through the full-text index: every word, endings ignored."""
    make_meeting(title="Round one", summary="Both sides discussed the supply of spare parts.")
    make_meeting(title="Round two", summary="Logistics only.")
    db.session.commit()

    page = html(logged_in.get("/meetings/?q=supplies+spare"))
    assert "Round one" in page and "Round two" not in page
    page = html(logged_in.get("/meetings/?q=spare+logistics"))
    assert "No meetings match these filters." in page
