"""Record versions: a save from an out-of-date form is refused

Every record staff edit through forms gets a version, raised by each UPDATE; edit forms
carry the version they were loaded from. Existing rows start at 1.

The columns are added and dropped with plain ALTER TABLE, also on SQLite (3.35 or newer):
copying the tables, as batch mode otherwise does for a server default or a dropped column,
would drop the originals, and SQLite runs the ON DELETE actions of the rows that refer to
them (cascades, SET NULL) when a table is dropped with foreign keys on.

Revision ID: 8b947bcf9443
Revises: c4ba53544cd3
Create Date: 2026-11-25 15:53:19.152261

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b947bcf9443'
down_revision = 'c4ba53544cd3'
branch_labels = None
depends_on = None

TABLES = ('action_item', 'agreement', 'meeting', 'negotiation_point', 'party', 'person', 'user')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            # A plain string default: a SQL expression would make batch mode copy the table.
            batch_op.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_column('version')
