"""Alembic environment: runs against the app's engine and the models' metadata."""

import logging
import re
import sqlite3
from contextlib import contextmanager
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from flask import current_app

from tracker.data.row_security import maintenance_engine
from tracker.data.search import is_search_object
from tracker.models.base import UTCDateTime

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


# A revision file's name starts with its sequence number: files sort in history order.
SEQUENCE = re.compile(r"(\d{4})_")


def number_new_revision_files(script) -> None:
    """Fill in alembic.ini's ``%(seq)s``, a token Alembic does not have: one more than the
    highest number in the folder, so a new file sorts after every revision it can build on.
    Alembic runs this file for every revision and merge (``revision_environment``)."""
    numbers = [
        int(match[1])
        for revision in script.walk_revisions()
        if (match := SEQUENCE.match(Path(revision.path).name))
    ]
    number = f"{max(numbers, default=0) + 1:04d}"
    script.file_template = script.file_template.replace("%(seq)s", number)


number_new_revision_files(context.script)


def render_item(type_, obj, autogen_context):
    """Write our UTC type as the plain column type, so revisions never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name, type_, parent_names):
    """Leave the full-text indexes, which migrations own outside the models, out of checks."""
    return not is_search_object(name, type_, parent_names)


def process_revision_directives(context_, revision, directives):
    """Write no empty revision when autogenerate finds nothing to do."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    context.configure(
        url=maintenance_engine().url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def _foreign_keys_off_on_sqlite(connection):
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on,
    the drop fires the ON DELETE actions of every row pointing at it (SET NULL wipes
    agreement leads and who recorded each status). Alembic's batch mode expects them off.
    The pragma only takes effect outside a transaction, so it goes to the driver directly."""
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        yield
        return
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        problems = driver.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"Migration left rows pointing at nothing: {problems[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys = ON")


def run_migrations_online() -> None:
    # As the tables' owner when the app connects as another role (DATABASE_OWNER_URL).
    with maintenance_engine().connect() as connection, _foreign_keys_off_on_sqlite(connection):
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            render_item=render_item,
            include_name=include_name,
            process_revision_directives=process_revision_directives,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
