"""The meeting form when the collection is too large to list in a select (CHOICE_LIMIT)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from, log_in
from tests.meetings.test_forms import form_data, html, only_meeting
from tracker.markings.services import stored_id
from tracker.models import AgendaItem, MarkingValue, Meeting, Role

CONFIDENTIAL = 2


@pytest.fixture
def large(app):
    """Two agreements or meetings are already too many to list."""
    app.config["CHOICE_LIMIT"] = 1


@pytest.fixture
def agreements(db, make_agreement, make_party):
    both = [make_party("India", "IND"), make_party("Japan", "JPN")]
    rpss = make_agreement(short_name="RPSS", title="Reciprocal Provision of Supplies", parties=both)
    antenna = make_agreement(short_name=None, title="Stealth antenna co-development", parties=both)
    archived = make_agreement(short_name="OLD", title="Archived agreement", parties=both)
    archived.archived_at = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.commit()
    return rpss, antenna, archived


def _rows(db) -> dict[str, str]:
    meeting = only_meeting(db)
    return {item.agreement.title: item.outcome for item in meeting.agenda_items}


def test_agenda_rows_take_a_short_name_or_a_number_instead_of_listing_every_agreement(
    large, logged_in, db, agreements
):
    rpss, antenna, _ = agreements
    page = html(logged_in.get("/meetings/new"))
    row = page.split('id="agenda-0-agreement_id"')[0].rsplit("<", 1)[1] + page.split(
        'id="agenda-0-agreement_id"'
    )[1].split(">")[0]
    assert 'type="text"' in row and "placeholder=" in row
    assert "Reciprocal Provision" not in page  # no list of agreements

    response = logged_in.post(
        "/meetings/new",
        data=form_data(
            **{
                "agenda-0-agreement_id": "rpss",  # any case
                "agenda-0-outcome": "Text agreed",
                "agenda-1-agreement_id": f"#{antenna.id}",
                "agenda-1-outcome": "Joint study",
            }
        ),
    )
    assert response.status_code == 302
    assert _rows(db) == {rpss.title: "Text agreed", antenna.title: "Joint study"}

    # The edit form shows each agreement as it can be typed: short name, else number.
    meeting = only_meeting(db)
    page = html(logged_in.get(f"/meetings/{meeting.id}/edit"))
    assert 'value="RPSS"' in page and f'value="#{antenna.id}"' in page


@pytest.mark.parametrize("typed", ["NOPE", "#99999", "OLD", "99999999999999999999"])
def test_an_unknown_or_archived_agreement_is_refused_with_the_text_kept(
    large, logged_in, db, agreements, typed
):
    response = logged_in.post(
        "/meetings/new",
        data=form_data(**{"agenda-0-agreement_id": typed, "agenda-0-outcome": "Kept"}),
    )
    page = html(response)
    assert response.status_code == 200
    assert "No agreement to choose has the short name or number" in page
    assert f'value="{typed}"' in page and "Kept</textarea>" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_an_archived_agreement_already_on_the_agenda_can_stay(
    large, logged_in, db, agreements, make_meeting
):
    rpss, _, archived = agreements
    meeting = make_meeting()
    db.session.add(AgendaItem(meeting=meeting, agreement=archived, outcome="Old note"))
    db.session.commit()
    response = logged_in.post(
        f"/meetings/{meeting.id}/edit",
        data=form_data(
            **loaded_from(meeting),
            **{"agenda-0-agreement_id": "OLD", "agenda-0-outcome": "Still here"},
        ),
    )
    assert response.status_code == 302
    assert _rows(db) == {archived.title: "Still here"}


def test_arriving_from_an_agreement_fills_the_first_row(large, logged_in, db, agreements):
    rpss, _, archived = agreements
    page = html(logged_in.get(f"/meetings/new?agreement={rpss.id}"))
    assert 'id="agenda-0-agreement_id"' in page and 'value="RPSS"' in page
    page = html(logged_in.get(f"/meetings/new?agreement={archived.id}"))
    assert 'value="OLD"' not in page


def test_held_during_offers_the_meetings_around_this_one(large, logged_in, db, make_meeting):
    day = datetime(2024, 8, 20, 4, 30, tzinfo=UTC)
    meeting = make_meeting(title="Bilateral", starts_at=day)
    near = make_meeting(title="ADMM-Plus", starts_at=day - timedelta(days=2))
    far = make_meeting(title="Summit years ago", starts_at=day - timedelta(days=900))
    side = make_meeting(title="Side of far", starts_at=day + timedelta(days=400), parent=far)
    db.session.commit()

    page = html(logged_in.get(f"/meetings/{meeting.id}/edit"))
    select = page[page.index('name="parent_id"') : page.index("</select>", page.index("parent_id"))]
    assert f'value="{near.id}"' in select and f'value="{far.id}"' not in select
    # A side meeting keeps its gathering on offer however far apart they are.
    page = html(logged_in.get(f"/meetings/{side.id}/edit"))
    assert f'<option selected value="{far.id}">' in page
    # And "add a side meeting" from a gathering's page offers that gathering.
    page = html(logged_in.get(f"/meetings/new?parent={far.id}"))
    assert f'<option selected value="{far.id}">' in page


def test_an_agreements_page_shows_the_number_its_agenda_rows_take(logged_in, agreements):
    _, antenna, _ = agreements
    page = html(logged_in.get(f"/agreements/{antenna.id}"))
    assert f">#{antenna.id}</span>" in page


def test_a_side_meeting_of_a_gathering_outside_the_window_can_be_saved(
    large, logged_in, db, make_meeting
):
    far = make_meeting(title="Summit years ago", starts_at=datetime(2019, 5, 1, tzinfo=UTC))
    make_meeting(title="Other")
    gone = make_meeting(title="Archived", starts_at=datetime(2019, 5, 2, tzinfo=UTC))
    gone.archived_at = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.commit()

    response = logged_in.post(
        "/meetings/new", data=form_data(title="Bilateral", parent_id=str(far.id))
    )
    assert response.status_code == 302
    side = db.session.scalar(sa.select(Meeting).where(Meeting.title == "Bilateral"))
    assert side.parent_id == far.id

    response = logged_in.post(
        "/meetings/new", data=form_data(title="Refused", parent_id=str(gone.id))
    )
    assert response.status_code == 200 and "Not a valid choice." in html(response)


def _edit_page(client, meeting) -> str:
    response = client.get(f"/meetings/{meeting.id}/edit")
    assert response.status_code == 200
    return html(response)


def test_held_during_is_read_again_once_a_gathering_changes(large, logged_in, db, make_meeting):
    # The list is kept between requests until the data changes: a renamed gathering shows
    # under its new name on the next form, not the one kept.
    day = datetime(2024, 8, 20, 4, 30, tzinfo=UTC)
    meeting = make_meeting(title="Bilateral", starts_at=day)
    near = make_meeting(title="ADMM-Plus", starts_at=day - timedelta(days=2))
    db.session.commit()
    assert "ADMM-Plus (Aug 2024)" in _edit_page(logged_in, meeting)
    assert "ADMM-Plus (Aug 2024)" in _edit_page(logged_in, meeting)

    near.title = "ADMM-Plus Vientiane"
    db.session.commit()
    page = _edit_page(logged_in, meeting)
    assert "ADMM-Plus Vientiane (Aug 2024)" in page and "ADMM-Plus (Aug 2024)" not in page


def test_participants_offered_are_read_again_once_a_person_changes(
    logged_in, db, make_person, make_meeting
):
    # People raise the change counter (they are kept with the form's choices too).
    meeting = make_meeting(title="Bilateral")
    person = make_person("Rajesh Kumar", position="Joint Secretary")
    db.session.commit()
    assert "Rajesh Kumar, Joint Secretary" in _edit_page(logged_in, meeting)

    person.name = "Rajesh K. Singh"
    db.session.commit()
    page = _edit_page(logged_in, meeting)
    assert "Rajesh K. Singh, Joint Secretary" in page and "Rajesh Kumar" not in page

    person.archived_at = datetime(2024, 9, 1, tzinfo=UTC)
    db.session.commit()
    assert "Rajesh K. Singh" not in _edit_page(logged_in, meeting)


def test_a_kept_list_of_gatherings_marks_the_page_and_is_kept_per_reader(
    large, app, client, make_user, db, make_meeting
):
    day = datetime(2024, 8, 20, 4, 30, tzinfo=UTC)
    meeting = make_meeting(title="Bilateral", starts_at=day)
    fallback = make_meeting(title="Fallback talks", starts_at=day - timedelta(days=1))
    fallback.marking_id = stored_id(MarkingValue(CONFIDENTIAL))
    cleared = make_user("cleared.editor", role=Role.EDITOR)
    cleared.clearance = CONFIDENTIAL
    make_user("plain.editor", role=Role.EDITOR)
    db.session.commit()

    assert log_in(client, "cleared.editor").status_code == 302
    for _ in range(2):  # read, then kept: both times the page carries the gathering's marking
        page = _edit_page(client, meeting)
        assert "Fallback talks" in page
        assert 'aria-label="Classification">CONFIDENTIAL</div>' in page

    other = app.test_client()
    assert log_in(other, "plain.editor").status_code == 302
    page = _edit_page(other, meeting)
    assert "Fallback talks" not in page
    assert 'aria-label="Classification">UNCLASSIFIED</div>' in page
