"""Audit trail: one append-only record per change

Revision ID: c4ba53544cd3
Revises: df7de4327668
Create Date: 2026-11-25 14:34:26.515274

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4ba53544cd3'
down_revision = 'df7de4327668'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('create', 'update', 'archive', 'restore', 'delete', 'status_change', name='action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_record_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_record'))
    )
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.create_index('ix_audit_record_record', ['record_type', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_record_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_record_user_id'), ['user_id'], unique=False)

    # Append-only, whatever the client: the database refuses to change or remove a record.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
            "FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_record_no_{verb.lower()} BEFORE {verb} ON audit_record "
                "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"
            )


def downgrade():
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_record_recorded_at'))
        batch_op.drop_index('ix_audit_record_record')

    op.drop_table('audit_record')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_record_append_only()")
