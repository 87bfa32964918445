"""Login attempts counted in the database, shared by every app server

The login throttle counted attempts in each worker process (memory://), so three gunicorn
workers let through three times the limit, and it refused a username outright after five
failures from anywhere. Its attempts now live in this table, which every worker and server
shares: one row per attempt let through the address limit, with the address, the username
tried, the client (a known browser or the address) and the outcome. The app deletes rows
once no limit looks back that far, so the table holds minutes of attempts; nothing to copy.

Revision ID: c52cd340e34c
Revises: 3f6e2a1d9c07
Create Date: 2026-12-03 09:22:08.276174

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c52cd340e34c'
down_revision = '3f6e2a1d9c07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempt',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('client', sa.String(length=80), nullable=False),
    sa.Column('outcome', sa.Enum('unchecked', 'failure', 'cleared', 'success', name='outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_address_at', ['address', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempt_at'), ['at'], unique=False)
        batch_op.create_index('ix_login_attempt_username_at', ['username', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_username_at')
        batch_op.drop_index(batch_op.f('ix_login_attempt_at'))
        batch_op.drop_index('ix_login_attempt_address_at')

    op.drop_table('login_attempt')
