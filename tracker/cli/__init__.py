"""The ``tracker`` command: Flask's CLI for this app plus the project's own commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from tracker.data.database import writing


def _create_app():
    from tracker import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Track international agreements while they are being negotiated.

    Common commands: `tracker setup` prepares the database, `tracker run` serves the
    app, `tracker users …` manages staff accounts, `tracker tokens …` their API tokens,
    `tracker report …` writes an agreement's status report, `tracker db …` runs migrations.
    """
    # Commands run beside the app's workers and mostly write: on SQLite their transactions
    # take the write lock first, as writing requests do (see tracker/data/database.py).
    click.get_current_context().with_resource(writing())


def register(app: Flask) -> None:
    """Add the project's commands to the app's ``flask``/``tracker`` command line."""
    from tracker.cli.backup import backup, restore
    from tracker.cli.data import demo_data, setup, synth_data
    from tracker.cli.report import report
    from tracker.cli.roles import grant
    from tracker.cli.tokens import tokens_group
    from tracker.cli.users import users

    for command in (users, tokens_group, setup, demo_data, synth_data, report, backup, restore):
        app.cli.add_command(command)
    # Flask-Migrate's `db` group, beside upgrade and check.
    app.cli.commands["db"].add_command(grant)
