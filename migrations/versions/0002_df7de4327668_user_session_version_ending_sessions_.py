"""User session version: ending sessions for real

Every user's login id becomes "id:session_version"; raising the version (password change,
logout, deactivation) makes the sessions that carry the old one stop working. Existing rows
start at 1, so the sessions open before this revision end once, at upgrade.

Revision ID: df7de4327668
Revises: e9ab439a4770
Create Date: 2026-11-25 14:34:52.484280

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df7de4327668'
down_revision = 'e9ab439a4770'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default=sa.text('1'), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
