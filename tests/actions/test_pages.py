"""Adding, editing, ticking off and deleting action items from the agreement page."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, extra_app, loaded_from, log_in
from tracker.actions import services
from tracker.models import ActionItem, Role, utcnow


def html(response) -> str:
    return response.get_data(as_text=True)


def actions(db) -> list[ActionItem]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ActionItem).order_by(ActionItem.id)))


def form_data(**overrides) -> dict:
    data = {"description": "Send the draft text", "owner_id": "", "due_on": "", "meeting_id": ""}
    data.update(overrides)
    return data


def make_action(db, talks, **values) -> ActionItem:
    action = services.create_action(
        talks["agreement"], description=values.pop("description", "Send the draft text"), **values
    )
    db.session.commit()
    return action


def test_new_form_groups_owners_by_party_with_the_agreements_parties_first(
    logged_in, db, talks, make_party, make_person
):
    france = make_party("Aland", "ALA")
    make_person("Zoe Outsider", france)
    make_person("Rajesh Kumar", talks["india"], "Joint Secretary")
    make_person("Gone Away", talks["japan"], archived_at=utcnow())
    db.session.commit()
    page = html(logged_in.get(f"/agreements/{talks['agreement'].id}/actions/new"))
    assert "New action item" in page
    assert '<optgroup label="India">' in page
    assert "Rajesh Kumar, Joint Secretary" in page
    assert page.index('label="India"') < page.index('label="Aland"')
    assert "Zoe Outsider" in page and "Gone Away" not in page
    assert "20 Aug 2024 · First round" in page


def test_add_an_action_item(logged_in, db, talks, make_person):
    owner = make_person("Rajesh Kumar", talks["india"])
    db.session.commit()
    data = form_data(
        owner_id=str(owner.id), due_on="2024-12-01", meeting_id=str(talks["second"].id)
    )
    response = logged_in.post(f"/agreements/{talks['agreement'].id}/actions/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{talks['agreement'].id}"
    [action] = actions(db)
    assert (action.description, action.owner_id, action.due_on, action.meeting_id) == (
        "Send the draft text",
        owner.id,
        date(2024, 12, 1),
        talks["second"].id,
    )
    assert not action.done
    page = html(logged_in.get(response.headers["Location"]))
    assert "Action item added." in page
    assert "Rajesh Kumar" in page and "due 1 Dec 2024" in page and "Overdue" in page


def test_adding_it_done_records_today(logged_in, db, talks):
    logged_in.post(f"/agreements/{talks['agreement'].id}/actions/new", data=form_data(done="y"))
    [action] = actions(db)
    assert action.done and action.done_on == date.today()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"description": " "}, "Describe what has to be done."),
        ({"description": "x" * 501}, "Field cannot be longer than 500 characters."),
        ({"due_on": "31/12/2024"}, "Not a valid date value."),
        ({"owner_id": "123456"}, "Not a valid choice."),
        ({"meeting_id": "abc"}, "Not a valid choice."),
    ],
    ids=["missing", "too-long", "bad-date", "unknown-owner", "bad-meeting"],
)
def test_refused_actions_keep_what_was_typed(logged_in, db, talks, overrides, message):
    data = form_data(description="Kept text", due_on="2024-12-01")
    data.update(overrides)
    response = logged_in.post(f"/agreements/{talks['agreement'].id}/actions/new", data=data)
    page = html(response)
    assert response.status_code == 200
    assert message in page
    assert "Please correct the fields marked below." in page
    kept_description = data["description"] if data["description"].strip() else None
    if kept_description and len(kept_description) < 100:
        assert f"{kept_description}</textarea>" in page
    assert f'value="{data["due_on"]}"' in page
    assert actions(db) == []


def test_edit_form_is_prefilled_and_saves(logged_in, db, talks, make_person):
    owner = make_person("Rajesh Kumar", talks["india"])
    action = make_action(
        db, talks, owner_id=owner.id, due_on=date(2024, 12, 1), meeting_id=talks["first"].id
    )
    page = html(logged_in.get(f"/actions/{action.id}/edit"))
    assert "Edit action item" in page
    assert "Send the draft text</textarea>" in page
    assert f'<option selected value="{owner.id}">' in page
    assert 'value="2024-12-01"' in page
    assert f'<option selected value="{talks["first"].id}">' in page

    data = form_data(description="Send the final text", done="y", **loaded_from(action))
    response = logged_in.post(f"/actions/{action.id}/edit", data=data)
    assert response.status_code == 302
    [action] = actions(db)
    assert action.description == "Send the final text"
    assert (action.owner_id, action.due_on, action.meeting_id) == (None, None, None)
    assert action.done and action.done_on == date.today()


def test_done_button_toggles(logged_in, db, talks):
    action = make_action(db, talks)
    page = html(logged_in.get(f"/agreements/{talks['agreement'].id}"))
    assert f'action="/actions/{action.id}/done"' in page and ">Done</button>" in page

    response = logged_in.post(f"/actions/{action.id}/done")
    assert response.headers["Location"] == f"/agreements/{talks['agreement'].id}"
    [action] = actions(db)
    assert action.done and action.done_on == date.today()
    page = html(logged_in.get(response.headers["Location"]))
    assert "Action item marked done." in page and ">Reopen</button>" in page

    logged_in.post(f"/actions/{action.id}/done")
    [action] = actions(db)
    assert not action.done and action.done_on is None
    assert logged_in.get(f"/actions/{action.id}/done").status_code == 405


def test_agreement_page_lists_overdue_open_actions_first(logged_in, db, talks):
    today = date.today()
    make_action(db, talks, description="Finished thing")
    services.toggle_done(actions(db)[0], today)
    db.session.commit()
    make_action(db, talks, description="Undated thing")
    make_action(db, talks, description="Later thing", due_on=today + timedelta(days=5))
    make_action(db, talks, description="Late thing", due_on=today - timedelta(days=5))
    page = html(logged_in.get(f"/agreements/{talks['agreement'].id}"))
    order = ["Late thing", "Later thing", "Undated thing", "Finished thing"]
    assert [page.index(text) for text in order] == sorted(page.index(text) for text in order)
    assert "Add an action item" in page


def test_only_admins_delete_action_items_for_good(logged_in, app, make_user, db, talks):
    """Editors mark an action done or reopen it; deleting for good is for admins."""
    action = make_action(db, talks)
    assert f"/actions/{action.id}/delete" not in html(
        logged_in.get(f"/agreements/{talks['agreement'].id}")
    )
    assert logged_in.get(f"/actions/{action.id}/delete").status_code == 403
    assert logged_in.post(f"/actions/{action.id}/delete").status_code == 403
    assert len(actions(db)) == 1
    make_user("chief", role=Role.ADMIN)
    admin = app.test_client()
    assert log_in(admin, "chief").status_code == 302
    assert f"/actions/{action.id}/delete" in html(admin.get(f"/agreements/{talks['agreement'].id}"))


def test_delete_goes_through_a_confirmation_page(admin, db, talks):
    action = make_action(db, talks)
    page = html(admin.get(f"/actions/{action.id}/delete"))
    assert "Delete this action item?" in page and "Send the draft text" in page
    assert len(actions(db)) == 1
    response = admin.post(f"/actions/{action.id}/delete")
    assert response.headers["Location"] == f"/agreements/{talks['agreement'].id}"
    assert actions(db) == []


def test_viewers_see_no_buttons_and_get_403(client, make_user, db, talks):
    action = make_action(db, talks)
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    page = html(client.get(f"/agreements/{talks['agreement'].id}"))
    assert "Send the draft text" in page
    assert "Add an action item" not in page and f"/actions/{action.id}/done" not in page
    for method, url in [
        ("get", f"/agreements/{talks['agreement'].id}/actions/new"),
        ("post", f"/agreements/{talks['agreement'].id}/actions/new"),
        ("get", f"/actions/{action.id}/edit"),
        ("post", f"/actions/{action.id}/edit"),
        ("post", f"/actions/{action.id}/done"),
        ("get", f"/actions/{action.id}/delete"),
        ("post", f"/actions/{action.id}/delete"),
    ]:
        assert getattr(client, method)(url, data=form_data()).status_code == 403
    [action] = actions(db)
    assert action.description == "Send the draft text" and not action.done


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/agreements/999/actions/new"),
        ("post", "/agreements/999/actions/new"),
        ("get", "/actions/999/edit"),
        ("post", "/actions/999/edit"),
        ("post", "/actions/999/done"),
        ("get", "/actions/999/delete"),
        ("post", "/actions/999/delete"),
    ],
)
def test_missing_ids_are_404(admin, talks, method, url):
    assert getattr(admin, method)(url).status_code == 404


def test_actions_of_a_deleted_agreement_are_404(logged_in, db, talks):
    action = make_action(db, talks)
    db.session.delete(talks["agreement"])
    db.session.commit()
    assert logged_in.post(f"/actions/{action.id}/done").status_code == 404
    assert logged_in.get(f"/actions/{action.id}/edit").status_code == 404


def test_csrf_is_required_when_enabled(database_url, db, make_user, talks):
    action = make_action(db, talks)
    make_user("ann", role=Role.EDITOR)
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        token = html(client.get("/login")).split('name="csrf_token" type="hidden" value="')[1]
        token = token.split('"')[0]
        data = {"username": "ann", "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302
        assert client.post(f"/actions/{action.id}/done").status_code == 400
        assert client.post(f"/actions/{action.id}/delete").status_code == 400
        response = client.post(f"/agreements/{talks['agreement'].id}/actions/new", data=form_data())
        assert response.status_code == 400
        assert (
            client.post(f"/actions/{action.id}/done", data={"csrf_token": token}).status_code == 302
        )
    [action] = actions(db)
    assert action.done
