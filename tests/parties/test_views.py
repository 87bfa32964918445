"""Party pages: list, search, detail, forms, archive, restore, delete and permissions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from
from tracker.models import AgreementParty, Party, PartyKind, PartyRole


def party_named(db, name: str) -> Party | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Party).where(Party.name == name))


# --- list, search, pagination -------------------------------------------------------------


def test_list_shows_active_parties_with_counts(editor, db, make_party, make_person):
    india = make_party("India", "IND")
    make_person("Rajesh Kumar", party=india)
    make_party("ASEAN", "ASEAN", PartyKind.ORGANISATION)
    gone = make_party("Old Grouping", None, PartyKind.GROUPING)
    gone.archived_at = sa.func.now()
    db.session.commit()

    response = editor.get("/parties/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "India" in html and "ASEAN" in html and "International organisation" in html
    assert "Old Grouping" not in html
    assert 'href="/parties/new"' in html


def test_search_matches_name_or_code(viewer, db, make_party):
    make_party("India", "IND")
    make_party("Japan", "JPN")
    db.session.commit()

    html = viewer.get("/parties/?q=jap").get_data(as_text=True)
    assert "Japan" in html and "India" not in html
    html = viewer.get("/parties/?q=ind").get_data(as_text=True)
    assert "India" in html and "Japan" not in html
    html = viewer.get("/parties/?q=100%25_").get_data(as_text=True)
    assert "No parties match" in html


def test_pagination(app, viewer, db, make_party):
    app.config["PAGE_SIZE"] = 2
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]:
        make_party(name, None, PartyKind.GROUPING)
    db.session.commit()

    html = viewer.get("/parties/?page=2").get_data(as_text=True)
    assert "Charlie" in html and "Delta" in html and "Alpha" not in html
    assert "Page 2 of 3" in html
    # Out-of-range and nonsense page numbers are clamped, never an error.
    assert "Page 3 of 3" in viewer.get("/parties/?page=99").get_data(as_text=True)
    assert "Page 1 of 3" in viewer.get("/parties/?page=-4").get_data(as_text=True)
    assert "Page 1 of 3" in viewer.get("/parties/?page=abc").get_data(as_text=True)
    assert viewer.get("/parties/?page=99999999999999999999999").status_code == 200


def test_search_ignores_control_characters(viewer):
    assert viewer.get("/parties/?q=%00abc").status_code == 200


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_agreements_and_people(viewer, db, make_party, make_agreement, make_person):
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    agreement = make_agreement(parties=[india, japan], status="under_negotiation")
    agreement.party_links[0].role = PartyRole.FACILITATOR
    make_person("Rajesh Kumar", "Joint Secretary", party=india)
    db.session.commit()

    response = viewer.get(f"/parties/{india.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Reciprocal Provision of Supplies and Services Agreement" in html
    assert "RPSS" in html and "Facilitator" in html
    assert 'class="badge status status-under_negotiation"' in html
    assert "Rajesh Kumar" in html and "Joint Secretary" in html
    assert 'aria-label="Breadcrumb"' in html
    # A viewer sees no buttons they cannot use.
    assert "/edit" not in html and "Archive" not in html and "Delete" not in html


def test_missing_party_is_404(viewer):
    assert viewer.get("/parties/999").status_code == 404
    assert viewer.get("/parties/999/edit").status_code in (403, 404)


def test_missing_party_is_404_for_admin(admin):
    for url in ["/parties/999", "/parties/999/edit", "/parties/999/delete"]:
        assert admin.get(url).status_code == 404
    for url in ["/parties/999/archive", "/parties/999/restore", "/parties/999/delete"]:
        assert admin.post(url).status_code == 404


# --- create and edit --------------------------------------------------------------------------


def test_create_state(editor, db):
    response = editor.post("/parties/new", data={"name": " Japan ", "kind": "state", "code": "jpn"})
    assert response.status_code == 302
    party = party_named(db, "Japan")
    assert party is not None and party.code == "JPN" and party.kind == PartyKind.STATE
    assert response.headers["Location"] == f"/parties/{party.id}"
    html = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Party “Japan” created." in html


def test_create_organisation_without_code(editor, db):
    data = {"name": "Quad", "kind": "grouping", "code": ""}
    assert editor.post("/parties/new", data=data).status_code == 302
    data = {"name": "ASEAN Regional Forum", "kind": "organisation", "code": ""}
    assert editor.post("/parties/new", data=data).status_code == 302
    assert party_named(db, "Quad").code is None
    assert party_named(db, "ASEAN Regional Forum").code is None


def test_new_form_renders_every_field(editor):
    html = editor.get("/parties/new").get_data(as_text=True)
    for label in ['for="name">Name', 'for="kind">Kind', 'for="code">Code']:
        assert label in html
    assert '<option value="organisation">International organisation</option>' in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "kind": "state", "code": "IND"}, "name", "Enter the party&#39;s name."),
        ({"name": "X" * 201, "kind": "grouping", "code": ""}, "name", "200 characters"),
        ({"name": "Atlantis", "kind": "state", "code": "ATL"}, "code", "not an ISO 3166-1"),
        ({"name": "Atlantis", "kind": "state", "code": "AT"}, "code", "three letters"),
        ({"name": "Atlantis", "kind": "state", "code": ""}, "code", "A state needs its ISO"),
        ({"name": "Club", "kind": "grouping", "code": "C" * 17}, "code", "16 characters"),
        ({"name": "Club", "kind": "empire", "code": ""}, "kind", "Choose a kind"),
    ],
    ids=["missing-name", "long-name", "bad-iso", "short-iso", "state-no-code", "long-code", "kind"],
)
def test_create_validation_errors(editor, db, data, field, message):
    response = editor.post("/parties/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'id="{field}-errors"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 0
    if data["name"]:
        assert f'value="{data["name"]}"' in html  # the input is kept


def test_duplicate_name_and_code_get_messages_next_to_the_field(editor, db, make_party):
    make_party("India", "IND")
    db.session.commit()

    html = editor.post("/parties/new", data={"name": "india", "kind": "state", "code": "JPN"})
    html = html.get_data(as_text=True)
    assert "There is already a party called “India”." in html
    assert 'id="name-errors"' in html

    html = editor.post("/parties/new", data={"name": "Bharat", "kind": "state", "code": "ind"})
    html = html.get_data(as_text=True)
    assert "The code IND is already used by India." in html
    assert 'id="code-errors"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 1


def test_edit_is_prefilled_and_saves(editor, db, make_party):
    party = make_party("Quad", None, PartyKind.GROUPING)
    db.session.commit()

    html = editor.get(f"/parties/{party.id}/edit").get_data(as_text=True)
    assert 'value="Quad"' in html
    assert '<option selected value="grouping">' in html
    assert 'aria-label="Breadcrumb"' in html

    data = {"name": "The Quad", "kind": "grouping", "code": "quad", **loaded_from(party)}
    response = editor.post(f"/parties/{party.id}/edit", data=data)
    assert response.status_code == 302
    party = party_named(db, "The Quad")
    assert party.code == "QUAD"


def test_edit_keeps_own_name_and_refuses_anothers(editor, db, make_party):
    india = make_party("India", "IND")
    make_party("Japan", "JPN")
    db.session.commit()

    data = {"name": "India", "kind": "state", "code": "IND", **loaded_from(india)}
    assert editor.post(f"/parties/{india.id}/edit", data=data).status_code == 302
    data = {"name": "Japan", "kind": "state", "code": "IND", **loaded_from(india)}
    response = editor.post(f"/parties/{india.id}/edit", data=data)
    assert response.status_code == 200
    assert "There is already a party called “Japan”." in response.get_data(as_text=True)
    assert party_named(db, "India") is not None


# --- archive, restore, delete -------------------------------------------------------------------


def test_archive_hides_from_list_but_page_still_opens(editor, db, make_party):
    party = make_party("Quad", None, PartyKind.GROUPING)
    db.session.commit()

    response = editor.post(f"/parties/{party.id}/archive", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Party “Quad” archived" in html
    assert "Archived" in html
    assert "Restore" not in html  # editors may not restore
    assert party_named(db, "Quad").archived_at is not None
    assert "Quad" not in editor.get("/parties/").get_data(as_text=True)
    assert editor.get(f"/parties/{party.id}").status_code == 200


def test_admin_restores(admin, db, make_party):
    party = make_party("Quad", None, PartyKind.GROUPING)
    party.archived_at = sa.func.now()
    db.session.commit()

    html = admin.get(f"/parties/{party.id}").get_data(as_text=True)
    assert "Archived" in html and "Restore" in html
    response = admin.post(f"/parties/{party.id}/restore", follow_redirects=True)
    assert "Party “Quad” restored." in response.get_data(as_text=True)
    assert party_named(db, "Quad").archived_at is None
    assert "Quad" in admin.get("/parties/").get_data(as_text=True)


def test_delete_asks_for_confirmation_then_deletes(admin, db, make_party):
    party = make_party("Quad", None, PartyKind.GROUPING)
    db.session.commit()

    html = admin.get(f"/parties/{party.id}/delete").get_data(as_text=True)
    assert "Delete Quad?" in html and "cannot be undone" in html
    assert party_named(db, "Quad") is not None

    response = admin.post(f"/parties/{party.id}/delete", follow_redirects=True)
    assert "Party “Quad” deleted." in response.get_data(as_text=True)
    assert party_named(db, "Quad") is None


def test_delete_is_refused_while_in_use(admin, db, make_party, make_agreement, make_person):
    india = make_party("India", "IND")
    make_agreement(parties=[india])
    make_person(party=india)
    db.session.commit()

    html = admin.get(f"/parties/{india.id}/delete").get_data(as_text=True)
    assert "cannot be deleted: 1 person, 1 agreement still refer to it" in html
    assert "Archive instead" in html

    response = admin.post(f"/parties/{india.id}/delete", follow_redirects=True)
    assert "India cannot be deleted" in response.get_data(as_text=True)
    assert "Archive it instead." in response.get_data(as_text=True)
    assert party_named(db, "India") is not None
    db.session.expire_all()
    links = db.session.scalar(sa.select(sa.func.count()).select_from(AgreementParty))
    assert links == 1


# --- permissions ------------------------------------------------------------------------------


def test_viewer_may_read_but_not_change(viewer, db, make_party):
    party = make_party("Quad", None, PartyKind.GROUPING)
    db.session.commit()

    assert viewer.get("/parties/").status_code == 200
    assert "New party" not in viewer.get("/parties/").get_data(as_text=True)
    assert viewer.get(f"/parties/{party.id}").status_code == 200
    assert viewer.get("/parties/new").status_code == 403
    assert viewer.post("/parties/new", data={"name": "X", "kind": "grouping"}).status_code == 403
    assert viewer.get(f"/parties/{party.id}/edit").status_code == 403
    assert viewer.post(f"/parties/{party.id}/edit", data={"name": "X"}).status_code == 403
    assert viewer.post(f"/parties/{party.id}/archive").status_code == 403
    assert viewer.post(f"/parties/{party.id}/restore").status_code == 403
    assert viewer.get(f"/parties/{party.id}/delete").status_code == 403
    assert viewer.post(f"/parties/{party.id}/delete").status_code == 403
    assert party_named(db, "Quad").archived_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 1


def test_editor_may_not_restore_or_delete(editor, db, make_party):
    party = make_party("Quad", None, PartyKind.GROUPING)
    party.archived_at = sa.func.now()
    db.session.commit()

    html = editor.get(f"/parties/{party.id}").get_data(as_text=True)
    assert "Restore" not in html and "Delete" not in html
    assert editor.post(f"/parties/{party.id}/restore").status_code == 403
    assert editor.get(f"/parties/{party.id}/delete").status_code == 403
    assert editor.post(f"/parties/{party.id}/delete").status_code == 403
    party = party_named(db, "Quad")
    assert party is not None and party.archived_at is not None


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/parties/").status_code == 302
    assert client.post("/parties/new").status_code == 302


def test_archive_needs_post(editor, db, make_party):
    party = make_party()
    db.session.commit()
    assert editor.get(f"/parties/{party.id}/archive").status_code == 405


def test_posts_need_a_csrf_token(database_url, make_user, make_party, db):
    """With CSRF on (as in production), a button's POST without its token is refused."""
    from tests.helpers import PASSWORD, extra_app
    from tracker.models import Role

    make_user("boss", role=Role.ADMIN)
    party = make_party("Quad", None, PartyKind.GROUPING)
    db.session.commit()
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as other:
        client = other.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        data = {"username": "boss", "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302
        for action in ("archive", "delete"):
            assert client.post(f"/parties/{party.id}/{action}").status_code == 400
        response = client.post("/parties/new", data={"name": "X", "kind": "grouping"})
        assert response.status_code == 400
    assert party_named(db, "Quad").archived_at is None


def test_detail_lists_agreements_a_page_at_a_time(app, viewer, db, make_party, make_agreement):
    """A state party to thousands of agreements: pages, and a way into the filtered list."""
    app.config["PAGE_SIZE"] = 2
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    made = [
        make_agreement(title=f"Agreement {n}", short_name=f"A{n}", parties=[india, japan])
        for n in (3, 1, 2)
    ]
    made[0].archived_at = made[0].created_at
    db.session.commit()

    first = viewer.get(f"/parties/{india.id}").get_data(as_text=True)
    assert "India is a party to 3 agreements, by title." in first and "Page 1 of 2" in first
    assert f'href="/agreements/?party={india.id}"' in first
    assert first.index("Agreement 1") < first.index("Agreement 2") and "Agreement 3" not in first
    assert f'<a href="/agreements/{made[1].id}">Agreement 1</a>' in first
    second = viewer.get(f"/parties/{india.id}?page=2").get_data(as_text=True)
    assert "Agreement 3</a> <span class=\"badge text-bg-secondary\">Archived</span>" in second
