"""Meeting list: search its title, city and setting in the index

The list of active meetings by date is served by a partial index of (starts_at, id). Its
search tests title, city and setting (the minutes go through the full-text index), so a
search with few matches read every meeting row, minutes and all: about a second at
250,000 meetings. With those three columns in the index the rows are read only for the
matches (150 ms for a search that matches nothing). Index only; no table is copied.

Revision ID: 3f6e2a1d9c07
Revises: c9d44a584694
Create Date: 2026-11-25 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6e2a1d9c07'
down_revision = 'c9d44a584694'
branch_labels = None
depends_on = None

ACTIVE = {
    "sqlite_where": sa.text("archived_at IS NULL"),
    "postgresql_where": sa.text("archived_at IS NULL"),
}


def upgrade():
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_meeting_list_starts_at', **ACTIVE)
        batch_op.create_index('ix_meeting_list_starts_at', ['starts_at', 'id', 'title', 'city', 'setting'], unique=False, **ACTIVE)


def downgrade():
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_meeting_list_starts_at', **ACTIVE)
        batch_op.create_index('ix_meeting_list_starts_at', ['starts_at', 'id'], unique=False, **ACTIVE)
