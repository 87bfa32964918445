"""Recording and editing meetings through the form."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from
from tracker.models import AgendaItem, Meeting, MeetingLevel


def html(response) -> str:
    return response.get_data(as_text=True)


def form_data(**overrides) -> dict:
    """What the browser sends for a filled-in form with three empty agenda rows."""
    data = {
        "title": "Defence Policy Dialogue",
        "start_date": "2024-08-20",
        "start_time": "10:00",
        "timezone": "Asia/Kolkata",
        "end_date": "",
        "end_time": "",
        "city": "New Delhi",
        "country": "India",
        "setting": "South Block",
        "level": "senior_officials",
        "summary": "",
        "parent_id": "",
    }
    for index in range(3):
        data[f"agenda-{index}-agreement_id"] = ""
        data[f"agenda-{index}-outcome"] = ""
    data.update(overrides)
    return data


def only_meeting(db) -> Meeting:
    db.session.expire_all()
    return db.session.scalars(sa.select(Meeting)).one()


def test_new_form_renders_the_fields(logged_in, db, make_person, make_party, make_agreement):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    make_person("Rajnath Singh", india)
    make_person("Minoru Kihara", japan)
    make_person("Former envoy", japan, archived_at=datetime(2024, 1, 1, tzinfo=UTC))
    make_agreement(parties=[india, japan])
    db.session.commit()

    response = logged_in.get("/meetings/new")
    page = html(response)
    assert response.status_code == 200
    assert '<optgroup label="India">' in page and '<optgroup label="Japan">' in page
    assert "Rajnath Singh" in page and "Former envoy" not in page
    assert page.count('name="agenda-') == 6  # three empty rows: agreement + outcome
    zones = page[page.index('name="timezone"') :]
    assert zones.index("Asia/Kolkata") < zones.index("Asia/Tokyo") < zones.index("Asia/Vientiane")
    assert (
        zones.index("Asia/Vientiane") < zones.index('value="UTC"') < zones.index("Africa/Abidjan")
    )
    assert 'aria-label="Breadcrumb"' in page


def test_create_with_participants_and_outcomes(
    logged_in, db, make_person, make_party, make_agreement
):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    rajnath, kihara = make_person("Rajnath Singh", india), make_person("Minoru Kihara", japan)
    make_person("Not there", india)
    rpss = make_agreement(parties=[india, japan])
    antenna = make_agreement(title="Naval stealth antenna", short_name="UNICORN", parties=[])
    db.session.commit()

    response = logged_in.post(
        "/meetings/new",
        data=form_data(
            end_date="2024-08-20",
            end_time="17:30",
            participant_ids=[str(rajnath.id), str(kihara.id)],
            **{
                "agenda-0-agreement_id": str(rpss.id),
                "agenda-0-outcome": "Text to be finalised by December.",
                "agenda-1-agreement_id": "",
                "agenda-1-outcome": "ignored: no agreement chosen",
                "agenda-2-agreement_id": str(antenna.id),
                "agenda-2-outcome": "Joint study agreed.",
            },
        ),
    )
    meeting = only_meeting(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    assert meeting.starts_at == datetime(2024, 8, 20, 4, 30, tzinfo=UTC)
    assert meeting.ends_at == datetime(2024, 8, 20, 12, 0, tzinfo=UTC)
    assert meeting.timezone == "Asia/Kolkata"
    assert meeting.level == MeetingLevel.SENIOR_OFFICIALS
    assert meeting.parent is None
    assert {p.name for p in meeting.participants} == {"Rajnath Singh", "Minoru Kihara"}
    outcomes = {item.agreement_id: item.outcome for item in meeting.agenda_items}
    assert outcomes == {
        rpss.id: "Text to be finalised by December.",
        antenna.id: "Joint study agreed.",
    }

    page = html(logged_in.get(response.headers["Location"]))
    assert "recorded." in page
    assert "20 Aug 2024 10:00 IST" in page


def test_create_in_another_zone_stores_utc(logged_in, db):
    response = logged_in.post(
        "/meetings/new", data=form_data(start_time="09:00", timezone="Asia/Tokyo")
    )
    assert response.status_code == 302
    assert only_meeting(db).starts_at == datetime(2024, 8, 20, 0, 0, tzinfo=UTC)


def test_end_time_alone_ends_the_same_day(logged_in, db):
    logged_in.post("/meetings/new", data=form_data(end_time="12:00"))
    assert only_meeting(db).ends_at == datetime(2024, 8, 20, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title."),
        ({"title": "x" * 301}, "Field cannot be longer than 300 characters."),
        ({"start_date": ""}, "Enter the date of the meeting."),
        ({"start_date": "20/08/2024"}, "Not a valid date value."),
        ({"start_time": ""}, "Enter the local start time."),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a timezone from the list."),
        (
            {"end_date": "2024-08-19", "end_time": "18:00"},
            "The meeting cannot end before it starts.",
        ),
        ({"end_time": "09:59"}, "The meeting cannot end before it starts."),
        ({"end_date": "2024-08-21"}, "Give the end time as well"),
        ({"level": "tea_party"}, "Not a valid choice."),
        ({"parent_id": "abc"}, "Invalid Choice: could not coerce."),
        ({"parent_id": "12345"}, "Not a valid choice."),
        ({"participant_ids": ["12345"]}, "is not a valid choice"),
        ({"start_time": "25:99"}, "Not a valid time value."),
        ({"participant_ids": ["x"]}, "could not be coerced"),
        ({"agenda-0-agreement_id": "12345"}, "Not a valid choice."),
    ],
)
def test_invalid_input_is_shown_next_to_the_field(logged_in, db, overrides, message):
    response = logged_in.post("/meetings/new", data=form_data(**overrides))
    page = html(response)
    assert response.status_code == 200
    assert message in page
    assert "invalid-feedback" in page
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_invalid_input_keeps_what_was_typed(logged_in, db):
    response = logged_in.post(
        "/meetings/new",
        data=form_data(title="Kept title", end_date="2024-08-19", end_time="18:00"),
    )
    page = html(response)
    assert 'value="Kept title"' in page
    assert 'value="2024-08-19"' in page
    assert '<option selected value="Asia/Kolkata">' in page


def test_the_same_agreement_twice_is_refused(logged_in, db, make_agreement):
    rpss = make_agreement()
    db.session.commit()
    response = logged_in.post(
        "/meetings/new",
        data=form_data(
            **{
                "agenda-0-agreement_id": str(rpss.id),
                "agenda-0-outcome": "First note",
                "agenda-1-agreement_id": str(rpss.id),
                "agenda-1-outcome": "Second note",
            }
        ),
    )
    page = html(response)
    assert response.status_code == 200
    assert "This agreement is already listed above." in page
    assert "List each agreement once" in page
    assert "Second note" in page
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_side_meeting_is_linked_to_its_gathering(logged_in, db, make_meeting):
    gathering = make_meeting(title="ADMM-Plus", timezone="Asia/Vientiane")
    db.session.commit()

    page = html(logged_in.get(f"/meetings/new?parent={gathering.id}"))
    assert f'<option selected value="{gathering.id}">' in page
    response = logged_in.post(
        "/meetings/new", data=form_data(title="Bilateral", parent_id=str(gathering.id))
    )
    assert response.status_code == 302
    db.session.expire_all()
    side = db.session.scalars(sa.select(Meeting).where(Meeting.title == "Bilateral")).one()
    assert side.parent_id == gathering.id
    assert [m.title for m in db.session.get(Meeting, gathering.id).side_meetings] == ["Bilateral"]


def test_parent_choices_leave_out_itself_its_side_meetings_and_archived(
    logged_in, db, make_meeting
):
    gathering = make_meeting(title="Summit")
    side = make_meeting(title="Side talk", parent=gathering)
    side_of_side = make_meeting(title="Corridor chat", parent=side)
    other = make_meeting(title="Other gathering")
    archived = make_meeting(
        title="Archived gathering", archived_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    db.session.commit()

    page = html(logged_in.get(f"/meetings/{gathering.id}/edit"))
    select = page[
        page.index('name="parent_id"') : page.index("</select>", page.index('name="parent_id"'))
    ]
    assert f'value="{other.id}"' in select
    for excluded in (gathering, side, side_of_side, archived):
        assert f'value="{excluded.id}"' not in select

    response = logged_in.post(
        f"/meetings/{gathering.id}/edit",
        data=form_data(title="Summit", parent_id=str(side_of_side.id), **loaded_from(gathering)),
    )
    assert response.status_code == 200
    assert "Not a valid choice." in html(response)
    db.session.expire_all()
    assert db.session.get(Meeting, gathering.id).parent_id is None


def test_edit_form_is_prefilled(
    logged_in, db, make_meeting, make_person, make_party, make_agreement
):
    india = make_party("India", "IND")
    rajnath = make_person("Rajnath Singh", india)
    rpss = make_agreement(parties=[india])
    meeting = make_meeting(
        ends_at=datetime(2024, 8, 20, 11, 30, tzinfo=UTC), summary="Long minutes"
    )
    meeting.participants = [rajnath]
    db.session.add(AgendaItem(meeting=meeting, agreement=rpss, outcome="Close to agreement"))
    db.session.commit()

    response = logged_in.get(f"/meetings/{meeting.id}/edit")
    page = html(response)
    assert response.status_code == 200
    assert 'value="Defence Policy Dialogue"' in page
    assert 'value="2024-08-20"' in page
    assert 'value="10:00"' in page and 'value="17:00"' in page
    assert '<option selected value="Asia/Kolkata">' in page
    assert '<option selected value="senior_officials">' in page
    assert f'<option selected value="{rajnath.id}">' in page
    assert f'<option selected value="{rpss.id}">' in page
    assert "Close to agreement" in page
    assert "Long minutes" in page
    assert page.count('name="agenda-') == 8  # the existing row and three empty ones


def test_edit_replaces_participants_and_outcomes(
    logged_in, db, make_meeting, make_person, make_party, make_agreement
):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    rajnath, kihara = make_person("Rajnath Singh", india), make_person("Minoru Kihara", japan)
    rpss = make_agreement(parties=[india, japan])
    antenna = make_agreement(title="Naval stealth antenna", short_name="UNICORN", parties=[])
    dropped = make_agreement(title="Dropped topic", short_name="DROP", parties=[])
    meeting = make_meeting()
    meeting.participants = [rajnath]
    db.session.add(AgendaItem(meeting=meeting, agreement=rpss, outcome="Old note"))
    db.session.add(AgendaItem(meeting=meeting, agreement=dropped, outcome="Gone"))
    db.session.commit()

    response = logged_in.post(
        f"/meetings/{meeting.id}/edit",
        data=form_data(
            title="Defence Policy Dialogue (revised)",
            start_time="11:15",
            timezone="Asia/Tokyo",
            level="ministerial",
            participant_ids=[str(kihara.id)],
            **{
                "agenda-0-agreement_id": str(rpss.id),
                "agenda-0-outcome": "New note",
                "agenda-1-agreement_id": "",
                "agenda-2-agreement_id": str(antenna.id),
                "agenda-2-outcome": "Added",
            },
            **loaded_from(meeting),
        ),
    )
    assert response.status_code == 302
    meeting = only_meeting(db)
    assert meeting.title == "Defence Policy Dialogue (revised)"
    assert meeting.starts_at == datetime(2024, 8, 20, 2, 15, tzinfo=UTC)
    assert meeting.timezone == "Asia/Tokyo"
    assert meeting.level == MeetingLevel.MINISTERIAL
    assert [p.name for p in meeting.participants] == ["Minoru Kihara"]
    outcomes = {item.agreement_id: item.outcome for item in meeting.agenda_items}
    assert outcomes == {rpss.id: "New note", antenna.id: "Added"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)) == 2


def test_edit_can_clear_participants_and_agenda(
    logged_in, db, make_meeting, make_person, make_agreement
):
    meeting = make_meeting()
    meeting.participants = [make_person()]
    db.session.add(AgendaItem(meeting=meeting, agreement=make_agreement(parties=[])))
    db.session.commit()

    data = form_data(**loaded_from(meeting))
    response = logged_in.post(f"/meetings/{meeting.id}/edit", data=data)
    assert response.status_code == 302
    meeting = only_meeting(db)
    assert meeting.participants == []
    assert meeting.agenda_items == []


def test_a_flood_of_agenda_rows_is_capped(logged_in, db):
    rows = {f"agenda-{n}-agreement_id": "" for n in range(500)}
    response = logged_in.post("/meetings/new", data=form_data(title="", **rows))
    assert response.status_code == 200
    assert html(response).count('name="agenda-') <= 120
