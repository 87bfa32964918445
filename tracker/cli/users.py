"""`tracker users …`: staff accounts from the command line, through the same services and
rules as the admin pages."""

from __future__ import annotations

import sys

import click

from tracker.accounts import services as accounts
from tracker.extensions import db
from tracker.models import Party, Role


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


def _clearance_options(command):
    """The options that set what a user may read (create and update share them)."""
    options = [
        click.option(
            "--clearance",
            metavar="LEVEL",
            help="The highest level they may read, by name (any case; quote names with "
            "spaces: --clearance 'top secret'). The levels are CLASSIFICATION_LEVELS.",
        ),
        click.option(
            "--party",
            metavar="CODE",
            help="Their nationality or organisation, by the party's ISO code (or name): "
            "records released to named parties (REL TO) reach them only if it is named.",
        ),
        click.option(
            "--no-party",
            is_flag=True,
            help="Clear their party: they read no record with a release list.",
        ),
        click.option(
            "--caveat",
            "caveat_names",
            metavar="NAME",
            multiple=True,
            help="A caveat they hold (repeat for each; on update, the caveats given replace "
            "the ones held). The caveats are CLASSIFICATION_CAVEATS.",
        ),
        click.option("--no-caveats", is_flag=True, help="Clear the caveats they hold."),
        click.option(
            "--security-officer/--no-security-officer",
            default=None,
            help="Whether they read and export the access log (no reading rights of its own).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _clearance_changes(
    user, clearance, party, no_party, caveat_names, no_caveats, security_officer
) -> dict:
    """What set_clearance should get: the options given, the user's values for the rest."""
    if party and no_party:
        raise accounts.AccountError("Give --party or --no-party, not both.")
    if caveat_names and no_caveats:
        raise accounts.AccountError("Give --caveat or --no-caveats, not both.")
    values = {
        "clearance": user.clearance if user is not None else 0,
        "party_id": user.party_id if user is not None else None,
        "caveats": sorted(user.caveat_set) if user is not None else [],
        "security_officer": user.security_officer if user is not None else False,
    }
    if clearance is not None:
        values["clearance"] = accounts.level_named(clearance)
    if party:
        values["party_id"] = accounts.party_coded(party).id
    elif no_party:
        values["party_id"] = None
    if caveat_names:
        values["caveats"] = [accounts.caveat_named(name) for name in caveat_names]
    elif no_caveats:
        values["caveats"] = []
    if security_officer is not None:
        values["security_officer"] = security_officer
    return values


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
@_clearance_options
def create_user(
    username: str, role: str, display_name: str, password_stdin: bool, **clearance
) -> None:
    """Create a user; the password is asked for, never given on the command line.

    They read nothing above the lowest level unless given a --clearance; their role
    (even admin) grants no reading rights.
    """
    try:
        # Unknown names are refused before the password is asked for.
        values = _clearance_changes(None, **clearance)
        password = _read_password(password_stdin)
        user = accounts.create_user(username, password, role, display_name, **values)
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Created {user.role} “{user.username}”.")
    click.echo(f"They {_reads(user)}.")


def _reads(user) -> str:
    officer = "; security officer" if user.security_officer else ""
    return f"may read: {accounts.describe_clearance(user, _party_codes())}{officer}"


def _party_codes() -> dict[int, str]:
    rows = db.session.execute(db.select(Party.id, Party.code, Party.name))
    return {id_: code or name for id_, code, name in rows}


@users.command("update")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, help="A new role.")
@click.option("--name", "display_name", help="A new display name.")
@_clearance_options
def update_user(username: str, role: str | None, display_name: str | None, **clearance) -> None:
    """Change a user's role, name, or what they may read; options not given stay as they are.

    \b
    Examples:
      tracker users update ann --clearance secret --party IND --caveat CABINET
      tracker users update ann --no-caveats --no-party --no-security-officer
    """
    try:
        user = accounts.require_user(username)
        values = _clearance_changes(user, **clearance)
        if role is not None:
            accounts.change_role(user, role)
        if display_name is not None:
            accounts.rename(user, display_name)
        accounts.set_clearance(user, **values)
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Updated {user.role} “{user.username}”.")
    click.echo(f"They {_reads(user)}.")


@users.command("list")
def list_users() -> None:
    """List users with their role, whether they are active, and what they may read."""
    rows = accounts.list_users()
    if not rows:
        click.echo("No users yet. Create one with: tracker users create NAME --role admin")
        return
    width = max(len(user.username) for user in rows)
    codes = _party_codes()
    for user in rows:
        state = "active" if user.active else "deactivated"
        reads = accounts.describe_clearance(user, codes)
        if user.security_officer:
            reads += "; security officer"
        click.echo(
            f"{user.username:<{width}}  {user.role:<6}  {state:<11}  {user.display_name}  [{reads}]"
        )


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
