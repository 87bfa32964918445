"""People raise the data version

A meeting's form offers every person not archived as a participant (600 at the benchmark's
scale) and keeps the list, drawn, until the data changes (tracker/data/cache.py). The data
version did not move when a person was added, renamed, moved to another party or archived,
so the list could have offered the old names: people now raise it, as the tables of the
"data version" migration do. Triggers only; no table is copied.

Revision ID: 7d2e5b8a1c43
Revises: 9b3f6a2e8c47
Create Date: 2026-12-04 00:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d2e5b8a1c43'
down_revision = '9b3f6a2e8c47'
branch_labels = None
depends_on = None

BUMP = (
    "INSERT INTO data_version (id, n) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET n = data_version.n + 1"
)
EVENTS = ("insert", "update", "delete")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # data_version_bump() comes from the "data version" migration.
        op.execute(
            "CREATE TRIGGER person_data_version "
            "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON person "
            "FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()"
        )
    else:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER person_data_version_{event} AFTER {event.upper()} "
                f"ON person BEGIN {BUMP}; END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER person_data_version ON person")
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER person_data_version_{event}")
