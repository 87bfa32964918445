"""`tracker users …`: managing staff accounts from the command line."""

import sqlalchemy as sa

from tracker.models import Role, User


def _user(db, username):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_create_reads_the_password_from_stdin(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ann",
            "--role",
            "editor",
            "--name",
            "Ann Desk",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created editor “ann”." in result.output
    user = _user(db, "ann")
    assert user.role == Role.EDITOR
    assert user.display_name == "Ann Desk"
    assert user.check_password("a long enough password")
    assert "a long enough password" not in result.output


def test_create_prompts_twice_for_the_password(runner, db):
    result = runner.invoke(
        args=["users", "create", "bob"], input="a long enough password\na long enough password\n"
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert _user(db, "bob").role == Role.VIEWER


def test_create_refuses_short_passwords_duplicates_and_bad_roles(runner, db):
    result = runner.invoke(args=["users", "create", "ann", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert _user(db, "ann") is None

    runner.invoke(args=["users", "create", "ann", "--password-stdin"], input="long password 1\n")
    result = runner.invoke(
        args=["users", "create", "ANN", "--password-stdin"], input="long password 2\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output

    result = runner.invoke(
        args=["users", "create", "carl", "--role", "god", "--password-stdin"],
        input="long password 3\n",
    )
    assert result.exit_code == 2
    assert "'god' is not one of" in result.output


def test_create_refuses_bad_usernames(runner, db):
    result = runner.invoke(
        args=["users", "create", "a b", "--password-stdin"], input="long password 1\n"
    )
    assert result.exit_code == 1
    assert "Usernames are" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_empty_stdin_is_an_error(runner):
    result = runner.invoke(args=["users", "create", "ann", "--password-stdin"], input="")
    assert result.exit_code == 1
    assert "No password was given" in result.output


def test_list_shows_role_and_state(runner, make_user):
    assert "No users yet" in runner.invoke(args=["users", "list"]).output
    make_user("ann", role=Role.ADMIN)
    make_user("bob", role=Role.VIEWER, active=False)
    output = runner.invoke(args=["users", "list"]).output
    lines = output.splitlines()
    assert lines[0].split()[:3] == ["ann", "admin", "active"]
    assert lines[1].split()[:3] == ["bob", "viewer", "deactivated"]


def test_set_password(runner, make_user, db):
    make_user("ann")
    result = runner.invoke(
        args=["users", "set-password", "ann", "--password-stdin"], input="a brand new password\n"
    )
    assert result.exit_code == 0, result.output
    assert _user(db, "ann").check_password("a brand new password")

    result = runner.invoke(
        args=["users", "set-password", "zed", "--password-stdin"], input="a brand new password\n"
    )
    assert result.exit_code == 1
    assert "There is no user called “zed”" in result.output


def test_deactivate(runner, make_user, db):
    make_user("ann")
    result = runner.invoke(args=["users", "deactivate", "ann"])
    assert result.exit_code == 0
    assert _user(db, "ann").active is False
    assert runner.invoke(args=["users", "deactivate", "zed"]).exit_code == 1


def test_deactivate_refuses_the_last_active_admin(runner, make_user, db):
    make_user("root", role=Role.ADMIN)
    result = runner.invoke(args=["users", "deactivate", "root"])
    assert result.exit_code == 1
    assert "last active admin" in result.output
    assert _user(db, "root").active is True

    make_user("deputy", role=Role.ADMIN)
    assert runner.invoke(args=["users", "deactivate", "root"]).exit_code == 0
    assert _user(db, "root").active is False


def test_deactivate_ends_the_users_sessions(runner, make_user, db):
    generation = make_user("ann").session_generation
    assert runner.invoke(args=["users", "deactivate", "ann"]).exit_code == 0
    assert _user(db, "ann").session_generation == generation + 1
