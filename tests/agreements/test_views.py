"""Agreement list, page, and the forms that create, edit and move agreements."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from, log_in
from tracker.models import AgendaItem, Agreement, Meeting, Role, Status


@pytest.fixture
def viewer(client, make_user):
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    return client


def _agreement(db, short_name):
    db.session.expire_all()
    return db.session.scalar(sa.select(Agreement).where(Agreement.short_name == short_name))


def _new_agreement_form(india, japan, **overrides):
    data = {
        "title": "Reciprocal Provision of Supplies and Services Agreement",
        "short_name": "RPSS",
        "category": "logistics",
        "priority": "high",
        "summary": "Use of each other's bases",
        "status": "under_negotiation",
        "status_on": "2024-11-20",
        "lead": "",
        "opened_on": "2024-11-20",
        "target_on": "",
        "signed_on": "",
        "in_force_on": "",
        "parties-0-party": str(india.id),
        "parties-0-role": "party",
        "parties-1-party": str(japan.id),
        "parties-1-role": "party",
        "parties-2-party": "",
        "parties-2-role": "party",
        "parties-3-party": "",
        "parties-3-role": "party",
    }
    data.update(overrides)
    return data


def test_list_filters_by_status_party_category_and_text(logged_in, db, make_agreement, make_party):
    india, japan, france = (
        make_party("India", "IND"),
        make_party("Japan", "JPN"),
        make_party("France", "FRA"),
    )
    make_agreement(title="Logistics pact", short_name="RPSS", parties=[india, japan])
    make_agreement(
        title="Antenna project",
        short_name="UNICORN",
        category="technology",
        status="signed",
        parties=[india, japan],
    )
    make_agreement(title="Rafale follow-on", short_name="RFO", parties=[india, france])
    db.session.commit()

    def titles(**query):
        html = logged_in.get("/agreements/", query_string=query).get_data(as_text=True)
        return [t for t in ("Logistics pact", "Antenna project", "Rafale follow-on") if t in html]

    assert titles() == ["Logistics pact", "Antenna project", "Rafale follow-on"]
    assert titles(status="signed") == ["Antenna project"]
    assert titles(party=france.id) == ["Rafale follow-on"]
    assert titles(category="technology") == ["Antenna project"]
    assert titles(q="unicorn") == ["Antenna project"]
    assert titles(q="PACT", party=japan.id) == ["Logistics pact"]


def test_list_sorts_and_paginates_with_filters_kept(logged_in, app, db, make_agreement, make_party):
    app.config["PAGE_SIZE"] = 2
    india = make_party("India", "IND")
    for n in range(5):
        make_agreement(title=f"Agreement {n}", short_name=f"A{n}", parties=[india])
    db.session.commit()
    first = logged_in.get("/agreements/", query_string={"party": india.id}).get_data(as_text=True)
    assert "Agreement 0" in first and "Agreement 2" not in first
    assert "Page 1 of 3" in first
    assert f"party={india.id}" in first.split("Next")[0].rsplit("href=", 1)[1]
    third = logged_in.get("/agreements/", query_string={"party": india.id, "page": 3}).get_data(
        as_text=True
    )
    assert "Agreement 4" in third
    # A page past the end shows the last page rather than an error.
    beyond = logged_in.get("/agreements/", query_string={"party": india.id, "page": 9}).get_data(
        as_text=True
    )
    assert "Agreement 4" in beyond and "Page 3 of 3" in beyond
    assert (
        logged_in.get(
            "/agreements/", query_string={"page": "x", "party": "y", "status": "z"}
        ).status_code
        == 200
    )


def test_list_shows_days_in_status_and_last_meeting(logged_in, db, make_agreement):
    agreement = make_agreement(status_on=date(2024, 11, 20))
    meeting = Meeting(
        title="Talks", starts_at=datetime(2025, 5, 5, 4, 30, tzinfo=UTC), level="ministerial"
    )
    db.session.add_all([meeting, AgendaItem(meeting=meeting, agreement=agreement)])
    db.session.commit()
    html = logged_in.get("/agreements/").get_data(as_text=True)
    assert f"<td>{(date.today() - date(2024, 11, 20)).days}</td>" in html
    assert "5 May 2025" in html


def test_create_agreement_with_two_parties(logged_in, db, make_party):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    db.session.commit()
    form = _new_agreement_form(india, japan)
    db.session.expunge_all()  # as in a real request, nothing is loaded beforehand
    response = logged_in.post("/agreements/new", data=form)
    assert response.status_code == 302
    agreement = _agreement(db, "RPSS")
    assert response.headers["Location"] == f"/agreements/{agreement.id}"
    assert agreement.status == Status.UNDER_NEGOTIATION
    assert [p.name for p in agreement.parties] == ["India", "Japan"]
    assert agreement.status_changes[0].recorded_by.username == "desk.officer"
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Agreement “Reciprocal Provision of Supplies and Services Agreement” created." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Give the agreement a title."),
        ({"title": "x" * 301}, "Field cannot be longer than 300 characters."),
        ({"signed_on": "2024-01-01"}, "The signature date cannot be before negotiations opened."),
        (
            {"signed_on": "2025-01-01", "in_force_on": "2024-12-31"},
            "Entry into force cannot be before the signature date.",
        ),
        ({"opened_on": "31/02/2024"}, "Not a valid date value."),
        ({"status": "ratified"}, "Not a valid choice."),
        ({"parties-1-party": "PARTY_0"}, "A party can be listed only once."),
    ],
)
def test_create_refuses_bad_input_and_keeps_it(logged_in, db, make_party, overrides, message):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    db.session.commit()
    overrides = {k: (str(india.id) if v == "PARTY_0" else v) for k, v in overrides.items()}
    response = logged_in.post(
        "/agreements/new", data=_new_agreement_form(india, japan, **overrides)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "Use of each other&#39;s bases" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


def test_duplicate_short_name_is_explained(logged_in, db, make_agreement, make_party):
    make_agreement(short_name="RPSS", parties=[])
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    db.session.commit()
    response = logged_in.post(
        "/agreements/new", data=_new_agreement_form(india, japan, short_name="rpss")
    )
    assert "Another agreement is already called “rpss”." in response.get_data(as_text=True)


def test_edit_is_prefilled_and_saves(logged_in, db, make_agreement):
    agreement = make_agreement(summary="Old summary")
    db.session.commit()
    html = logged_in.get(f"/agreements/{agreement.id}/edit").get_data(as_text=True)
    assert "Old summary" in html
    assert 'value="RPSS"' in html
    india_id, japan_id = (link.party_id for link in agreement.party_links)
    response = logged_in.post(
        f"/agreements/{agreement.id}/edit",
        data={
            "title": "RPSS agreement",
            "short_name": "RPSS",
            "category": "logistics",
            "priority": "low",
            "summary": "New summary",
            "lead": "",
            "parties-0-party": str(japan_id),
            "parties-0-role": "observer",
            "parties-1-party": "",
            "parties-1-role": "party",
            **loaded_from(agreement),
        },
    )
    assert response.status_code == 302
    stored = _agreement(db, "RPSS")
    assert stored.summary == "New summary"
    assert [(link.party_id, link.role) for link in stored.party_links] == [(japan_id, "observer")]
    assert stored.status == Status.PROPOSED  # editing never changes status


def test_status_change_offers_only_allowed_moves(logged_in, db, make_agreement):
    agreement = make_agreement(status="proposed")
    db.session.commit()
    html = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    form = html.split('id="change-status-heading"')[1]
    assert 'value="under_negotiation"' in form
    assert 'value="signed"' not in form

    response = logged_in.post(
        f"/agreements/{agreement.id}/status",
        data={
            "status": "signed",
            "effective_on": "2025-01-01",
            "meeting": "",
            "note": "",
            **loaded_from(agreement),
        },
    )
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert _agreement(db, "RPSS").status == Status.PROPOSED


def test_status_change_needs_a_date_not_before_the_last(logged_in, db, make_agreement):
    agreement = make_agreement(status="proposed", status_on=date(2024, 11, 1))
    db.session.commit()
    url = f"/agreements/{agreement.id}/status"
    loaded = loaded_from(agreement)
    html = logged_in.post(
        url, data={"status": "under_negotiation", "effective_on": "", "meeting": "", **loaded}
    ).get_data(as_text=True)
    assert "Give the date the change took effect." in html
    data = {"status": "under_negotiation", "effective_on": "2024-10-01", "meeting": "", **loaded}
    html = logged_in.post(url, data=data).get_data(as_text=True)
    assert "cannot take effect before the previous one" in html
    assert _agreement(db, "RPSS").status == Status.PROPOSED


def test_status_change_cites_the_meeting(logged_in, db, make_agreement):
    agreement = make_agreement(status="proposed", status_on=date(2024, 11, 1))
    meeting = Meeting(
        title="Vientiane bilateral",
        level="ministerial",
        starts_at=datetime(2024, 11, 20, 8, tzinfo=UTC),
    )
    db.session.add_all([meeting, AgendaItem(meeting=meeting, agreement=agreement)])
    db.session.commit()
    response = logged_in.post(
        f"/agreements/{agreement.id}/status",
        data={
            "status": "under_negotiation",
            "effective_on": "2024-11-20",
            "meeting": str(meeting.id),
            "note": "Talks initiated",
            **loaded_from(agreement),
        },
    )
    assert response.status_code == 302
    stored = _agreement(db, "RPSS")
    change = stored.status_changes[-1]
    assert (change.to_status, change.meeting_id, change.note) == (
        Status.UNDER_NEGOTIATION,
        meeting.id,
        "Talks initiated",
    )
    page = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Decided at: Vientiane bilateral" in page
    assert f'<a href="/meetings/{meeting.id}">Vientiane bilateral</a>' in page
    meeting_page = logged_in.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/agreements/{agreement.id}"' in meeting_page


def test_archive_hides_and_admin_restores(client, db, make_agreement, make_user):
    agreement = make_agreement()
    make_user("editor", role=Role.EDITOR)
    make_user("boss", role=Role.ADMIN)
    log_in(client, "editor")
    response = client.post(f"/agreements/{agreement.id}/archive", follow_redirects=True)
    assert "was archived" in response.get_data(as_text=True)
    assert "Reciprocal Provision" not in client.get("/agreements/").get_data(as_text=True)
    assert _agreement(db, "RPSS").archived_at is not None
    assert client.post(f"/agreements/{agreement.id}/restore").status_code == 403

    client.post("/logout")
    log_in(client, "boss")
    assert client.post(f"/agreements/{agreement.id}/restore").status_code == 302
    assert _agreement(db, "RPSS").archived_at is None


def test_viewers_read_but_cannot_change(viewer, db, make_agreement, make_party):
    agreement = make_agreement()
    db.session.commit()
    assert viewer.get(f"/agreements/{agreement.id}").status_code == 200
    assert "Record a status change" not in viewer.get(f"/agreements/{agreement.id}").get_data(
        as_text=True
    )
    assert viewer.get("/agreements/new").status_code == 403
    assert viewer.get(f"/agreements/{agreement.id}/edit").status_code == 403
    assert viewer.post(f"/agreements/{agreement.id}/status", data={}).status_code == 403
    assert viewer.post(f"/agreements/{agreement.id}/archive").status_code == 403


def test_missing_agreement_is_a_404(logged_in):
    assert logged_in.get("/agreements/999").status_code == 404
    assert logged_in.get("/agreements/999/edit").status_code == 404


def test_text_is_escaped(logged_in, db, make_agreement):
    agreement = make_agreement(title="<script>alert(1)</script>", summary='"quoted" & <b>')
    db.session.commit()
    html = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_admin_deletes_after_confirmation(client, db, make_agreement, make_user):
    agreement = make_agreement()
    meeting = Meeting(title="Talks", starts_at=datetime(2025, 5, 5, tzinfo=UTC), level="virtual")
    db.session.add_all([meeting, AgendaItem(meeting=meeting, agreement=agreement)])
    make_user("boss", role=Role.ADMIN)
    make_user("editor", role=Role.EDITOR)
    url = f"/agreements/{agreement.id}/delete"

    log_in(client, "editor")
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.post("/logout")

    log_in(client, "boss")
    page = client.get(url).get_data(as_text=True)
    assert "Delete “Reciprocal Provision of Supplies and Services Agreement”?" in page
    assert "1 meeting" in page
    assert _agreement(db, "RPSS") is not None  # looking at the page deletes nothing

    response = client.post(url, follow_redirects=True)
    assert "and its history deleted." in response.get_data(as_text=True)
    assert _agreement(db, "RPSS") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1
    assert client.get(url).status_code == 404


def test_add_a_meeting_from_the_agreement_page(logged_in, db, make_agreement):
    agreement = make_agreement()
    db.session.commit()
    page = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert f'href="/meetings/new?agreement={agreement.id}"' in page
    form = logged_in.get(f"/meetings/new?agreement={agreement.id}").get_data(as_text=True)
    first_row = form.split('id="agenda-0-agreement_id"')[1].split("</select>")[0]
    assert f'<option selected value="{agreement.id}">' in first_row
    # Nonsense is ignored rather than an error.
    assert logged_in.get("/meetings/new?agreement=abc").status_code == 200
    assert logged_in.get("/meetings/new?agreement=999").status_code == 200


def test_no_status_form_once_in_force(logged_in, db, make_agreement):
    agreement = make_agreement(status="in_force")
    db.session.commit()
    page = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Record a status change" not in page
    response = logged_in.post(
        f"/agreements/{agreement.id}/status",
        data={"status": "stalled", "effective_on": "2025-01-01", **loaded_from(agreement)},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "The agreement is in force: its status can no longer change." in html
    assert _agreement(db, "RPSS").status == Status.IN_FORCE


def test_agreement_page_lists_its_meetings_a_page_at_a_time(logged_in, app, db, make_agreement):
    app.config["PAGE_SIZE"] = 2
    agreement = make_agreement()
    for day in (1, 2, 3, 4, 5):
        meeting = Meeting(
            title=f"Round {day}", starts_at=datetime(2025, 5, day, 9, tzinfo=UTC), level="virtual"
        )
        db.session.add_all([meeting, AgendaItem(meeting=meeting, agreement=agreement)])
    db.session.commit()

    first = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "5 meetings, newest first" in first
    # Linked in the meetings section (the status form offers them all, for citing).
    assert ">Round 5</a>" in first and ">Round 4</a>" in first and ">Round 3</a>" not in first
    assert f'href="/agreements/{agreement.id}?page=2"' in first
    last = logged_in.get(f"/agreements/{agreement.id}?page=3").get_data(as_text=True)
    assert ">Round 1</a>" in last and ">Round 2</a>" not in last


def test_the_edit_form_lists_the_party_choices_once_for_all_its_rows(
    logged_in, db, make_agreement, make_party
):
    """Each party row's select carries its chosen party only; the choices are one list
    the rows share (static/choices.js fills them), so more rows weigh no more."""
    extra = [make_party(f"Party {c}", f"XA{c}") for c in "ABC"]
    agreement = make_agreement()
    db.session.commit()
    india_id, japan_id = (link.party_id for link in agreement.party_links)
    html = logged_in.get(f"/agreements/{agreement.id}/edit").get_data(as_text=True)
    parties = html.split("Parties</legend>")[1].split("</fieldset>")[0]
    shared = parties.split('<template id="party-choices">')[1].split("</template>")[0]
    for party in extra:
        assert parties.count(f'<option value="{party.id}">') == 1  # in the shared list only
        assert f'<option value="{party.id}">{party.name}</option>' in shared
    rows = html.split('data-choices="party-choices"')[1:]
    assert len(rows) == 4  # two parties, two blank rows
    first = rows[0].split("</select>")[0]
    assert f'<option selected value="{india_id}">' in first
    assert f'value="{japan_id}"' not in first
    assert 'src="/static/choices.js"' in html


def test_the_edit_form_reads_only_what_it_shows(logged_in, db, make_agreement):
    """Not the history, meetings, points or actions the agreement's page shows."""
    agreement = make_agreement()
    db.session.commit()
    db.session.expire_all()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert logged_in.get(f"/agreements/{agreement.id}/edit").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    for table in ("status_change", "agenda_item", "negotiation_point", "action_item"):
        assert not [s for s in statements if f"from {table}" in s or f"join {table}" in s]
