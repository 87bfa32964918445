"""Full-text search under row-level security: matching words through the owner's functions

PostgreSQL does not use a GIN index for ``search_vector @@ query`` on a table under a
row-level security policy: ``@@`` is not known to be leak-proof, so every row is first
checked against the policy and then matched, and a search over many rows slows from
milliseconds to seconds. These functions find the ids of the rows whose words match, as the
tables' owner (SECURITY DEFINER, with the search path they were made with), through the
indexes; the app then looks those ids up in the tables themselves, where its own filter and
the policies apply as to any query (tracker/data/search.py). They hand out ids, never text,
the same that SQLite's full-text tables give the app there.

SQLite: nothing to do.

Revision ID: 7c41d2e9a0b3
Revises: dec87ca5d384
Create Date: 2026-12-03 15:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c41d2e9a0b3'
down_revision = 'dec87ca5d384'
branch_labels = None
depends_on = None

FUNCTIONS = {
    'tracker_search_agreement(query tsquery)': (
        'SETOF integer', 'SELECT id FROM agreement WHERE search_vector @@ query'
    ),
    'tracker_search_meeting(query tsquery)': (
        'SETOF integer', 'SELECT id FROM meeting WHERE search_vector @@ query'
    ),
    'tracker_search_point(query tsquery)': (
        'SETOF integer', 'SELECT id FROM negotiation_point WHERE search_vector @@ query'
    ),
    'tracker_search_agenda_item(query tsquery)': (
        'TABLE (meeting_id integer, agreement_id integer)',
        'SELECT meeting_id, agreement_id FROM agenda_item WHERE search_vector @@ query',
    ),
}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _postgresql():
        return
    for signature, (returns, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE sql STABLE "
            f"SECURITY DEFINER SET search_path FROM CURRENT AS $$ {body} $$"
        )


def downgrade():
    if not _postgresql():
        return
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature.split('(')[0]}(tsquery)")
