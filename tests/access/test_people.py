"""Admins set what each user may read (clearance, party, caveats, security officer) on the
user's page, when creating them, and with ``tracker users create/update``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, loaded_from, log_in
from tracker.models import AuditRecord, Role, User


@pytest.fixture
def admin(client, make_user):
    user = make_user("boss", role=Role.ADMIN)
    assert log_in(client, "boss").status_code == 302
    return user


def _user(db, username) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_an_admin_sets_a_users_clearance_and_the_list_shows_it(
    client, admin, make_user, make_party, db
):
    ann = make_user("ann", role=Role.VIEWER)
    india = make_party("India", "IND")
    db.session.commit()
    page = client.get(f"/admin/users/{ann.id}/edit").get_data(as_text=True)
    assert "What they may read" in page and 'value="CABINET"' in page
    response = client.post(
        f"/admin/users/{ann.id}/clearance",
        data={
            **loaded_from(ann),
            "clearance": "3",
            "party": str(india.id),
            "caveats": ["CABINET", "LEGAL ADVICE"],
            "security_officer": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    ann = _user(db, "ann")
    assert (ann.clearance, ann.party_id, ann.caveats) == (3, india.id, "CABINET,LEGAL ADVICE")
    assert ann.security_officer
    listing = client.get("/admin/users/").get_data(as_text=True)
    assert "Secret, IND, CABINET, LEGAL ADVICE" in listing
    audit = db.session.scalars(
        sa.select(AuditRecord).where(
            AuditRecord.record_type == "user", AuditRecord.record_id == ann.id
        )
    ).all()
    assert {"clearance", "caveats", "security_officer"} <= {
        change["field"] for row in audit for change in row.changes
    }


def test_unknown_choices_and_stale_forms_change_nothing(client, admin, make_user, db):
    ann = make_user("ann", role=Role.VIEWER)
    url = f"/admin/users/{ann.id}/clearance"
    for data in ({"clearance": "9"}, {"clearance": "1", "caveats": ["EYES ONLY"]}):
        assert client.post(url, data={**loaded_from(ann), **data}).status_code == 400
    stale = {"version": "0", "seen_change": "0", "clearance": "2"}
    assert client.post(url, data=stale).status_code == 409
    assert _user(db, "ann").clearance == 0


def test_a_new_user_is_created_with_what_they_may_read(client, admin, db):
    data = {
        "username": "cleared",
        "display_name": "Cleared",
        "role": "viewer",
        "new_password": "a brand new passphrase",
        "confirm_password": "a brand new passphrase",
        "clearance": "2",
        "caveats": ["NATIONAL ONLY"],
    }
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = _user(db, "cleared")
    assert (user.clearance, user.caveats, user.security_officer) == (2, "NATIONAL ONLY", False)


def test_the_role_grants_no_clearance(client, admin, db):
    assert _user(db, "boss").clearance == 0


# -- The command line --------------------------------------------------------------------


def test_create_with_clearance_party_caveats_and_officer(runner, db, make_party):
    make_party("India", "IND")
    db.session.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ann",
            "--password-stdin",
            "--clearance",
            "top-secret",
            "--party",
            "ind",
            "--caveat",
            "cabinet",
            "--caveat",
            "Legal advice",
            "--security-officer",
        ],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "They may read: Top Secret, IND, CABINET, LEGAL ADVICE; security officer." in (
        result.output
    )
    user = _user(db, "ann")
    assert user.clearance == 4 and user.caveats == "CABINET,LEGAL ADVICE"
    assert user.security_officer and user.party_id is not None


def test_update_changes_only_what_it_is_given_and_clears_on_request(
    runner, db, make_user, make_party
):
    make_user("ann", role=Role.VIEWER)
    make_party("Japan", "JPN")
    db.session.commit()
    args = ["users", "update", "ann"]
    result = runner.invoke(
        args=[*args, "--clearance", "Secret", "--party", "JPN", "--caveat", "CABINET"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=[*args, "--security-officer"])
    user = _user(db, "ann")
    assert (user.clearance, user.caveats, user.security_officer) == (3, "CABINET", True)
    assert user.party_id is not None and user.role == Role.VIEWER

    result = runner.invoke(
        args=[*args, "--no-caveats", "--no-party", "--no-security-officer", "--role", "editor"]
    )
    assert result.exit_code == 0, result.output
    user = _user(db, "ann")
    assert (user.clearance, user.caveats, user.party_id, user.security_officer) == (
        3,
        "",
        None,
        False,
    )
    assert user.role == Role.EDITOR
    listed = runner.invoke(args=["users", "list"]).output
    assert "[Secret]" in listed


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--clearance", "cosmic"],
            "There is no clearance level “cosmic”; the levels are: "
            "Unclassified, Restricted, Confidential, Secret, Top Secret.",
        ),
        (["--party", "XYZ"], "There is no party with the code “XYZ”. Known codes: JPN."),
        (
            ["--caveat", "EYES ONLY"],
            "There is no caveat “EYES ONLY”; the caveats are: "
            "CABINET, LEGAL ADVICE, NATIONAL ONLY.",
        ),
        (["--caveat", "CABINET", "--no-caveats"], "Give --caveat or --no-caveats, not both."),
    ],
)
def test_unknown_names_are_refused_clearly(runner, db, make_user, make_party, options, message):
    make_user("ann", role=Role.VIEWER)
    make_party("Japan", "JPN")
    db.session.commit()
    result = runner.invoke(args=["users", "update", "ann", *options])
    assert result.exit_code != 0
    assert message in result.output
    assert _user(db, "ann").clearance == 0
    created = runner.invoke(
        args=["users", "create", "bob", "--password-stdin", *options], input=f"{PASSWORD}\n"
    )
    assert created.exit_code != 0 and message in created.output
    assert _user(db, "bob") is None


def test_help_describes_the_options(runner):
    for command in ("create", "update"):
        text = runner.invoke(args=["users", command, "--help"]).output
        for option in (
            "--clearance LEVEL",
            "--party CODE",
            "--no-party",
            "--caveat NAME",
            "--no-caveats",
            "--security-officer / --no-security-officer",
        ):
            assert option in text, (command, option)
    assert "update" in runner.invoke(args=["users", "--help"]).output
