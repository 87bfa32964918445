"""`tracker tokens …`: API tokens for automation accounts from the command line, through the
same rules as the pages; README and --help describe the same command."""

import re
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa

from tracker.accounts import tokens
from tracker.cli.tokens import tokens_group
from tracker.models import ApiToken, Role, clock

PARTIES = "/api/v1/parties/"
README = Path(__file__).resolve().parents[2] / "README.md"


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))


def _works(client, secret: str) -> bool:
    return client.get(PARTIES, headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def _automation_account(runner, db):
    result = runner.invoke(
        args=["users", "create", "robot", "--role", "editor", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output


def test_create_prints_the_secret_alone_for_a_script_to_capture(runner, db, client):
    _automation_account(runner, db)
    result = runner.invoke(args=["tokens", "create", "robot", "--name", "nightly export"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert re.fullmatch(r"trk_[A-Za-z0-9_-]{43}", secret)
    assert result.stdout == secret + "\n"
    assert "will not be shown again" in result.stderr and secret not in result.stderr
    assert _works(client, secret)
    # It writes as the robot's role allows.
    made = client.post(
        PARTIES,
        json={"name": "India", "kind": "state", "code": "IND"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert made.status_code == 201


def test_create_read_only_with_a_last_day(runner, db, client, make_user):
    make_user("robot", role=Role.ADMIN)
    last_day = clock.today() + timedelta(days=30)
    result = runner.invoke(
        args=[
            "tokens",
            "create",
            "robot",
            "--name",
            "dashboard",
            "--read-only",
            "--expires",
            last_day.isoformat(),
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"until the end of {last_day.isoformat()}" in result.stderr
    secret = result.stdout.strip()
    assert _works(client, secret)
    refused = client.post(
        PARTIES,
        json={"name": "India", "kind": "state"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert refused.status_code == 403


def test_create_refuses_what_the_page_refuses(runner, db, make_user):
    make_user("robot")
    cases = [
        (["tokens", "create", "nobody", "--name", "x"], "nobody"),
        (["tokens", "create", "robot", "--name", "   "], "Give the token a name"),
        (
            ["tokens", "create", "robot", "--name", "x", "--expires", clock.today().isoformat()],
            "expire after today",
        ),
        (["tokens", "create", "robot", "--name", "x", "--expires", "tomorrow"], "--expires"),
    ]
    before = _count(db)
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert result.stdout == "" or "trk_" not in result.stdout
    assert _count(db) == before


def test_list_shows_tokens_without_secrets_and_revoked_ones_on_request(runner, db, make_user):
    robot, ann = make_user("robot"), make_user("ann")
    kept, kept_secret = tokens.create_token(robot, "nightly export")
    gone, gone_secret = tokens.create_token(ann, "notebook")
    tokens.revoke(gone)
    db.session.commit()
    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0
    out = listed.stdout
    for heading in ("ID", "USER", "NAME", "TOKEN", "ACCESS", "CREATED", "LAST USED", "EXPIRES"):
        assert heading in out
    assert "nightly export" in out and f"trk_{kept.hint}…" in out and "notebook" not in out
    assert kept_secret not in out
    everything = runner.invoke(args=["tokens", "list", "--all"]).stdout
    assert "notebook" in everything and "REVOKED" in everything and gone_secret not in everything
    of_ann = runner.invoke(args=["tokens", "list", "ann"])
    assert "No tokens." in of_ann.output
    assert runner.invoke(args=["tokens", "list", "nobody"]).exit_code != 0


def test_revoke_stops_the_token_at_once(runner, db, client, make_user):
    token, secret = tokens.create_token(make_user("robot"), "nightly export")
    db.session.commit()
    assert _works(client, secret)
    result = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert result.exit_code == 0 and "Revoked token" in result.output
    assert not _works(client, secret)
    again = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert again.exit_code == 0 and "already revoked" in again.output
    for missing in ("999", str(2**31), "0", "x"):
        assert runner.invoke(args=["tokens", "revoke", missing]).exit_code != 0


def test_readme_and_help_describe_the_same_command():
    readme = README.read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `tracker tokens ")]
    described = {line.split("`")[1].split()[2]: line.split("`")[1] for line in rows}
    assert set(described) == set(tokens_group.commands)
    for name, command in tokens_group.commands.items():
        usage = described[name]
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in usage for opt in param.opts), (name, param.opts)
            else:
                assert (param.metavar or param.name.upper()) in usage, (name, param.name)
