"""API calls counted per token in the database

The API's rate limit per token (TRACKER_API_RATE) is counted where every app server sees
the same numbers: a row per token and window of the limit, raised by each call and
replaced when the next window opens (tracker/accounts/api_rate.py).

Revision ID: c82fb49a77a5
Revises: 01829ba399fd
Create Date: 2026-12-03 11:47:17.858048

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c82fb49a77a5'
down_revision = '01829ba399fd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_call_count',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('window_number', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_call_count_token_id_api_token'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'window_number', name=op.f('pk_api_call_count'))
    )


def downgrade():
    op.drop_table('api_call_count')
