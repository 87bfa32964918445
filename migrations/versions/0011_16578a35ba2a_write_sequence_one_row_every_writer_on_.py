"""Write sequence: one row every writer on PostgreSQL raises

A writing request on PostgreSQL now reads and validates on a REPEATABLE READ snapshot
without the write lock, and asks for the lock only at its first write. It may write only if
no other writer committed since its snapshot began: every writer raises this row's number
under the lock, so a request whose snapshot is stale fails to raise it ("could not
serialize access") and runs again, taking the lock first (tracker/data/database.py). The
writers upsert the row, so a database whose row went missing still works; SQLite keeps the
table and its row at 0, as SQLite refuses a stale write by itself.

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
    op.execute("INSERT INTO write_sequence (id, n) VALUES (1, 0)")


def downgrade():
    op.drop_table('write_sequence')
