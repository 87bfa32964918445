"""`tracker setup`, `tracker demo-data` and `tracker synth-data`: a database made ready, the
demo world, and the synthetic collection behind the benchmarks."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa

from tracker.accounts import services as accounts
from tracker.data.row_security import maintenance_engine
from tracker.extensions import db
from tracker.models import Agreement, Role


@click.command("demo-data")
def demo_data() -> None:
    """Load the demo world (India–Japan defence talks); running it again changes nothing."""
    from tracker.cli.demo import load_demo_data

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
    """Migrate the database, create the first admin if there is none, load demo data if empty
    (and, in a database that had no users, demo accounts at several clearances)."""
    from flask_migrate import upgrade

    upgrade()
    fresh = accounts.count_users() == 0
    if fresh:
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
        # Accounts with printed passwords only in a database nobody uses yet: never added
        # to one that already had users.
        if fresh:
            _demo_accounts()


def _demo_accounts() -> None:
    from tracker.cli.demo import create_demo_accounts

    made = create_demo_accounts()
    db.session.commit()
    if not made:
        return
    width = max(len(account.username) for account in made)
    click.echo(
        "\nCreated demo accounts at several clearances (the admin reads only what is"
        "\nUnclassified: being an admin grants no reading rights). Passwords are shown only once:"
    )
    for account in made:
        name = f"{account.username:<{width}}"
        click.echo(f"    {name}  {account.password}  {account.role:<6}  {account.about}")
    click.echo(
        "Deactivate them before putting real material in: tracker users deactivate USERNAME\n"
    )


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
    from tracker.cli import synth

    if parties < 2 or agreements < 1 or meetings < 0:
        raise click.BadParameter("at least one agreement and two parties are needed")
    params = synth.SynthParams(agreements=agreements, parties=parties, meetings=meetings, seed=seed)
    started = time.perf_counter()
    # As the tables' owner: PostgreSQL takes no COPY into a table whose row-level security
    # binds the writer, and only the owner may VACUUM.
    engine = maintenance_engine()
    with engine.begin() as connection:
        if not yes and not synth.is_empty(connection):
            raise click.ClickException(
                "The database already holds records; use --yes to add synthetic ones to them."
            )
        synth.generate(connection, params, allow_existing=True, progress=click.echo)
    click.echo(f"Synthetic data written in {time.perf_counter() - started:.1f} s.")
    synth.tidy(engine)
    click.echo(f"Statistics updated; {time.perf_counter() - started:.1f} s in all.")
