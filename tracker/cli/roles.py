"""`tracker db grant ROLE`: let the app's PostgreSQL role use the tables it does not own."""

from __future__ import annotations

import click
import sqlalchemy as sa

from tracker.data import row_security


@click.command("grant")
@click.argument("role")
def grant(role: str) -> None:
    """Grant the app's PostgreSQL ROLE what it needs, as the tables' owner.

    Run after `tracker db upgrade`, with TRACKER_DATABASE_OWNER_URL (or TRACKER_DATABASE_URL)
    naming the owner. ROLE may then read and write every table and sequence of the schema,
    those later migrations add included, but never change the audit trail; row-level
    security decides which rows it sees. README: "PostgreSQL roles and row-level security".
    """
    engine = row_security.maintenance_engine()
    if engine.dialect.name != "postgresql":
        raise click.ClickException("Roles and grants are PostgreSQL's; SQLite has none.")
    with engine.begin() as connection:
        missing = [
            name
            for name in ("alembic_version", "audit_record")
            if connection.scalar(sa.text("SELECT to_regclass(:name)"), {"name": name}) is None
        ]
        if missing:
            raise click.ClickException("The database is not migrated: run `tracker db upgrade`.")
        if connection.scalar(
            sa.text("SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :role)"),
            {"role": role},
        ):
            raise click.ClickException(f"There is no PostgreSQL role {role!r}; create it first.")
        owner, bypass = connection.execute(
            sa.text(
                "SELECT r.rolname = current_user, r.rolsuper OR r.rolbypassrls "
                "FROM pg_roles r WHERE r.rolname = :role"
            ),
            {"role": role},
        ).one()
        if owner or bypass:
            raise click.ClickException(
                f"{role} owns the tables or bypasses row-level security: the app must connect "
                "as a role that does neither."
            )
        row_security.grant(connection, role)
    click.echo(f"Granted {role} the use of the tables; row-level security applies to it.")
