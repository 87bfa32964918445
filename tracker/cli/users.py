"""`tracker users …`: staff accounts from the command line, through the same services and
rules as the admin pages."""

from __future__ import annotations

import sys

import click

from tracker.accounts import services as accounts
from tracker.extensions import db
from tracker.models import Role


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _read_password(password_stdin: bool, prompt: str = "Password") -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password was given on standard input.")
        return password
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


ROLE_CHOICE = click.Choice([role.value for role in Role])


@click.group()
def users() -> None:
    """Manage staff accounts."""


@users.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=ROLE_CHOICE,
    default=Role.VIEWER.value,
    show_default=True,
    help="viewer reads and reports, editor changes records, admin does everything.",
)
@click.option("--name", "display_name", default="", help="Display name (defaults to USERNAME).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
def create_user(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create a user; the password is asked for, never given on the command line."""
    password = _read_password(password_stdin)
    try:
        user = accounts.create_user(username, password, role, display_name)
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Created {user.role} “{user.username}”.")


@users.command("list")
def list_users() -> None:
    """List users with their role and whether they are active."""
    rows = accounts.list_users()
    if not rows:
        click.echo("No users yet. Create one with: tracker users create NAME --role admin")
        return
    width = max(len(user.username) for user in rows)
    for user in rows:
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.username:<{width}}  {user.role:<6}  {state:<11}  {user.display_name}")


@users.command("set-password")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the new password from the first line of standard input.",
)
def set_password(username: str, password_stdin: bool) -> None:
    """Set a user's password."""
    try:
        user = accounts.require_user(username)
        accounts.set_password(user, _read_password(password_stdin, "New password"))
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Password changed for “{user.username}”.")


@users.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Stop a user from logging in and end their sessions; their records and history stay.

    The last active admin cannot be deactivated: make another admin first.
    """
    try:
        user = accounts.require_user(username)
        accounts.deactivate(user, by=None)
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Deactivated “{user.username}”; their sessions have ended.")
