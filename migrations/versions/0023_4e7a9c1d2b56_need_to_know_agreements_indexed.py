"""Need-to-know agreements indexed: each request asks whether one leaves its reader off its list

A reader from whom nothing is hidden (every marking readable, on the list of every
need-to-know agreement) queries without the need-to-know criteria (tracker/data/access.py).
Whether a need-to-know agreement leaves them off its list is asked once a request; a partial
index of the need-to-know agreements answers it without reading the others (none, at most a
few thousand, among 250,000).

Revision ID: 4e7a9c1d2b56
Revises: 56deceec21b5
Create Date: 2026-12-03 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4e7a9c1d2b56'
down_revision = '56deceec21b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_agreement_need_to_know",
        "agreement",
        ["id"],
        sqlite_where=sa.text("need_to_know = 1"),
        postgresql_where=sa.text("need_to_know"),
    )


def downgrade():
    op.drop_index("ix_agreement_need_to_know", table_name="agreement")
