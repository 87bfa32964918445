"""Markings, clearances, need-to-know access lists and the access log

Every record staff mark (agreements, their status changes, points and positions, action
items, meetings and each agreement's outcome at one) points at a row of ``marking``: one
row per distinct marking, written once, never changed (tracker/models/marking.py). The
first row, id 1, is the lowest marking, which every existing record gets. No foreign key on
the records' ``marking_id``: SQLite could add one only by copying the tables, which would
drop their triggers. Users get a clearance, a party and caveats; agreements a need-to-know
flag and access lists (of users and named groups); audit entries the marking and agreement
of what they show; and reads of marked records go to the access log.

Revision ID: fe992e1e726e
Revises: c82fb49a77a5
Create Date: 2026-12-03 13:54:28.493795

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe992e1e726e'
down_revision = 'c82fb49a77a5'
branch_labels = None
depends_on = None

MARKED = (
    'agreement', 'status_change', 'meeting', 'agenda_item', 'negotiation_point',
    'party_position', 'action_item', 'audit_record',
)


def upgrade():

    op.create_table('access_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_group')),
    sa.UniqueConstraint('name', name=op.f('uq_access_group_name'))
    )
    op.create_table('marking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('caveats', sa.String(length=300), nullable=False),
    sa.Column('declassify_on', sa.Date(), nullable=True),
    sa.Column('downgrade_to', sa.Integer(), nullable=True),
    sa.CheckConstraint('(declassify_on IS NULL) = (downgrade_to IS NULL)', name=op.f('ck_marking_declassify_with_level')),
    sa.CheckConstraint('downgrade_to IS NULL OR downgrade_to < level', name=op.f('ck_marking_downgrade_lower')),
    sa.CheckConstraint('level >= 0', name=op.f('ck_marking_level_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marking')),
    sa.UniqueConstraint('key', name=op.f('uq_marking_key'))
    )
    op.create_table('marking_release',
    sa.Column('marking_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['marking_id'], ['marking.id'], name=op.f('fk_marking_release_marking_id_marking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_marking_release_party_id_party')),
    sa.PrimaryKeyConstraint('marking_id', 'party_id', name=op.f('pk_marking_release'))
    )
    with op.batch_alter_table('marking_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_marking_release_party_id'), ['party_id'], unique=False)

    op.create_table('access_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['access_group.id'], name=op.f('fk_access_group_member_group_id_access_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_access_group_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_access_group_member'))
    )
    with op.batch_alter_table('access_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_group_member_user_id'), ['user_id'], unique=False)

    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('read', 'refused', name='outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_access_log_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_access_log_record', ['record_type', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_user_id'), ['user_id'], unique=False)

    op.create_table('agreement_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) != (group_id IS NULL)', name=op.f('ck_agreement_access_user_or_group')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_access_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['access_group.id'], name=op.f('fk_agreement_access_group_id_access_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_agreement_access_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_access')),
    sa.UniqueConstraint('agreement_id', 'user_id', 'group_id', name=op.f('uq_agreement_access_agreement_id_user_id_group_id'))
    )
    with op.batch_alter_table('agreement_access', schema=None) as batch_op:
        batch_op.create_index('ix_agreement_access_group_id', ['group_id', 'agreement_id'], unique=False)
        batch_op.create_index('ix_agreement_access_user_id', ['user_id', 'agreement_id'], unique=False)

    op.execute("INSERT INTO marking (id, key, level, caveats) VALUES (1, '0', 0, '')")
    if op.get_bind().dialect.name == "postgresql":
        # The row above was given its id; the next one stored must not be given it again.
        op.execute("SELECT setval(pg_get_serial_sequence('marking', 'id'), 1)")
    for table in MARKED:
        with op.batch_alter_table(table, recreate='never') as batch_op:
            batch_op.add_column(
                sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False)
            )
    with op.batch_alter_table('agreement', recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('need_to_know', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('audit_record', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('agreement_id', sa.Integer(), nullable=True))
    # What the existing entries are about: the agreement of points, actions and the
    # agreement's own entries.
    op.execute(
        "UPDATE audit_record SET agreement_id = record_id WHERE record_type = 'agreement'"
    )
    op.execute(
        "UPDATE audit_record SET agreement_id = (SELECT agreement_id FROM negotiation_point p "
        "WHERE p.id = audit_record.record_id) WHERE record_type = 'point'"
    )
    op.execute(
        "UPDATE audit_record SET agreement_id = (SELECT agreement_id FROM action_item a "
        "WHERE a.id = audit_record.record_id) WHERE record_type = 'action'"
    )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clearance', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('party_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('caveats', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('security_officer', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_user_party_id_party'), 'party', ['party_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_party_id_party'), type_='foreignkey')
        batch_op.drop_column('security_officer')
        batch_op.drop_column('caveats')
        batch_op.drop_column('party_id')
        batch_op.drop_column('clearance')

    with op.batch_alter_table('audit_record', recreate='never') as batch_op:
        batch_op.drop_column('agreement_id')
    with op.batch_alter_table('agreement', recreate='never') as batch_op:
        batch_op.drop_column('need_to_know')
    for table in MARKED:
        with op.batch_alter_table(table, recreate='never') as batch_op:
            batch_op.drop_column('marking_id')

    with op.batch_alter_table('agreement_access', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_access_user_id')
        batch_op.drop_index('ix_agreement_access_group_id')

    op.drop_table('agreement_access')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_user_id'))
        batch_op.drop_index('ix_access_log_record')
        batch_op.drop_index(batch_op.f('ix_access_log_at'))

    op.drop_table('access_log')
    with op.batch_alter_table('access_group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_group_member_user_id'))

    op.drop_table('access_group_member')
    with op.batch_alter_table('marking_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_marking_release_party_id'))

    op.drop_table('marking_release')
    op.drop_table('marking')
    op.drop_table('access_group')
