"""Write sequence: one row every writer on PostgreSQL raises

A writing request on PostgreSQL now reads and validates on a REPEATABLE READ snapshot
without the write lock, and asks for the lock only at its first write. It may write only if
no other writer committed since its snapshot began: every writer raises this row's number
under the lock, so a request whose snapshot is stale fails to raise it ("could not
serialize access") and runs again, taking the lock first (tracker/data/database.py). The
first writer makes the row (writers upsert it), so the table starts empty and nothing needs
copying; on SQLite it stays empty, as SQLite refuses a stale write by itself.

Revision ID: 16578a35ba2a
Revises: c52cd340e34c
Create Date: 2026-12-03 10:34:01.931917

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '16578a35ba2a'
down_revision = 'c52cd340e34c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('write_sequence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_write_sequence'))
    )


def downgrade():
    op.drop_table('write_sequence')
