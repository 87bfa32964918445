"""People pages: list, search, filter, detail, forms, archive, restore, delete, permissions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from
from tracker.models import ActionItem, Meeting, MeetingLevel, PartyKind, Person, Role


def person_named(db, name: str) -> Person | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Person).where(Person.name == name))


def count_people(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


def make_meeting(db, *participants) -> Meeting:
    meeting = Meeting(
        title="2+2 Ministerial Dialogue",
        starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
        city="New Delhi",
        country="India",
        level=MeetingLevel.MINISTERIAL,
        participants=list(participants),
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


# --- list, search, filter, pagination -----------------------------------------------------


def test_list_shows_active_people_with_their_party(viewer, db, make_party, make_person):
    india = make_party("India", "IND")
    make_person("Rajesh Kumar", "Joint Secretary", party=india)
    gone = make_person("Retired Official", party=india)
    gone.archived_at = sa.func.now()
    db.session.commit()

    response = viewer.get("/people/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rajesh Kumar" in html and "Joint Secretary" in html and "India" in html
    assert "Retired Official" not in html
    assert "New person" not in html  # viewers cannot add


def test_search_on_name_or_position_and_filter_by_party(viewer, db, make_party, make_person):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    make_person("Rajesh Kumar", "Joint Secretary", party=india)
    make_person("Kenji Sato", "Director-General", party=japan)
    db.session.commit()

    html = viewer.get("/people/?q=kenji").get_data(as_text=True)
    assert "Kenji Sato" in html and "Rajesh Kumar" not in html
    html = viewer.get("/people/?q=secretary").get_data(as_text=True)
    assert "Rajesh Kumar" in html and "Kenji Sato" not in html
    html = viewer.get(f"/people/?party={japan.id}").get_data(as_text=True)
    assert "Kenji Sato" in html and "Rajesh Kumar" not in html
    assert f'<option selected value="{japan.id}">Japan</option>' in html
    assert '<optgroup label="State">' in html
    html = viewer.get(f"/people/?party={india.id}&q=kenji").get_data(as_text=True)
    assert "No people match this search." in html
    # A nonsense filter is ignored rather than an error.
    assert viewer.get("/people/?party=abc&page=x&q=%00").status_code == 200


def test_pagination(app, viewer, db, make_party, make_person):
    app.config["PAGE_SIZE"] = 2
    india = make_party()
    for name in ["Anil", "Bina", "Chandra"]:
        make_person(name, party=india)
    db.session.commit()

    html = viewer.get("/people/?page=2").get_data(as_text=True)
    assert "Chandra" in html and "Anil" not in html and "Page 2 of 2" in html
    assert "Page 2 of 2" in viewer.get("/people/?page=50").get_data(as_text=True)


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_party_position_and_meetings(viewer, db, make_person):
    person = make_person("Rajesh Kumar", "Joint Secretary")
    make_meeting(db, person)
    db.session.commit()

    response = viewer.get(f"/people/{person.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rajesh Kumar" in html and "Joint Secretary" in html and "India" in html
    assert "2+2 Ministerial Dialogue" in html
    assert "20 Aug 2024 10:00 IST" in html
    assert 'aria-label="Breadcrumb"' in html
    assert "/edit" not in html and "Archive" not in html


def test_missing_person_is_404(admin):
    for url in ["/people/999", "/people/999/edit", "/people/999/delete"]:
        assert admin.get(url).status_code == 404
    for url in ["/people/999/archive", "/people/999/restore", "/people/999/delete"]:
        assert admin.post(url).status_code == 404


# --- create and edit --------------------------------------------------------------------------


def test_create_person(editor, db, make_party):
    india = make_party("India", "IND")
    make_party("ASEAN", "ASEAN", PartyKind.ORGANISATION)
    gone = make_party("Old Club", None, PartyKind.GROUPING)
    gone.archived_at = sa.func.now()
    db.session.commit()

    html = editor.get(f"/people/new?party={india.id}").get_data(as_text=True)
    assert '<optgroup label="State">' in html
    assert '<optgroup label="International organisation">' in html
    assert f'<option selected value="{india.id}">India</option>' in html
    assert "Old Club" not in html

    data = {"name": "Rajesh Kumar", "position": "Joint Secretary", "party_id": india.id}
    response = editor.post("/people/new", data=data)
    assert response.status_code == 302
    person = person_named(db, "Rajesh Kumar")
    assert person.position == "Joint Secretary" and person.party_id == india.id
    assert response.headers["Location"] == f"/people/{person.id}"
    assert "Rajesh Kumar added." in editor.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "position": ""}, "name", "Enter the person&#39;s name."),
        ({"name": "A" * 201, "position": ""}, "name", "200 characters"),
        ({"name": "Ann", "position": "P" * 201}, "position", "200 characters"),
        ({"name": "Ann", "position": "", "party_id": ""}, "party_id", "Choose a party."),
        ({"name": "Ann", "position": "", "party_id": "abc"}, "party_id", "from the list"),
        ({"name": "Ann", "position": "", "party_id": "9999"}, "party_id", "from the list"),
        ({"name": "Ann", "position": "", "party_id": "archived"}, "party_id", "from the list"),
    ],
    ids=["no-name", "long-name", "long-position", "no-party", "bad-party", "unknown", "archived"],
)
def test_create_validation_errors(editor, db, make_party, data, field, message):
    india = make_party()
    gone = make_party("Old Club", None, PartyKind.GROUPING)
    gone.archived_at = sa.func.now()
    db.session.commit()
    data = dict(data)
    if data.get("party_id") == "archived":
        data["party_id"] = gone.id
    data.setdefault("party_id", india.id)

    response = editor.post("/people/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'id="{field}-errors"' in html
    assert count_people(db) == 0
    if data["name"]:
        assert f'value="{data["name"]}"' in html


def test_edit_is_prefilled_and_saves(editor, db, make_party, make_person):
    japan = make_party("Japan", "JPN")
    person = make_person("Rajesh Kumar", "Joint Secretary")
    db.session.commit()

    html = editor.get(f"/people/{person.id}/edit").get_data(as_text=True)
    assert 'value="Rajesh Kumar"' in html and 'value="Joint Secretary"' in html
    assert f'<option selected value="{person.party_id}">India</option>' in html

    data = {"name": "Rajesh Kumar", "position": "Secretary", "party_id": japan.id}
    data |= loaded_from(person)
    assert editor.post(f"/people/{person.id}/edit", data=data).status_code == 302
    person = person_named(db, "Rajesh Kumar")
    assert person.position == "Secretary" and person.party_id == japan.id


def test_edit_keeps_an_archived_party(editor, db, make_party, make_person):
    old = make_party("Old Club", None, PartyKind.GROUPING)
    person = make_person("Ann", party=old)
    old.archived_at = sa.func.now()
    db.session.commit()

    html = editor.get(f"/people/{person.id}/edit").get_data(as_text=True)
    assert "Old Club (archived)" in html
    data = {"name": "Ann B", "position": "", "party_id": old.id, **loaded_from(person)}
    assert editor.post(f"/people/{person.id}/edit", data=data).status_code == 302
    assert person_named(db, "Ann B").party_id == old.id


# --- archive, restore, delete -------------------------------------------------------------------


def test_archive_then_restore(login_as, db, make_person):
    person = make_person("Rajesh Kumar")
    db.session.commit()
    client = login_as(Role.EDITOR)
    html = client.post(f"/people/{person.id}/archive", follow_redirects=True).get_data(as_text=True)
    assert "Rajesh Kumar archived" in html and "Archived" in html and "Restore" not in html
    assert person_named(db, "Rajesh Kumar").archived_at is not None
    assert "Rajesh Kumar" not in client.get("/people/").get_data(as_text=True)
    assert client.post(f"/people/{person.id}/restore").status_code == 403

    client.post("/logout")
    client = login_as(Role.ADMIN)
    html = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Restore" in html
    html = client.post(f"/people/{person.id}/restore", follow_redirects=True).get_data(as_text=True)
    assert "Rajesh Kumar restored." in html
    assert person_named(db, "Rajesh Kumar").archived_at is None


def test_delete_after_confirmation(admin, db, make_person):
    person = make_person("Rajesh Kumar")
    db.session.commit()

    html = admin.get(f"/people/{person.id}/delete").get_data(as_text=True)
    assert "Delete Rajesh Kumar?" in html
    assert person_named(db, "Rajesh Kumar") is not None
    response = admin.post(f"/people/{person.id}/delete", follow_redirects=True)
    assert "Rajesh Kumar deleted." in response.get_data(as_text=True)
    assert person_named(db, "Rajesh Kumar") is None


def test_delete_refused_after_meetings_or_actions(admin, db, make_person, make_agreement):
    person = make_person("Rajesh Kumar")
    make_meeting(db, person)
    agreement = make_agreement(parties=[person.party])
    db.session.add(ActionItem(agreement=agreement, description="Send draft", owner=person))
    db.session.commit()

    html = admin.get(f"/people/{person.id}/delete").get_data(as_text=True)
    assert "they attended 1 meeting and owns 1 action item" in html
    assert "Archive instead" in html
    response = admin.post(f"/people/{person.id}/delete", follow_redirects=True)
    assert "Rajesh Kumar cannot be deleted" in response.get_data(as_text=True)
    assert person_named(db, "Rajesh Kumar") is not None


# --- permissions ------------------------------------------------------------------------------


def test_viewer_gets_403_on_changes(viewer, db, make_person):
    person = make_person("Rajesh Kumar")
    db.session.commit()
    party_id = person.party_id

    assert viewer.get("/people/new").status_code == 403
    data = {"name": "X", "position": "", "party_id": party_id}
    assert viewer.post("/people/new", data=data).status_code == 403
    assert viewer.get(f"/people/{person.id}/edit").status_code == 403
    assert viewer.post(f"/people/{person.id}/edit", data=data).status_code == 403
    assert viewer.post(f"/people/{person.id}/archive").status_code == 403
    assert viewer.post(f"/people/{person.id}/restore").status_code == 403
    assert viewer.get(f"/people/{person.id}/delete").status_code == 403
    assert viewer.post(f"/people/{person.id}/delete").status_code == 403
    assert count_people(db) == 1
    assert person_named(db, "Rajesh Kumar").archived_at is None


def test_editor_gets_403_on_restore_and_delete(editor, db, make_person):
    person = make_person("Rajesh Kumar")
    db.session.commit()
    html = editor.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Edit" in html and "Archive" in html and "Delete" not in html
    assert editor.post(f"/people/{person.id}/restore").status_code == 403
    assert editor.get(f"/people/{person.id}/delete").status_code == 403
    assert editor.post(f"/people/{person.id}/delete").status_code == 403
    assert count_people(db) == 1


def test_detail_shows_meetings_a_page_at_a_time_newest_first(app, viewer, db, make_person):
    """Someone at hundreds of meetings: the page lists them in pages, each linked."""
    app.config["PAGE_SIZE"] = 2
    person = make_person("Rajesh Kumar", "Joint Secretary")
    for day in (1, 2, 3):
        meeting = make_meeting(db, person)
        meeting.title = f"Round {day}"
        meeting.starts_at = datetime(2024, 8, day, 4, 30, tzinfo=UTC)
    db.session.commit()

    first = viewer.get(f"/people/{person.id}").get_data(as_text=True)
    assert "3 meetings, newest first." in first and "Page 1 of 2" in first
    assert first.index("Round 3") < first.index("Round 2") and "Round 1" not in first
    round_3 = db.session.scalar(sa.select(Meeting.id).where(Meeting.title == "Round 3"))
    assert f'<a href="/meetings/{round_3}">Round 3</a>' in first
    second = viewer.get(f"/people/{person.id}?page=2").get_data(as_text=True)
    assert "Round 1" in second and "Round 3" not in second
