"""Named groups: admin pages to list, create, rename, set members and delete them; the API;
the audit trail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from, log_in
from tracker.models import AccessEntry, AccessGroup, AuditRecord, Role


@pytest.fixture
def admin(client, make_user):
    user = make_user("boss", role=Role.ADMIN)
    assert log_in(client, "boss").status_code == 302
    return user


def _group(db, name) -> AccessGroup | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(AccessGroup).where(AccessGroup.name == name))


def test_create_rename_set_members_and_delete(client, admin, make_user, make_agreement, db):
    ann, bob = make_user("ann"), make_user("bob")
    response = client.post(
        "/admin/groups/new",
        data={"name": "East Asia desk", "description": "Tokyo talks", "members": [str(ann.id)]},
    )
    assert response.status_code == 302
    group = _group(db, "East Asia desk")
    assert [m.username for m in group.members] == ["ann"]
    listing = client.get("/admin/groups/").get_data(as_text=True)
    assert "East Asia desk" in listing and "Ann" in listing
    assert 'href="/admin/groups/"' in client.get("/admin/users/").get_data(as_text=True)

    edit = client.get(f"/admin/groups/{group.id}/edit").get_data(as_text=True)
    assert f'value="{ann.id}" checked' in edit or "checked" in edit
    response = client.post(
        f"/admin/groups/{group.id}/edit",
        data={**loaded_from(group), "name": "Japan desk", "members": [str(bob.id)]},
    )
    assert response.status_code == 302
    group = _group(db, "Japan desk")
    assert [m.username for m in group.members] == ["bob"] and group.version == 2
    # A stale form is refused.
    stale = {"version": "1", "seen_change": "0", "name": "Old", "members": []}
    assert client.post(f"/admin/groups/{group.id}/edit", data=stale).status_code == 409

    agreement = make_agreement(need_to_know=True)
    db.session.add(AccessEntry(agreement_id=agreement.id, group_id=group.id))
    db.session.commit()
    assert "Delete the group Japan desk?" in client.get(
        f"/admin/groups/{group.id}/delete"
    ).get_data(as_text=True)
    assert client.post(f"/admin/groups/{group.id}/delete").status_code == 302
    assert _group(db, "Japan desk") is None
    assert db.session.scalar(sa.select(sa.func.count(AccessEntry.id))) == 0

    rows = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.record_type == "group").order_by(AuditRecord.id)
    ).all()
    assert [row.action.value for row in rows] == ["create", "update", "delete"]
    members = next(c for c in rows[1].changes if c["field"] == "members")
    assert members == {"field": "members", "old": ["ann"], "new": ["bob"]}


def test_names_are_unique_and_required(client, admin, db):
    db.session.add(AccessGroup(name="Legal"))
    db.session.commit()
    for name in ("legal", "   "):
        response = client.post("/admin/groups/new", data={"name": name})
        assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(AccessGroup.id))) == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_only_admins_reach_the_pages(client, make_user, db, role):
    make_user("ann", role=role)
    group = AccessGroup(name="Legal")
    db.session.add(group)
    db.session.commit()
    log_in(client, "ann")
    for url in ("/admin/groups/", "/admin/groups/new", f"/admin/groups/{group.id}/edit"):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/groups/{group.id}/delete").status_code == 403


# -- The API -----------------------------------------------------------------------------


def test_api_admins_change_groups_everyone_reads_them(api_as, make_user, db):
    admin, viewer = api_as(Role.ADMIN), api_as(Role.VIEWER)
    ann = make_user("ann")
    made = admin.post("/api/v1/groups/", json={"name": "Legal", "member_ids": [ann.id]})
    assert made.status_code == 201, made.json
    url = made.headers["Location"]
    assert made.headers["ETag"] == '"v1"' and made.json["member_ids"] == [ann.id]
    assert made.json["members"][0]["username"] == "ann"

    assert viewer.get(url).json["name"] == "Legal"
    assert [g["name"] for g in viewer.get("/api/v1/groups/").json["items"]] == ["Legal"]
    assert viewer.post("/api/v1/groups/", json={"name": "Mine"}).status_code == 403
    assert viewer.patch(url, json={"name": "X"}, headers={"If-Match": '"v1"'}).status_code == 403

    assert admin.patch(url, json={"member_ids": []}).status_code == 428
    changed = admin.patch(url, json={"member_ids": []}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200 and changed.json["member_ids"] == []
    assert changed.headers["ETag"] == '"v2"'
    assert admin.patch(url, json={"name": "Y"}, headers={"If-Match": '"v1"'}).status_code == 412
    refused = admin.patch(url, json={"member_ids": [99999]}, headers={"If-Match": '"v2"'})
    assert (
        refused.status_code == 422
        and "member_ids" in str(refused.json)
        or "members" in str(refused.json)
    )
    duplicate = admin.post("/api/v1/groups/", json={"name": "legal"})
    assert duplicate.status_code == 422 and "name" in duplicate.json["errors"]["json"]
    assert admin.delete(url, headers={"If-Match": '"v2"'}).status_code == 204
    assert viewer.get(url).status_code == 404


def test_api_access_list_for_its_lead_and_admins(api_as, make_user, make_agreement, db):
    lead = api_as(Role.VIEWER, username="lead")
    admin, other = api_as(Role.ADMIN), api_as(Role.EDITOR)
    ann = make_user("ann", role=Role.VIEWER)
    group = AccessGroup(name="Legal", members=[ann])
    db.session.add(group)
    agreement = make_agreement(lead_id=lead.user.id)
    db.session.commit()
    url = f"/api/v1/agreements/{agreement.id}/access"

    read = lead.get(url)
    assert read.status_code == 200, read.json
    assert read.json["need_to_know"] is False and read.json["entries"] == []
    assert other.get(url).status_code == 403
    etag = read.headers["ETag"]
    assert lead.patch(url, json={"need_to_know": True}).status_code == 428
    on = lead.patch(url, json={"need_to_know": True}, headers={"If-Match": etag})
    assert on.status_code == 200 and on.json["warning"].startswith("Nobody is on the list")
    # Now only the lead (and the list) see it: the editor and the admin get a 404.
    assert other.get(url).status_code == 404 and admin.get(url).status_code == 404
    assert other.get(f"/api/v1/agreements/{agreement.id}").status_code == 404

    listed = lead.patch(
        url,
        json={"group_ids": [group.id], "user_ids": [admin.user.id]},
        headers={"If-Match": on.headers["ETag"]},
    )
    assert listed.status_code == 200, listed.json
    assert listed.json["group_ids"] == [group.id] and listed.json["user_ids"] == [admin.user.id]
    assert listed.json["warning"] is None
    assert admin.get(url).status_code == 200
    assert other.get(f"/api/v1/agreements/{agreement.id}").status_code == 404
    refused = lead.patch(
        url, json={"user_ids": [99999]}, headers={"If-Match": listed.headers["ETag"]}
    )
    assert refused.status_code == 422
