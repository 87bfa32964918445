"""The ``tracker`` command: Flask's CLI for this app plus the project's own commands."""

from __future__ import annotations

import sys
import time

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup

from tracker.accounts import services as accounts
from tracker.backup import backup, restore
from tracker.database import writing
from tracker.extensions import db
from tracker.models import Agreement, Role
from tracker.reports.cli import report


def _create_app():
    from tracker import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Track international agreements while they are being negotiated.

    Common commands: `tracker setup` prepares the database, `tracker run` serves the
    app, `tracker users …` manages staff accounts, `tracker report …` writes an
    agreement's status report, `tracker db …` runs migrations.
    """
    # Commands run beside the app's workers and mostly write: on SQLite their transactions
    # take the write lock first, as writing requests do (see tracker/database.py).
    click.get_current_context().with_resource(writing())


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo_data)
    app.cli.add_command(setup)
    app.cli.add_command(report)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(synth_data)


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
    """Stop a user from logging in; their records and history stay."""
    try:
        user = accounts.require_user(username)
    except accounts.AccountError as error:
        _fail(str(error))
    user.active = False
    db.session.commit()
    click.echo(f"Deactivated “{user.username}”.")


@click.command("demo-data")
def demo_data() -> None:
    """Load the demo world (India–Japan defence talks); running it again changes nothing."""
    from tracker.demo import load_demo_data

    created = load_demo_data()
    db.session.commit()
    if created:
        click.echo("Loaded demo data: " + ", ".join(f"{n} {kind}" for kind, n in created.items()))
    else:
        click.echo("Demo data already present; nothing changed.")


@click.command("setup")
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Load the demo data when the database holds no agreements.",
)
def setup(demo: bool) -> None:
    """Migrate the database, create the first admin if there is none, load demo data if empty."""
    from flask_migrate import upgrade

    upgrade()
    if accounts.count_users() == 0:
        password = accounts.generate_password()
        accounts.create_user("admin", password, Role.ADMIN, "Administrator")
        db.session.commit()
        click.echo(
            "\nCreated the first administrator. This password is shown only once:\n"
            f"    username: admin\n    password: {password}\n"
            "Change it after logging in, or with: tracker users set-password admin\n"
        )
    if demo and not db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)):
        demo_data.callback()


@click.command("synth-data")
@click.option("--agreements", default=250_000, show_default=True, help="Agreements to create.")
@click.option("--parties", default=200, show_default=True, help="Parties (states, then others).")
@click.option("--meetings", default=250_000, show_default=True, help="Meetings to create.")
@click.option("--seed", default=1, show_default=True, help="The same seed gives the same data.")
@click.option("--yes", is_flag=True, help="Add to a database that already holds records.")
def synth_data(agreements: int, parties: int, meetings: int, seed: int, yes: bool) -> None:
    """Generate a large deterministic synthetic collection, for benchmarks.

    2–5 parties per agreement, meetings discussing 1–8 agreements each, status histories,
    negotiation points and action items. The first agreement (short name SYN-BUSY) is
    discussed at 500 meetings. Synthetic records are not in the audit trail.
    """
    from tracker import synth

    if parties < 2 or agreements < 1 or meetings < 0:
        raise click.BadParameter("at least one agreement and two parties are needed")
    params = synth.SynthParams(agreements=agreements, parties=parties, meetings=meetings, seed=seed)
    started = time.perf_counter()
    with db.engine.begin() as connection:
        if not yes and not synth.is_empty(connection):
            raise click.ClickException(
                "The database already holds records; use --yes to add synthetic ones to them."
            )
        synth.generate(connection, params, allow_existing=True, progress=click.echo)
    click.echo(f"Synthetic data written in {time.perf_counter() - started:.1f} s.")
    synth.tidy(db.engine)
    click.echo(f"Statistics updated; {time.perf_counter() - started:.1f} s in all.")
