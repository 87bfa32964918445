"""Full-text search of agreements, meeting minutes and negotiation points

SQLite: FTS5 tables kept in sync by triggers. Agreements, meetings and points use external
content (the index refers to the row by id and stores no copy of the text); agenda items
have a two-column key, so their outcomes go to a contentless index whose rowid is
meeting_id << 32 | agreement_id. PostgreSQL: a generated tsvector column with a GIN index
on each table. Both stem English words. None of it is in the models' metadata: tracker.search
names these objects, and migrations/env.py leaves them out of `db check`.

Tables rebuilt by a later batch migration on SQLite lose their triggers: such a migration
must run this one's SQLITE_TRIGGERS for the table again.

Revision ID: 5e1f0c3a9b7d
Revises: a25bf8f70ad9
Create Date: 2026-11-25 16:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1f0c3a9b7d'
down_revision = 'a25bf8f70ad9'
branch_labels = None
depends_on = None

TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3'"
# Searchable tables: FTS table, key column, indexed columns.
EXTERNAL = {
    "agreement": ("agreement_search", ("title", "short_name", "summary")),
    "meeting": ("meeting_search", ("title", "summary")),
    "negotiation_point": ("negotiation_point_search", ("subject", "details")),
}
AGENDA_KEY = "(({row}.meeting_id << 32) | {row}.agreement_id)"


def _external_triggers(table: str, fts: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)

    def values(row: str) -> str:
        return ", ".join(f"{row}.{column}" for column in columns)

    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (NEW.id, {values('NEW')});"
    delete = (
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', OLD.id, {values('OLD')});"
    )
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def _agenda_triggers() -> list[str]:
    # Only outcomes with text are indexed; a contentless index must be told exactly what
    # it holds to delete it, so insert and delete test the same condition.
    insert = (
        "INSERT INTO agenda_item_search(rowid, outcome) "
        f"VALUES ({AGENDA_KEY.format(row='NEW')}, NEW.outcome);"
    )
    delete = (
        "INSERT INTO agenda_item_search(agenda_item_search, rowid, outcome) "
        f"VALUES ('delete', {AGENDA_KEY.format(row='OLD')}, OLD.outcome);"
    )
    return [
        "CREATE TRIGGER agenda_item_search_insert AFTER INSERT ON agenda_item "
        f"WHEN NEW.outcome != '' BEGIN {insert} END",
        "CREATE TRIGGER agenda_item_search_delete AFTER DELETE ON agenda_item "
        f"WHEN OLD.outcome != '' BEGIN {delete} END",
        "CREATE TRIGGER agenda_item_search_update_old "
        "AFTER UPDATE OF outcome, meeting_id, agreement_id ON agenda_item "
        f"WHEN OLD.outcome != '' BEGIN {delete} END",
        "CREATE TRIGGER agenda_item_search_update_new "
        "AFTER UPDATE OF outcome, meeting_id, agreement_id ON agenda_item "
        f"WHEN NEW.outcome != '' BEGIN {insert} END",
    ]


def _sqlite_upgrade() -> None:
    for table, (fts, columns) in EXTERNAL.items():
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, "
            f"content = '{table}', content_rowid = 'id', {TOKENIZE})"
        )
        for trigger in _external_triggers(table, fts, columns):
            op.execute(trigger)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    op.execute(f"CREATE VIRTUAL TABLE agenda_item_search USING fts5(outcome, content = '', {TOKENIZE})")
    for trigger in _agenda_triggers():
        op.execute(trigger)
    op.execute(
        "INSERT INTO agenda_item_search(rowid, outcome) "
        f"SELECT {AGENDA_KEY.format(row='agenda_item')}, outcome FROM agenda_item "
        "WHERE outcome != ''"
    )


# The text each PostgreSQL search vector is made of.
POSTGRESQL_TEXT = {
    "agreement": "coalesce(title, '') || ' ' || coalesce(short_name, '') || ' ' || summary",
    "meeting": "title || ' ' || summary",
    "agenda_item": "outcome",
    "negotiation_point": "subject || ' ' || details",
}


def _postgresql_upgrade() -> None:
    for table, text in POSTGRESQL_TEXT.items():
        # PostgreSQL's parser reads "<...>" as markup and skips what a <script> holds; this
        # is plain text, so angle brackets are just separators.
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            f"(to_tsvector('english'::regconfig, translate({text}, '<>', '  '))) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in POSTGRESQL_TEXT:
            op.execute(f"DROP INDEX ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        return
    for table, (fts, _columns) in EXTERNAL.items():
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {fts}_{event}")
        op.execute(f"DROP TABLE {fts}")
    for event in ("insert", "delete", "update_old", "update_new"):
        op.execute(f"DROP TRIGGER agenda_item_search_{event}")
    op.execute("DROP TABLE agenda_item_search")
