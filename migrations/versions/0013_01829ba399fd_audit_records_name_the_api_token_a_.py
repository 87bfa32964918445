"""Audit records name the API token a change came through

A change made through the JSON API is recorded with its user, as every change, and with the
name the token had then ("Ann via token 'Briefing tool'"); None for the pages and the
command line. A plain ADD/DROP COLUMN on both databases: on SQLite a batch rebuild of the
table would drop its append-only triggers.

Revision ID: 01829ba399fd
Revises: 3f585bc10698
Create Date: 2026-12-03 11:44:54.200867

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '01829ba399fd'
down_revision = '3f585bc10698'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_record', sa.Column('token_name', sa.String(length=80), nullable=True))


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 or later) keeps the table and its triggers.
    op.execute("ALTER TABLE audit_record DROP COLUMN token_name")
