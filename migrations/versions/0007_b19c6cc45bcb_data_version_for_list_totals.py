"""Data version for list totals

One row whose number triggers raise on every insert, update and delete of the tables the
lists count, search and offer as filters (agreements, their parties, meetings, agenda
items, points, parties), so a list can reuse a total counted at the same version instead
of counting 250,000 rows on every view. The triggers upsert: if the row is ever removed, the next change recreates it.

Revision ID: b19c6cc45bcb
Revises: 5e1f0c3a9b7d
Create Date: 2026-11-25 16:23:22.556275

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b19c6cc45bcb'
down_revision = '5e1f0c3a9b7d'
branch_labels = None
depends_on = None

TABLES = (
    "agreement", "agreement_party", "meeting", "agenda_item", "negotiation_point", "party"
)
BUMP = (
    "INSERT INTO data_version (id, n) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET n = data_version.n + 1"
)


def upgrade():
    op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.execute("INSERT INTO data_version (id, n) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            # Once per statement, truncations included.
            op.execute(
                f"CREATE TRIGGER {table}_data_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()"
            )
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_data_version_{event.lower()} AFTER {event} "
                    f"ON {table} BEGIN {BUMP}; END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
        op.execute("DROP FUNCTION data_version_bump()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_data_version_{event}")
    op.drop_table('data_version')
