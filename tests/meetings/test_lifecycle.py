"""Archiving, restoring and deleting meetings, and who may do what."""

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD
from tracker.models import AgendaItem, Meeting, Role, utcnow


def html(response) -> str:
    return response.get_data(as_text=True)


def test_editor_archives_a_meeting(logged_in, db, make_meeting):
    meeting = make_meeting()
    db.session.commit()
    assert "Archive</button>" in html(logged_in.get(f"/meetings/{meeting.id}"))

    response = logged_in.post(f"/meetings/{meeting.id}/archive")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).archived_at is not None
    page = html(logged_in.get(f"/meetings/{meeting.id}"))
    assert "archived." in page and "Archived on" in page
    assert "Defence Policy Dialogue" not in html(logged_in.get("/meetings/"))


def test_archived_meetings_are_not_offered_as_gatherings(logged_in, db, make_meeting):
    gathering = make_meeting(title="Old plenary", archived_at=utcnow())
    db.session.commit()
    assert "Old plenary" not in html(logged_in.get("/meetings/new"))
    response = logged_in.post(
        "/meetings/new",
        data={
            "title": "Side talk",
            "start_date": "2024-08-20",
            "start_time": "10:00",
            "timezone": "UTC",
            "level": "summit",
            "parent_id": str(gathering.id),
        },
    )
    assert response.status_code == 200
    assert "Not a valid choice." in html(response)


def test_admin_restores_a_meeting(admin, db, make_meeting):
    meeting = make_meeting(archived_at=utcnow())
    db.session.commit()
    assert "Restore</button>" in html(admin.get(f"/meetings/{meeting.id}"))

    response = admin.post(f"/meetings/{meeting.id}/restore")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).archived_at is None
    assert "Defence Policy Dialogue" in html(admin.get("/meetings/"))


def test_admin_deletes_after_confirming(admin, db, make_meeting, make_person, make_agreement):
    gathering = make_meeting(title="ADMM-Plus")
    meeting = make_meeting(title="To be deleted", parent=gathering)
    side = make_meeting(title="Its own side talk", parent=meeting)
    meeting.participants = [make_person()]
    db.session.add(AgendaItem(meeting=meeting, agreement=make_agreement(parties=[])))
    db.session.commit()
    meeting_id, side_id, gathering_id = meeting.id, side.id, gathering.id

    page = html(admin.get(f"/meetings/{meeting_id}/delete"))
    assert "Delete “To be deleted”?" in page
    assert "cannot be undone" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id) is not None

    response = admin.post(f"/meetings/{meeting_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/meetings/"
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id) is None
    assert db.session.get(Meeting, side_id).parent_id is None
    assert db.session.get(Meeting, gathering_id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)) == 0
    assert "deleted." in html(admin.get("/meetings/"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/meetings/new"),
        ("post", "/meetings/new"),
        ("get", "/meetings/{id}/edit"),
        ("post", "/meetings/{id}/edit"),
        ("post", "/meetings/{id}/archive"),
        ("post", "/meetings/{id}/restore"),
        ("get", "/meetings/{id}/delete"),
        ("post", "/meetings/{id}/delete"),
    ],
)
def test_viewers_may_not_change_meetings(viewer, db, make_meeting, method, path):
    meeting = make_meeting()
    db.session.commit()
    response = getattr(viewer, method)(path.format(id=meeting.id), data={"title": "Changed"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).title == "Defence Policy Dialogue"
    assert db.session.get(Meeting, meeting.id).archived_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/meetings/{id}/restore"),
        ("get", "/meetings/{id}/delete"),
        ("post", "/meetings/{id}/delete"),
    ],
)
def test_editors_may_not_restore_or_delete(logged_in, db, make_meeting, method, path):
    meeting = make_meeting(archived_at=utcnow())
    db.session.commit()
    page = html(logged_in.get(f"/meetings/{meeting.id}"))
    assert "Restore" not in page and "/delete" not in page
    assert getattr(logged_in, method)(path.format(id=meeting.id)).status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).archived_at is not None


def test_archive_is_post_only(logged_in, db, make_meeting):
    meeting = make_meeting()
    db.session.commit()
    assert logged_in.get(f"/meetings/{meeting.id}/archive").status_code == 405


def test_posts_need_a_csrf_token(app, client, db, make_user, make_meeting):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user("ed", role=Role.EDITOR)
    meeting = make_meeting()
    db.session.commit()
    login_page = html(client.get("/login"))
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"username": "ed", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302

    assert client.post(f"/meetings/{meeting.id}/archive").status_code == 400
    page = html(client.get(f"/meetings/{meeting.id}"))
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/meetings/{meeting.id}/archive", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).archived_at is not None
