"""Row-level security on PostgreSQL: the need-to-know rule as a second line of defence

The app narrows every ORM query to what its reader may see (tracker/data/access.py). On
PostgreSQL the same rule is also the tables' row-level security policy, read from settings
the app makes for each transaction (tracker/data/row_security.py):

- ``tracker.everything`` = ``on``: every row (the command line, scripts);
- ``tracker.markings``: the marking ids the reader may read, comma-separated;
- ``tracker.agreements``: the need-to-know agreements whose access list holds the reader.

An unset setting means nothing: a connection that never said who it reads for sees no
marked row. One policy per table, for reading and writing: a row may be changed only by a
reader who sees it, and only to a marking they may read. The audit trail is
written by the app for whoever changed something, whatever they may read (a login, an
agreement deleted in the same flush): a policy for reading it, one that lets any entry be
added, and one that lets an entry the reader sees have its marking raised with its record's
(its trigger refuses any other change, and nothing may delete one). Records under an agreement (or a point, or a meeting) ask whether their
parent row exists: that read is itself under the parent table's policy, so the rule is
written once per table, as in access.py.

Row-level security is ENABLEd, not FORCEd: the tables' owner, who runs the migrations and
the backups, is not subject to it, and neither is a superuser or a role with BYPASSRLS. The
app must connect as another role (README, "PostgreSQL roles and row-level security"). The
functions the triggers run to keep each agreement's activity dates (0005) must see every
row whoever wrote, so they now run as their owner (SECURITY DEFINER, with the search path
they were made with), and only triggers may call the one that recomputes an agreement.

SQLite has no row-level security: nothing to do there.

Revision ID: dec87ca5d384
Revises: 5b1e0c7d2a94
Create Date: 2026-12-03 14:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'dec87ca5d384'
down_revision = '5b1e0c7d2a94'
branch_labels = None
depends_on = None

POLICY = 'tracker_need_to_know'
# The audit trail's policies for adding entries and raising their marking.
AUDIT_WRITES = {'tracker_audit_added': 'INSERT', 'tracker_audit_raised': 'UPDATE'}

# Each setting read once per statement (a sub-select becomes an InitPlan), not per row.
EVERYTHING = "(SELECT current_setting('tracker.everything', true)) = 'on'"


def _ids(setting: str) -> str:
    return f"(SELECT string_to_array(current_setting('{setting}', true), ','))::integer[]"


def _readable(table: str) -> str:
    return f"{table}.marking_id = ANY ({_ids('tracker.markings')})"


def _exists(parent: str, column: str) -> str:
    # Under ``parent``'s own policy: a parent the reader may not see does not exist.
    return f"EXISTS (SELECT FROM {parent} WHERE {parent}.id = {column})"


def _under_agreement(table: str) -> str:
    return f"{_readable(table)} AND {_exists('agreement', f'{table}.agreement_id')}"


# What a reader sees of each table (besides everything, for the command line).
RULES = {
    'agreement': (
        f"{_readable('agreement')} AND (NOT agreement.need_to_know "
        f"OR agreement.id = ANY ({_ids('tracker.agreements')}))"
    ),
    'meeting': _readable('meeting'),
    'status_change': _under_agreement('status_change'),
    'negotiation_point': _under_agreement('negotiation_point'),
    'action_item': _under_agreement('action_item'),
    'agenda_item': (
        f"{_under_agreement('agenda_item')} AND {_exists('meeting', 'agenda_item.meeting_id')}"
    ),
    'party_position': (
        f"{_readable('party_position')} AND "
        f"{_exists('negotiation_point', 'party_position.point_id')}"
    ),
    'agreement_party': _exists('agreement', 'agreement_party.agreement_id'),
    'agreement_access': _exists('agreement', 'agreement_access.agreement_id'),
    'audit_record': (
        f"{_readable('audit_record')} AND (audit_record.agreement_id IS NULL "
        f"OR {_exists('agreement', 'audit_record.agreement_id')})"
    ),
}

def _written(table: str) -> str:
    """What a reader may write into ``table``: a row at a marking they may read. Rows they
    may not see cannot be reached to change them (the reading policy); a change that takes a
    row out of their sight, such as putting an agreement on need-to-know without them on
    its list, is the app's to allow or refuse."""
    if table in ('agreement_party', 'agreement_access'):
        return 'true'  # no marking of their own: their agreement's reading policy guards them
    return f"{EVERYTHING} OR {_readable(table)}"


# The trigger functions of 0005 that read and write agreements for whoever changed a row.
ACTIVITY_FUNCTIONS = (
    'agreement_activity_refresh(integer)',
    'status_change_activity_insert()',
    'agenda_item_activity_insert()',
    'activity_row_changed()',
    'meeting_activity()',
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _postgresql():
        return
    for table, rule in RULES.items():
        seen = f"{EVERYTHING} OR ({rule})"
        if table == 'audit_record':
            op.execute(f"CREATE POLICY {POLICY} ON {table} FOR SELECT USING ({seen})")
            for name, command in AUDIT_WRITES.items():
                using = f" USING ({seen})" if command == 'UPDATE' else ''
                # An UPDATE's new row must pass the reading policy too: a raised entry is
                # one its reader still sees.
                op.execute(
                    f"CREATE POLICY {name} ON {table} FOR {command}{using} WITH CHECK (true)"
                )
        else:
            op.execute(
                f"CREATE POLICY {POLICY} ON {table} USING ({seen}) WITH CHECK ({_written(table)})"
            )
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for function in ACTIVITY_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SECURITY DEFINER SET search_path FROM CURRENT")
    op.execute("REVOKE EXECUTE ON FUNCTION agreement_activity_refresh(integer) FROM PUBLIC")


def downgrade():
    if not _postgresql():
        return
    op.execute("GRANT EXECUTE ON FUNCTION agreement_activity_refresh(integer) TO PUBLIC")
    for function in ACTIVITY_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SECURITY INVOKER RESET search_path")
    for table in RULES:
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        if table == 'audit_record':
            for name in AUDIT_WRITES:
                op.execute(f"DROP POLICY {name} ON {table}")
        op.execute(f"DROP POLICY {POLICY} ON {table}")
