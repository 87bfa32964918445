"""`tracker tokens …`: API tokens from the command line (for automation accounts above all),
through the same services and rules as the account pages.

`create` prints the secret alone on standard output, so a script can capture it
(``SECRET=$(tracker tokens create robot --name nightly)``); everything else goes to standard
error.
"""

from __future__ import annotations

from datetime import datetime

import click

from tracker.accounts import queries, tokens
from tracker.accounts import services as accounts
from tracker.extensions import db
from tracker.models import RuleError
from tracker.web.auth import log_auth
from tracker.web.forms import clean_text


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@click.group("tokens")
def tokens_group() -> None:
    """Manage personal API tokens (programs send one as `Authorization: Bearer …`)."""


@tokens_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What will use the token, e.g. 'nightly export'.")
@click.option("--read-only", is_flag=True, help="The token may read, never change anything.")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The last day the token works (on the deployment's calendar); none by default.",
)
def create(username: str, name: str, read_only: bool, expires: datetime | None) -> None:
    """Make a token for USERNAME and print its secret, once, alone on standard output.

    The secret is not kept (only a hash of it): store it where the program will read it.
    The token acts with USERNAME's role at the time of each request.
    """
    try:
        user = accounts.require_user(username)
        token, secret = tokens.create_token(
            user,
            clean_text(name),
            read_only=read_only,
            expires_on=expires.date() if expires else None,
        )
    except RuleError as error:
        _fail(str(error))
    db.session.commit()
    log_auth(f"API token created id={token.id} name={token.name!r} by=command-line", user.username)
    access = "read-only" if read_only else "read and write"
    day = queries.last_day(token.expires_at)
    until = f"until the end of {day.isoformat()}" if day else "without expiry"
    click.echo(
        f"Created token {token.id} “{token.name}” of “{user.username}” ({access}, {until}). "
        "Its secret follows on standard output and will not be shown again.",
        err=True,
    )
    click.echo(secret)


@tokens_group.command("list")
@click.argument("username", required=False)
@click.option("--all", "everything", is_flag=True, help="Include revoked tokens.")
def list_tokens(username: str | None, everything: bool) -> None:
    """List the tokens that work (of USERNAME, or everyone's): never their secrets.

    Times are UTC; EXPIRES is the last day a token works.
    """
    user = None
    if username is not None:
        try:
            user = accounts.require_user(username)
        except RuleError as error:
            _fail(str(error))
    rows = queries.token_rows(user, revoked=everything)
    if not rows:
        click.echo("No tokens.", err=True)
        return
    header = ["ID", "USER", "NAME", "TOKEN", "ACCESS", "CREATED", "LAST USED", "EXPIRES"]
    if everything:
        header.append("REVOKED")
    table = [header]
    for row in rows:
        expires = row.last_day.isoformat() if row.last_day else "-"
        line = [
            str(row.id),
            row.username,
            row.name,
            row.shown_hint,
            "read-only" if row.read_only else "read-write",
            _moment(row.created_at),
            _moment(row.last_used_at),
            f"{expires} (expired)" if row.expired else expires,
        ]
        if everything:
            line.append(_moment(row.revoked_at))
        table.append(line)
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


@tokens_group.command("revoke")
@click.argument("token_id", metavar="ID", type=click.IntRange(min=1))
def revoke(token_id: int) -> None:
    """Revoke the token ID (see `tracker tokens list`): programs using it are refused at once."""
    token = tokens.get_token(token_id) if token_id < 2**31 else None
    if token is None:
        _fail(f"There is no token {token_id}.")
    owner = token.user.username
    if token.revoked_at is not None:
        click.echo(f"Token {token.id} “{token.name}” of “{owner}” was already revoked.")
        return
    tokens.revoke(token)
    db.session.commit()
    log_auth(f"API token revoked id={token.id} name={token.name!r} by=command-line", owner)
    click.echo(f"Revoked token {token.id} “{token.name}” of “{owner}”.")
