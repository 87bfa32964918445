"""The access log names records keyed by two ids

A party's position on a point (point, party) and an agreement's outcome at a meeting
(meeting, agreement) have no id of their own: the log keeps the first in ``record_id`` and
the second in ``part_id`` (null for every other record).

Revision ID: 5b1e0c7d2a94
Revises: fe992e1e726e
Create Date: 2026-12-03 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a94'
down_revision = 'fe992e1e726e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('part_id')
