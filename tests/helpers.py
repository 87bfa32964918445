"""Helpers shared by the tests."""

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser

import sqlalchemy as sa

from tests import shared_compiling
from tracker import create_app
from tracker.extensions import db

PASSWORD = "correct horse battery"


def postgres_app_role() -> str:
    """The role the tests' apps connect to PostgreSQL as: it does not own the tables, so
    their row-level security binds it (README, "PostgreSQL roles and row-level security")."""
    return f"{sa.make_url(os.environ['TRACKER_TEST_POSTGRES_URL']).username}_app"


def owner_url(database_url: str) -> str | None:
    """The tables' owner's URL for an app connecting as the app role, else None."""
    owner = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    url = sa.make_url(database_url)
    if not owner or url.get_backend_name() != "postgresql":
        return None
    if url.username != postgres_app_role():
        return None
    owner = sa.make_url(owner)
    return url.set(username=owner.username, password=owner.password).render_as_string(
        hide_password=False
    )


def make_test_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        # Migrations (and backups) as the tables' owner when the app is not.
        "DATABASE_OWNER_URL": owner_url(database_url) or "",
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # Throttling tests switch it on; elsewhere many logins from one address are normal.
        "RATELIMIT_ENABLED": False,
        # Where the test client's requests go.
        "BASE_URL": "http://localhost",
    }
    config.update(overrides)
    app = create_app(config)
    shared_compiling.share_templates(app)
    return app


def loaded_from(record, prefix: str = "") -> dict[str, str]:
    """The hidden fields of a form loaded from ``record`` as it is now (tracker/web/conflicts.py);
    ``prefix`` names a section of a form with several, such as ``agreements-0-``."""
    return {f"{prefix}version": str(record.version), f"{prefix}seen_change": "0"}


def log_in(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


@contextmanager
def extra_app(database_url: str, **overrides):
    """A second app on the same database; its connections are closed afterwards."""
    app = make_test_app(database_url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():  # the owner's too (DATABASE_OWNER_URL)
                engine.dispose()


# Bookkeeping columns that change without anyone editing a record (logging in, sessions).
SNAPSHOT_IGNORED_COLUMNS = frozenset(
    {("user", "last_login_at"), ("user", "session_version"), ("api_token", "last_used_at")}
)
# The write lock's sequence, raised by every writer (noting a token's use too); a real write
# shows in its own table. The API's calls counted per token (its rate limit), every call.
SNAPSHOT_IGNORED_TABLES = frozenset({"write_sequence", "api_call_count"})


def _snapshot_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if (table.name, c.name) not in SNAPSHOT_IGNORED_COLUMNS]


def _snapshot_tables() -> list[sa.Table]:
    return [t for t in db.metadata.sorted_tables if t.name not in SNAPSHOT_IGNORED_TABLES]


def db_snapshot(engine) -> dict[str, tuple[int, str]]:
    """``{table: (row count, hash of its contents)}`` for every table, read on a connection of
    its own so it sees what other sessions committed. Equal snapshots mean nothing was written
    (the audit trail included: a refused change must not be recorded either)."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            return _server_snapshot(connection)
        # The values as stored, read by the driver (converting each to Python's types took
        # most of the time; a stored value that changed is a different raw value too).
        snapshot = {}
        quote = connection.dialect.identifier_preparer.quote
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            for table in _snapshot_tables():
                row = ", ".join(quote(c.name) for c in _snapshot_columns(table))
                key = ", ".join(quote(c.name) for c in table.primary_key.columns)
                cursor.execute(f"SELECT {row} FROM {quote(table.name)} ORDER BY {key}")
                rows = cursor.fetchall()
                digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
                snapshot[table.name] = (len(rows), digest)
        finally:
            cursor.close()
        return snapshot


def _server_snapshot(connection) -> dict[str, tuple[int, str]]:
    """The snapshot worked out by PostgreSQL in one statement: each row's text (which tells
    NULL from empty, and every value's type apart) in key order, hashed with md5. Reading every
    row of every table into Python took the fuzzer a third of its time."""
    quote = connection.dialect.identifier_preparer.quote
    parts = []
    for table in _snapshot_tables():
        row = ", ".join(quote(c.name) for c in _snapshot_columns(table))
        key = ", ".join(quote(c.name) for c in table.primary_key.columns)
        parts.append(
            f"SELECT '{table.name}', count(*), "
            f"md5(coalesce(string_agg(ROW({row})::text, E'\\n' ORDER BY {key}), ''))"
            f" FROM {quote(table.name)}"
        )
    # Row-level security's policies make the planner think the statement costly enough to
    # compile to machine code first (half a second; the tables hold a few rows).
    connection.exec_driver_sql("SET LOCAL jit = off")
    rows = connection.execute(sa.text(" UNION ALL ".join(parts)))
    return {name: (count, digest[:16]) for name, count, digest in rows}


def snapshot_difference(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ between two snapshots, with their row counts."""
    return [
        f"{name}: {before[name][0]} rows -> {after[name][0]} rows"
        + ("" if before[name][0] != after[name][0] else " (contents changed)")
        for name in before
        if before[name] != after[name]
    ]


# --- reading pages as a browser does ---------------------------------------------------------


@dataclass
class PageForm:
    """A form of a page: where it goes, and what a browser would send for it as it stands."""

    action: str
    method: str
    data: dict[str, list[str]] = field(default_factory=dict)
    # Names a person fills in or picks (not hidden inputs): ``emptied`` leaves them out.
    visible: set[str] = field(default_factory=set)

    def emptied(self) -> dict[str, list[str]]:
        """The form sent with every field left empty and every choice unmade; hidden values
        (the CSRF token, the version it was loaded from) as they are."""
        return {
            name: ([""] if name in self.visible else values) for name, values in self.data.items()
        } | {name: [""] for name in self.visible if name not in self.data}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[PageForm] = []
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def _add(self, name: str, value: str) -> None:
        self.forms[-1].data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append(PageForm(attrs.get("action") or "", method))
        elif not self.forms or "name" not in attrs and tag != "option":
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind != "hidden":
                self.forms[-1].visible.add(attrs["name"])
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value") or ("y" if kind == "checkbox" else ""))
        elif tag == "select":
            self.forms[-1].visible.add(attrs["name"])
            self._select = (attrs["name"], "multiple" in attrs, [], [])
        elif tag == "option" and self._select is not None:
            self._select[2].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select[3].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.forms[-1].visible.add(attrs["name"])
            self._textarea = (attrs["name"], [])

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            for value in selected if multiple else (selected or options)[:1]:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            # Browsers drop the newline that starts a textarea's content.
            self._add(name, "".join(parts).removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)


def page_forms(html: str) -> list[PageForm]:
    """Every form of a page, in order."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms
