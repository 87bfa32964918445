"""A need-to-know agreement is seen by its lead and those on its list (themselves or through
a group), and by nobody else: not admins, not in lists or counts; its list is managed by its
lead and admins, on a page of its own."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD
from tracker.data import access
from tracker.models import (
    AccessEntry,
    AccessGroup,
    ActionItem,
    Agreement,
    AuditRecord,
    NegotiationPoint,
    Role,
)

TITLE = "Reciprocal Provision of Supplies and Services Agreement"


@pytest.fixture
def world(db, make_user, make_agreement):
    """An admin, a lead (a viewer), two viewers and an editor; a need-to-know agreement led by
    the lead, with a point and an action under it."""
    users = {
        "boss": make_user("boss", role=Role.ADMIN),
        "lead": make_user("lead", role=Role.VIEWER),
        "ann": make_user("ann", role=Role.VIEWER),
        "bob": make_user("bob", role=Role.VIEWER),
        "ed": make_user("ed", role=Role.EDITOR),
    }
    agreement = make_agreement(lead_id=users["lead"].id, need_to_know=True)
    db.session.add_all(
        [
            NegotiationPoint(agreement=agreement, subject="Fuel pricing formula"),
            ActionItem(agreement=agreement, description="Send the revised annex"),
        ]
    )
    db.session.commit()
    return agreement, users


def _list_entry(db, agreement, *, user=None, group=None):
    db.session.add(AccessEntry(agreement_id=agreement.id, user=user, group=group))
    db.session.commit()


def _sees(client, agreement) -> bool:
    detail = client.get(f"/agreements/{agreement.id}")
    listed = client.get("/agreements/").get_data(as_text=True)
    api_detail = detail.status_code
    assert api_detail in (200, 404)
    assert (TITLE in listed) == (api_detail == 200), "the list and the page disagree"
    return api_detail == 200


def test_the_lead_and_those_on_the_list_see_it_and_everything_under_it(db, world, client_of):
    agreement, users = world
    group = AccessGroup(name="Logistics desk", members=[users["bob"]])
    db.session.add(group)
    db.session.commit()
    _list_entry(db, agreement, user=users["ann"])
    _list_entry(db, agreement, group=group)

    for name in ("lead", "ann", "bob"):
        client = client_of(name)
        assert _sees(client, agreement), name
        page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
        assert "Fuel pricing formula" in page and "Send the revised annex" in page
    for name in ("boss", "ed"):
        client = client_of(name)
        assert not _sees(client, agreement), name
        assert client.get(f"/agreements/{agreement.id}/edit").status_code in (403, 404)
        assert "0 agreements" in client.get("/agreements/").get_data(as_text=True)


def test_off_the_list_it_is_absent_from_counts_and_queries(db, world):
    agreement, users = world
    db.session.add(Agreement(title="Open agreement", category="logistics", status="proposed"))
    db.session.commit()

    def counted(user) -> tuple[int, int]:
        session = db.session
        access.use(session, access.for_user(session, user))
        try:
            agreements = session.scalar(sa.select(sa.func.count()).select_from(Agreement))
            points = session.scalar(sa.select(sa.func.count(NegotiationPoint.id)))
        finally:
            access.use(session, access.EVERYTHING)
        return agreements, points

    assert counted(users["lead"]) == (2, 1)
    assert counted(users["ann"]) == (1, 0)
    assert counted(users["boss"]) == (1, 0)  # an admin is not on the list


def test_taking_someone_out_of_a_group_takes_effect_at_their_next_request(db, world, client_of):
    agreement, users = world
    group = AccessGroup(name="Logistics desk", members=[users["ann"]])
    db.session.add(group)
    db.session.commit()
    _list_entry(db, agreement, group=group)
    ann = client_of("ann")
    assert ann.get(f"/agreements/{agreement.id}").status_code == 200

    admin = client_of("boss")
    form = admin.get(f"/admin/groups/{group.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form) or re.search(
        r'value="(\d+)"[^>]*name="version"', form
    )
    response = admin.post(
        f"/admin/groups/{group.id}/edit",
        data={
            "name": "Logistics desk",
            "description": "",
            "version": version.group(1),
            "seen_change": "0",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ann.get(f"/agreements/{agreement.id}").status_code == 404


def test_the_access_page_is_a_404_unseen_a_403_unmanaged_and_the_leads_to_manage(
    db, world, client_of, make_agreement, make_party
):
    agreement, users = world
    url = f"/agreements/{agreement.id}/access"
    assert client_of("ann").get(url).status_code == 404  # not on the list
    assert client_of("boss").get(url).status_code == 404  # an admin not on the list either
    open_one = make_agreement(title="Open", short_name="OPEN", parties=[make_party("Chile", "CHL")])
    db.session.commit()
    ann = client_of("ann")
    assert ann.get(f"/agreements/{open_one.id}").status_code == 200
    assert ann.get(f"/agreements/{open_one.id}/access").status_code == 403
    assert ann.post(f"/agreements/{open_one.id}/access/add", data={}).status_code == 403
    assert client_of("boss").get(f"/agreements/{open_one.id}/access").status_code == 200

    lead = client_of("lead")
    page = lead.get(f"/agreements/{agreement.id}")
    assert "Manage access" in page.get_data(as_text=True)
    assert "Manage access" not in ann.get(f"/agreements/{open_one.id}").get_data(as_text=True)
    response = lead.post(f"{url}/add", data={"user": str(users["ann"].id)})
    assert response.status_code == 302
    assert client_of("ann").get(f"/agreements/{agreement.id}").status_code == 200
    assert "Ann" in lead.get(f"/agreements/{agreement.id}").get_data(as_text=True)

    entry = db.session.scalar(sa.select(AccessEntry).where(AccessEntry.user_id == users["ann"].id))
    assert lead.post(f"{url}/{entry.id}/remove").status_code == 302
    assert client_of("ann").get(f"/agreements/{agreement.id}").status_code == 404
    # Audited, as a change of the agreement's list.
    changes = db.session.scalars(
        sa.select(AuditRecord.changes).where(
            AuditRecord.record_type == "agreement", AuditRecord.record_id == agreement.id
        )
    ).all()
    fields = [change["field"] for row in changes for change in row]
    assert fields.count("access_entries") == 2


def test_adding_needs_a_user_or_a_group_and_refuses_one_already_on(db, world, client_of):
    agreement, users = world
    lead = client_of("lead")
    url = f"/agreements/{agreement.id}/access/add"
    assert lead.post(url, data={}).status_code == 400
    both = {"user": str(users["ann"].id), "group": ""}
    assert lead.post(url, data=both).status_code == 302
    again = lead.post(url, data=both)
    assert again.status_code == 400 and "already on the list" in again.get_data(as_text=True)
    assert lead.post(url, data={"user": "99999"}).status_code == 400


def test_switching_need_to_know_on_with_nobody_listed_warns_only_the_lead_sees_it(
    db, world, client_of, make_agreement, make_party
):
    agreement, users = world
    other = make_agreement(
        title="Another",
        short_name="ANO",
        lead_id=users["lead"].id,
        parties=[make_party("Chile", "CHL")],
    )
    db.session.commit()
    lead = client_of("lead")
    url = f"/agreements/{other.id}/access/need-to-know"
    page = lead.post(url, data={"need_to_know": "on"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Need-to-know is on." in text and "only Lead, its lead, will see it" in text
    db.session.expire_all()
    assert db.session.get(Agreement, other.id).need_to_know is True
    assert client_of("ann").get(f"/agreements/{other.id}").status_code == 404

    lead.post(url, data={"need_to_know": "off"})
    db.session.expire_all()
    assert db.session.get(Agreement, other.id).need_to_know is False
    assert client_of("ann").get(f"/agreements/{other.id}").status_code == 200


def test_need_to_know_without_a_lead_or_a_list_is_refused(
    db, world, client_of, make_agreement, make_party
):
    orphan = make_agreement(title="Orphan", short_name="ORP", parties=[make_party("Chile", "CHL")])
    db.session.commit()
    admin = client_of("boss")
    page = admin.post(
        f"/agreements/{orphan.id}/access/need-to-know",
        data={"need_to_know": "on"},
        follow_redirects=True,
    )
    assert "Nobody would see this agreement" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Agreement, orphan.id).need_to_know is False


def test_an_admin_taking_themself_off_the_list_is_sent_away(db, world, client_of):
    agreement, users = world
    _list_entry(db, agreement, user=users["boss"])
    admin = client_of("boss")
    entry = db.session.scalar(sa.select(AccessEntry).where(AccessEntry.user_id == users["boss"].id))
    response = admin.post(f"/agreements/{agreement.id}/access/{entry.id}/remove")
    assert response.status_code == 302 and response.headers["Location"] == "/agreements/"
    assert admin.get(f"/agreements/{agreement.id}").status_code == 404


def test_the_forms_need_their_csrf_token(app, client, db, world):
    agreement, _users = world
    app.config["WTF_CSRF_ENABLED"] = True
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"username": "lead", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302

    url = f"/agreements/{agreement.id}/access/need-to-know"
    client.post(url, data={"need_to_know": "off"})
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).need_to_know is True
    page = client.get(f"/agreements/{agreement.id}/access").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(url, data={"need_to_know": "off", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).need_to_know is False
