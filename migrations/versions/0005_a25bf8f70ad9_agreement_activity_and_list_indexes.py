"""Agreement activity dates kept by triggers; indexes for the lists

The agreement's columns are added and dropped with plain ALTER TABLE (no copy of the
table, which would drop its triggers and, with foreign keys on, run ON DELETE actions).

Each agreement carries the date of its last status change, the start of its last meeting
(archived meetings aside) and the later of the two as its last activity. Triggers on
status_change, agenda_item and meeting keep them right whoever writes (the app, bulk
loads, the SQL console), so the list can sort by activity through an index instead of
computing it for every agreement. Composite indexes serve the lists' filters and orders.

Revision ID: a25bf8f70ad9
Revises: 8b947bcf9443
Create Date: 2026-11-25 15:59:19.319857

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a25bf8f70ad9'
down_revision = '8b947bcf9443'
branch_labels = None
depends_on = None


# Partial indexes for lists of records not archived.
ACTIVE = {
    "sqlite_where": sa.text("archived_at IS NULL"),
    "postgresql_where": sa.text("archived_at IS NULL"),
}
# Recomputed from scratch: after a delete or an update, and when filling existing rows.
STATUS_CHANGED_ON = (
    "(SELECT max(effective_on) FROM status_change WHERE status_change.agreement_id = agreement.id)"
)
LAST_MEETING_AT = (
    "(SELECT max(meeting.starts_at) FROM agenda_item "
    "JOIN meeting ON meeting.id = agenda_item.meeting_id "
    "WHERE agenda_item.agreement_id = agreement.id AND meeting.archived_at IS NULL)"
)
FILL = f"UPDATE agreement SET status_changed_on = {STATUS_CHANGED_ON}, last_meeting_at = {LAST_MEETING_AT}"
# SQLite's two-argument max() is NULL when either is; PostgreSQL's greatest() skips NULLs.
SQLITE_ACTIVITY = (
    "CASE WHEN last_meeting_at IS NULL THEN status_changed_on "
    "WHEN status_changed_on IS NULL THEN date(last_meeting_at) "
    "ELSE max(status_changed_on, date(last_meeting_at)) END"
)
POSTGRESQL_ACTIVITY = "greatest(status_changed_on, (last_meeting_at AT TIME ZONE 'UTC')::date)"


def _fill_activity() -> str:
    activity = POSTGRESQL_ACTIVITY if op.get_bind().dialect.name == "postgresql" else SQLITE_ACTIVITY
    return f"UPDATE agreement SET last_activity_on = {activity}"


def _sqlite_refresh(agreements: str) -> str:
    """Statements recomputing the three dates of the agreements selected by ``agreements``."""
    return (
        f"UPDATE agreement SET status_changed_on = {STATUS_CHANGED_ON}, "
        f"last_meeting_at = {LAST_MEETING_AT} WHERE id IN ({agreements}); "
        f"UPDATE agreement SET last_activity_on = {SQLITE_ACTIVITY} WHERE id IN ({agreements});"
    )


SQLITE_TRIGGERS = (
    "status_change_activity_insert",
    "status_change_activity_update",
    "status_change_activity_delete",
    "agenda_item_activity_insert",
    "agenda_item_activity_update",
    "agenda_item_activity_delete",
    "meeting_activity_update",
)
# A new row can only move the dates forward: cheap enough for bulk loads.
SQLITE = (
    "CREATE TRIGGER status_change_activity_insert AFTER INSERT ON status_change BEGIN "
    "UPDATE agreement SET "
    "status_changed_on = max(coalesce(status_changed_on, NEW.effective_on), NEW.effective_on), "
    "last_activity_on = max(coalesce(last_activity_on, NEW.effective_on), NEW.effective_on) "
    "WHERE id = NEW.agreement_id; END",
    "CREATE TRIGGER status_change_activity_update "
    "AFTER UPDATE OF agreement_id, effective_on ON status_change BEGIN "
    + _sqlite_refresh("OLD.agreement_id, NEW.agreement_id")
    + " END",
    "CREATE TRIGGER status_change_activity_delete AFTER DELETE ON status_change BEGIN "
    + _sqlite_refresh("OLD.agreement_id")
    + " END",
    "CREATE TRIGGER agenda_item_activity_insert AFTER INSERT ON agenda_item "
    "WHEN (SELECT archived_at IS NULL FROM meeting WHERE id = NEW.meeting_id) BEGIN "
    "UPDATE agreement SET last_meeting_at = max(coalesce(last_meeting_at, m.starts_at), m.starts_at), "
    "last_activity_on = max(coalesce(last_activity_on, date(m.starts_at)), date(m.starts_at)) "
    "FROM (SELECT starts_at FROM meeting WHERE id = NEW.meeting_id) AS m "
    "WHERE agreement.id = NEW.agreement_id; END",
    "CREATE TRIGGER agenda_item_activity_update "
    "AFTER UPDATE OF agreement_id, meeting_id ON agenda_item BEGIN "
    + _sqlite_refresh("OLD.agreement_id, NEW.agreement_id")
    + " END",
    "CREATE TRIGGER agenda_item_activity_delete AFTER DELETE ON agenda_item BEGIN "
    + _sqlite_refresh("OLD.agreement_id")
    + " END",
    "CREATE TRIGGER meeting_activity_update AFTER UPDATE OF starts_at, archived_at ON meeting "
    "BEGIN "
    + _sqlite_refresh("SELECT agreement_id FROM agenda_item WHERE meeting_id = NEW.id")
    + " END",
)
POSTGRESQL = (
    f"""CREATE FUNCTION agreement_activity_refresh(target integer) RETURNS void
    LANGUAGE sql AS $$
    UPDATE agreement SET status_changed_on = {STATUS_CHANGED_ON},
        last_meeting_at = {LAST_MEETING_AT}
    WHERE id = target;
    UPDATE agreement SET last_activity_on = {POSTGRESQL_ACTIVITY} WHERE id = target;
    $$""",
    # Inserts are handled once per statement, over all the new rows (a bulk load or a
    # COPY updates each agreement once); updates and deletes row by row, recomputing.
    """CREATE FUNCTION status_change_activity_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE agreement SET
            status_changed_on = greatest(agreement.status_changed_on, added.day),
            last_activity_on = greatest(agreement.last_activity_on, added.day)
        FROM (SELECT agreement_id, max(effective_on) AS day FROM new_rows GROUP BY agreement_id)
            AS added
        WHERE agreement.id = added.agreement_id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER status_change_activity_insert AFTER INSERT ON status_change "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION status_change_activity_insert()",
    """CREATE FUNCTION agenda_item_activity_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE agreement SET
            last_meeting_at = greatest(agreement.last_meeting_at, added.starts_at),
            last_activity_on = greatest(
                agreement.last_activity_on, (added.starts_at AT TIME ZONE 'UTC')::date)
        FROM (
            SELECT new_rows.agreement_id, max(meeting.starts_at) AS starts_at
            FROM new_rows JOIN meeting ON meeting.id = new_rows.meeting_id
            WHERE meeting.archived_at IS NULL
            GROUP BY new_rows.agreement_id
        ) AS added
        WHERE agreement.id = added.agreement_id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER agenda_item_activity_insert AFTER INSERT ON agenda_item "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION agenda_item_activity_insert()",
    # Changes and removals, for either table: recompute the agreements they touched.
    """CREATE FUNCTION activity_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreement_activity_refresh(OLD.agreement_id);
        IF TG_OP = 'UPDATE' AND NEW.agreement_id != OLD.agreement_id THEN
            PERFORM agreement_activity_refresh(NEW.agreement_id);
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER status_change_activity "
    "AFTER DELETE OR UPDATE OF agreement_id, effective_on ON status_change "
    "FOR EACH ROW EXECUTE FUNCTION activity_row_changed()",
    "CREATE TRIGGER agenda_item_activity "
    "AFTER DELETE OR UPDATE OF agreement_id, meeting_id ON agenda_item "
    "FOR EACH ROW EXECUTE FUNCTION activity_row_changed()",
    """CREATE FUNCTION meeting_activity() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM agreement_activity_refresh(agreement_id)
        FROM agenda_item WHERE meeting_id = NEW.id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER meeting_activity AFTER UPDATE OF starts_at, archived_at ON meeting "
    "FOR EACH ROW EXECUTE FUNCTION meeting_activity()",
)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index('ix_action_item_open', ['done', 'due_on', 'id'], unique=False)

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_agreement_id'))
        batch_op.create_index('ix_agenda_item_agreement_id', ['agreement_id', 'meeting_id'], unique=False)

    with op.batch_alter_table('agreement', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('status_changed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_meeting_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_activity_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_agreement_list_activity', ['last_activity_on', 'title', 'id'], unique=False, **ACTIVE)
        batch_op.create_index('ix_agreement_list_category', ['category', 'title', 'id'], unique=False, **ACTIVE)
        batch_op.create_index('ix_agreement_list_status', ['status', 'title', 'id'], unique=False, **ACTIVE)
        batch_op.create_index('ix_agreement_list_title', ['title', 'id'], unique=False, **ACTIVE)

    with op.batch_alter_table('agreement_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_party_party_id'))
        batch_op.create_index('ix_agreement_party_party_id', ['party_id', 'agreement_id'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_starts_at'))
        batch_op.create_index('ix_meeting_list_starts_at', ['starts_at', 'id'], unique=False, **ACTIVE)

    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_change_agreement_id'))
        batch_op.create_index('ix_status_change_agreement_id', ['agreement_id', 'effective_on'], unique=False)

    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL:
            op.execute(statement)
    else:
        for statement in SQLITE:
            op.execute(statement)
    op.execute(FILL)
    op.execute(_fill_activity())


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("status_change", "agenda_item", "meeting"):
            op.execute(f"DROP TRIGGER {table}_activity ON {table}")
        for table in ("status_change", "agenda_item"):
            op.execute(f"DROP TRIGGER {table}_activity_insert ON {table}")
            op.execute(f"DROP FUNCTION {table}_activity_insert()")
        op.execute("DROP FUNCTION activity_row_changed()")
        op.execute("DROP FUNCTION meeting_activity()")
        op.execute("DROP FUNCTION agreement_activity_refresh(integer)")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_status_change_agreement_id')
        batch_op.create_index(batch_op.f('ix_status_change_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_list_starts_at')
        batch_op.create_index(batch_op.f('ix_meeting_starts_at'), ['starts_at'], unique=False)

    with op.batch_alter_table('agreement_party', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_party_party_id')
        batch_op.create_index(batch_op.f('ix_agreement_party_party_id'), ['party_id'], unique=False)

    with op.batch_alter_table('agreement', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_agreement_list_title')
        batch_op.drop_index('ix_agreement_list_status')
        batch_op.drop_index('ix_agreement_list_category')
        batch_op.drop_index('ix_agreement_list_activity')
        batch_op.drop_column('last_activity_on')
        batch_op.drop_column('last_meeting_at')
        batch_op.drop_column('status_changed_on')

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_agreement_id')
        batch_op.create_index(batch_op.f('ix_agenda_item_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index('ix_action_item_open')

    # ### end Alembic commands ###
