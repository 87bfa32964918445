"""Each party's position on a point gets a history: position_change

One row per step of a party's position on a negotiation point: the position it held from
``stated_on`` on (empty when it no longer held one), the meeting where it said so, and who
recorded it when. The points service appends one whenever a position changes; the status
report as of a past day reads the last step stated by then.

Existing positions get one step each, stated on the day their point was last changed (in
UTC: the deployment's calendar is the app's, not the database's), recorded then by nobody
known, at the position's own marking.

On PostgreSQL the new table gets the need-to-know policy of 0017, the same rule as
tracker/data/access.py for party positions: its own marking, and its point seen. The app's
role is granted the table by the schema's default privileges (``tracker db grant``).

Revision ID: 56deceec21b5
Revises: c597ec7a306b
Create Date: 2026-12-03 17:00:44.201033

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '56deceec21b5'
down_revision = 'c597ec7a306b'
branch_labels = None
depends_on = None

POLICY = 'tracker_need_to_know'
EVERYTHING = "(SELECT current_setting('tracker.everything', true)) = 'on'"
MARKINGS = "(SELECT string_to_array(current_setting('tracker.markings', true), ','))::integer[]"
READABLE = f"position_change.marking_id = ANY ({MARKINGS})"
# As party_position's (0017): under negotiation_point's own policy, a point the reader may
# not see does not exist.
RULE = (
    f"{READABLE} AND EXISTS (SELECT FROM negotiation_point "
    "WHERE negotiation_point.id = position_change.point_id)"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    op.create_table('position_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Text(), nullable=False),
    sa.Column('stated_on', sa.Date(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_position_change_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_position_change_party_id_party')),
    sa.ForeignKeyConstraint(['point_id'], ['negotiation_point.id'], name=op.f('fk_position_change_point_id_negotiation_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_position_change_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_change'))
    )
    with op.batch_alter_table('position_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_change_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_position_change_party_id'), ['party_id'], unique=False)
        batch_op.create_index('ix_position_change_point', ['point_id', 'party_id', 'stated_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_position_change_recorded_by_id'), ['recorded_by_id'], unique=False)

    # SQLite keeps UTC instants as naive text; PostgreSQL's are aware.
    day = (
        "CAST(negotiation_point.updated_at AT TIME ZONE 'UTC' AS date)"
        if _postgresql()
        else "date(negotiation_point.updated_at)"
    )
    op.execute(
        "INSERT INTO position_change "
        "(point_id, party_id, position, stated_on, meeting_id, recorded_at, recorded_by_id, "
        "marking_id) "
        f"SELECT party_position.point_id, party_position.party_id, party_position.position, "
        f"{day}, NULL, negotiation_point.updated_at, NULL, party_position.marking_id "
        "FROM party_position JOIN negotiation_point "
        "ON negotiation_point.id = party_position.point_id "
        "ORDER BY party_position.point_id, party_position.party_id"
    )

    if _postgresql():
        op.execute(
            f"CREATE POLICY {POLICY} ON position_change USING ({EVERYTHING} OR ({RULE})) "
            f"WITH CHECK ({EVERYTHING} OR {READABLE})"
        )
        op.execute("ALTER TABLE position_change ENABLE ROW LEVEL SECURITY")


def downgrade():
    # The policy goes with its table.
    with op.batch_alter_table('position_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_change_recorded_by_id'))
        batch_op.drop_index('ix_position_change_point')
        batch_op.drop_index(batch_op.f('ix_position_change_party_id'))
        batch_op.drop_index(batch_op.f('ix_position_change_meeting_id'))

    op.drop_table('position_change')
