"""Portfolio export: an agreement's open points and overdue actions counted from indexes

Each portfolio row counts the agreement's open points and its open actions past their due
date. Through the indexes on agreement_id alone every point and action item was read to
test it; indexes on (agreement_id, status) and (agreement_id, done, due_on) answer the
counts by themselves, which the full CSV export does 250,000 times.

Revision ID: 2b8c4e6f1a93
Revises: 7d3e51a0c2b4
Create Date: 2026-12-03 14:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '2b8c4e6f1a93'
down_revision = '7d3e51a0c2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_action_item_agreement_open", "action_item", ["agreement_id", "done", "due_on"]
    )
    op.create_index(
        "ix_negotiation_point_agreement_status", "negotiation_point", ["agreement_id", "status"]
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ).first():
        op.execute("ANALYZE action_item")
        op.execute("ANALYZE negotiation_point")


def downgrade():
    op.drop_index("ix_negotiation_point_agreement_status", table_name="negotiation_point")
    op.drop_index("ix_action_item_agreement_open", table_name="action_item")
