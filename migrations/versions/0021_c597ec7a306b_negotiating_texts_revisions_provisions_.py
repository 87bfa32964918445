"""Negotiating texts: texts, revisions, provisions, segments, alternatives and notes

An agreement's texts, issued in revisions; each provision keeps one identity across
revisions (``provision``) and stands in each revision as a ``provision_revision`` whose
wording is segments: agreed text or brackets of alternatives, each alternative the form one
``proposal`` takes in that revision, with the parties' stances. Footnotes and reservations
(``text_note``) are part of the shared text; ``internal_note`` is our side's only. Points
name the provisions they concern (``point_provision``).

On PostgreSQL each new table gets the need-to-know policy of 0017, the same rule as
tracker/data/access.py: revisions, alternatives and notes are marked; the rest is seen with
the revision, text or agreement it belongs to.

Revision ID: c597ec7a306b
Revises: 2b8c4e6f1a93
Create Date: 2026-12-03 17:00:02.517704

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c597ec7a306b'
down_revision = '2b8c4e6f1a93'
branch_labels = None
depends_on = None


POLICY = 'tracker_need_to_know'
EVERYTHING = "(SELECT current_setting('tracker.everything', true)) = 'on'"


def _readable(table):
    markings = "(SELECT string_to_array(current_setting('tracker.markings', true), ','))::integer[]"
    return f"{table}.marking_id = ANY ({markings})"


def _exists(parent, column):
    # Under ``parent``'s own policy: a parent the reader may not see does not exist.
    return f"EXISTS (SELECT FROM {parent} WHERE {parent}.id = {column})"


RULES = {
    'negotiating_text': (
        f"{_readable('negotiating_text')} AND "
        f"{_exists('agreement', 'negotiating_text.agreement_id')}"
    ),
    'text_revision': (
        f"{_readable('text_revision')} AND "
        f"{_exists('negotiating_text', 'text_revision.text_id')}"
    ),
    'provision': _exists('negotiating_text', 'provision.text_id'),
    'proposal': _exists('agreement', 'proposal.agreement_id'),
    'provision_revision': _exists('text_revision', 'provision_revision.revision_id'),
    'text_segment': _exists('text_revision', 'text_segment.revision_id'),
    'text_alternative': (
        f"{_readable('text_alternative')} AND "
        f"{_exists('text_revision', 'text_alternative.revision_id')}"
    ),
    'alternative_stance': _exists('text_alternative', 'alternative_stance.alternative_id'),
    'text_note': (
        f"{_readable('text_note')} AND {_exists('text_revision', 'text_note.revision_id')} "
        f"AND (text_note.alternative_id IS NULL "
        f"OR {_exists('text_alternative', 'text_note.alternative_id')})"
    ),
    'internal_note': (
        f"{_readable('internal_note')} AND "
        f"{_exists('negotiating_text', 'internal_note.text_id')}"
    ),
    'point_provision': _exists('negotiation_point', 'point_provision.point_id'),
}
MARKED = ('negotiating_text', 'text_revision', 'text_alternative', 'text_note', 'internal_note')


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def _policies():
    for table, rule in RULES.items():
        written = f"{EVERYTHING} OR {_readable(table)}" if table in MARKED else 'true'
        op.execute(
            f"CREATE POLICY {POLICY} ON {table} USING ({EVERYTHING} OR ({rule})) "
            f"WITH CHECK ({written})"
        )
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def upgrade():
    op.create_table('negotiating_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('main', 'annex', 'arrangement', name='text_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_negotiating_text_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_negotiating_text')),
    sa.UniqueConstraint('agreement_id', 'title', name=op.f('uq_negotiating_text_agreement_id_title'))
    )
    with op.batch_alter_table('negotiating_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_negotiating_text_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('provision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('preamble', 'article', 'paragraph', 'subparagraph', 'annex_item', name='provision_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_provision_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['text_id'], ['negotiating_text.id'], name=op.f('fk_provision_text_id_negotiating_text'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provision'))
    )
    with op.batch_alter_table('provision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provision_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provision_text_id'), ['text_id'], unique=False)

    op.create_table('text_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('issued_by', sa.Enum('party', 'chair', 'joint', name='issued_by', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('issuing_party_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("(issued_by = 'party') = (issuing_party_id IS NOT NULL)", name=op.f('ck_text_revision_party_names_issuer')),
    sa.CheckConstraint('issued_at IS NULL OR issued_on IS NOT NULL', name=op.f('ck_text_revision_issued_dated')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_text_revision_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['based_on_id'], ['text_revision.id'], name=op.f('fk_text_revision_based_on_id_text_revision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issuing_party_id'], ['party.id'], name=op.f('fk_text_revision_issuing_party_id_party')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_text_revision_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['text_id'], ['negotiating_text.id'], name=op.f('fk_text_revision_text_id_negotiating_text'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_revision')),
    sa.UniqueConstraint('text_id', 'label', name=op.f('uq_text_revision_text_id_label'))
    )
    with op.batch_alter_table('text_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_revision_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_revision_based_on_id'), ['based_on_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_revision_issuing_party_id'), ['issuing_party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_revision_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_revision_text_id'), ['text_id'], unique=False)

    op.create_table('point_provision',
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('provision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['negotiation_point.id'], name=op.f('fk_point_provision_point_id_negotiation_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['provision.id'], name=op.f('fk_point_provision_provision_id_provision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('point_id', 'provision_id', name=op.f('pk_point_provision'))
    )
    with op.batch_alter_table('point_provision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_provision_provision_id'), ['provision_id'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provision_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('tabled_in_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_proposal_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['provision.id'], name=op.f('fk_proposal_provision_id_provision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tabled_in_id'], ['text_revision.id'], name=op.f('fk_proposal_tabled_in_id_text_revision'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_provision_id'), ['provision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_tabled_in_id'), ['tabled_in_id'], unique=False)

    op.create_table('provision_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('provision_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('heading', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('not_discussed', 'open', 'agreed_ad_ref', 'agreed', 'deleted', name='provision_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint('depth BETWEEN 0 AND 3', name=op.f('ck_provision_revision_depth_range')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_provision_revision_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['provision.id'], name=op.f('fk_provision_revision_provision_id_provision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['text_revision.id'], name=op.f('fk_provision_revision_revision_id_text_revision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provision_revision')),
    sa.UniqueConstraint('revision_id', 'provision_id', name=op.f('uq_provision_revision_revision_id_provision_id'))
    )
    with op.batch_alter_table('provision_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provision_revision_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_provision_revision_order', ['revision_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_provision_revision_provision_id'), ['provision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provision_revision_revision_id'), ['revision_id'], unique=False)

    op.create_table('internal_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('provision_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('note', 'fallback', 'instruction', name='internal_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_internal_note_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_internal_note_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_internal_note_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['provision.id'], name=op.f('fk_internal_note_provision_id_provision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['text_id'], ['negotiating_text.id'], name=op.f('fk_internal_note_text_id_negotiating_text'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internal_note'))
    )
    with op.batch_alter_table('internal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internal_note_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_internal_note_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_internal_note_provision_id'), ['provision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_internal_note_text_id'), ['text_id'], unique=False)

    op.create_table('text_segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provision_revision_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_bracket', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('won_proposal_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_text_segment_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_revision_id'], ['provision_revision.id'], name=op.f('fk_text_segment_provision_revision_id_provision_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['text_revision.id'], name=op.f('fk_text_segment_revision_id_text_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['won_proposal_id'], ['proposal.id'], name=op.f('fk_text_segment_won_proposal_id_proposal'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_segment'))
    )
    with op.batch_alter_table('text_segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_segment_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_text_segment_order', ['provision_revision_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_segment_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_segment_won_proposal_id'), ['won_proposal_id'], unique=False)

    op.create_table('text_alternative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_text_alternative_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_text_alternative_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['text_revision.id'], name=op.f('fk_text_alternative_revision_id_text_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['text_segment.id'], name=op.f('fk_text_alternative_segment_id_text_segment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_alternative'))
    )
    with op.batch_alter_table('text_alternative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_alternative_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_text_alternative_order', ['segment_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_alternative_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_alternative_revision_id'), ['revision_id'], unique=False)

    op.create_table('alternative_stance',
    sa.Column('alternative_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('proposes', 'supports', 'opposes', name='stance', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['alternative_id'], ['text_alternative.id'], name=op.f('fk_alternative_stance_alternative_id_text_alternative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_alternative_stance_party_id_party')),
    sa.PrimaryKeyConstraint('alternative_id', 'party_id', name=op.f('pk_alternative_stance'))
    )
    with op.batch_alter_table('alternative_stance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alternative_stance_party_id'), ['party_id'], unique=False)

    op.create_table('text_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provision_revision_id', sa.Integer(), nullable=False),
    sa.Column('alternative_id', sa.Integer(), nullable=True),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('footnote', 'reservation', name='note_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('marking_id', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_text_note_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['alternative_id'], ['text_alternative.id'], name=op.f('fk_text_note_alternative_id_text_alternative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_text_note_party_id_party')),
    sa.ForeignKeyConstraint(['provision_revision_id'], ['provision_revision.id'], name=op.f('fk_text_note_provision_revision_id_provision_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['text_revision.id'], name=op.f('fk_text_note_revision_id_text_revision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_note'))
    )
    with op.batch_alter_table('text_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_note_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_note_alternative_id'), ['alternative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_note_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_note_provision_revision_id'), ['provision_revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_note_revision_id'), ['revision_id'], unique=False)

    if _postgresql():
        _policies()


def downgrade():
    # The policies go with their tables.
    with op.batch_alter_table('text_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_note_revision_id'))
        batch_op.drop_index(batch_op.f('ix_text_note_provision_revision_id'))
        batch_op.drop_index(batch_op.f('ix_text_note_party_id'))
        batch_op.drop_index(batch_op.f('ix_text_note_alternative_id'))
        batch_op.drop_index(batch_op.f('ix_text_note_agreement_id'))

    op.drop_table('text_note')
    with op.batch_alter_table('alternative_stance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alternative_stance_party_id'))

    op.drop_table('alternative_stance')
    with op.batch_alter_table('text_alternative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_alternative_revision_id'))
        batch_op.drop_index(batch_op.f('ix_text_alternative_proposal_id'))
        batch_op.drop_index('ix_text_alternative_order')
        batch_op.drop_index(batch_op.f('ix_text_alternative_agreement_id'))

    op.drop_table('text_alternative')
    with op.batch_alter_table('text_segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_segment_won_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_text_segment_revision_id'))
        batch_op.drop_index('ix_text_segment_order')
        batch_op.drop_index(batch_op.f('ix_text_segment_agreement_id'))

    op.drop_table('text_segment')
    with op.batch_alter_table('internal_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_internal_note_text_id'))
        batch_op.drop_index(batch_op.f('ix_internal_note_provision_id'))
        batch_op.drop_index(batch_op.f('ix_internal_note_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_internal_note_agreement_id'))

    op.drop_table('internal_note')
    with op.batch_alter_table('provision_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provision_revision_revision_id'))
        batch_op.drop_index(batch_op.f('ix_provision_revision_provision_id'))
        batch_op.drop_index('ix_provision_revision_order')
        batch_op.drop_index(batch_op.f('ix_provision_revision_agreement_id'))

    op.drop_table('provision_revision')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_tabled_in_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_provision_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_agreement_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('point_provision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_provision_provision_id'))

    op.drop_table('point_provision')
    with op.batch_alter_table('text_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_revision_text_id'))
        batch_op.drop_index(batch_op.f('ix_text_revision_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_text_revision_issuing_party_id'))
        batch_op.drop_index(batch_op.f('ix_text_revision_based_on_id'))
        batch_op.drop_index(batch_op.f('ix_text_revision_agreement_id'))

    op.drop_table('text_revision')
    with op.batch_alter_table('provision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provision_text_id'))
        batch_op.drop_index(batch_op.f('ix_provision_agreement_id'))

    op.drop_table('provision')
    with op.batch_alter_table('negotiating_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_negotiating_text_agreement_id'))

    op.drop_table('negotiating_text')
