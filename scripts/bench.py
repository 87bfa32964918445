"""Benchmark the main pages against a large synthetic collection: ``make bench``.

Builds (once, then reuses while the parameters match) a database of synthetic data in
``instance/bench.sqlite`` — never the instance's own database — and requests each page
through Flask's test client in this process, as a logged-in viewer, many times: p50 and p95
latency, SQL statements per request (counted with SQLAlchemy's cursor events), and the peak
memory of the streamed portfolio CSV (resident memory of a child process, sampled while it
streams the export). The same run measures a floor: a bare Flask app whose one route fetches the
list's first 50 rows with one raw SQL query and renders them with a minimal template; every
page's median is reported as a multiple of it. Each row of the agreements list has a floor
of its own: the same filter, order and page as one raw query (for a party or a search, the
faster of the two plain shapes: fetching the set's rows, or testing each row of the order's
index against the set). The table is printed and written, with the
machine and date, between the markers in docs/benchmarks.md.

Pages that do not exist yet in this version are reported as "not available".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import Flask, render_template_string
from werkzeug.exceptions import MethodNotAllowed, NotFound

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import create_app  # noqa: E402
from tracker.cli import synth  # noqa: E402
from tracker.data import access, search  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.gunicorn_conf import post_worker_init  # noqa: E402
from tracker.models import (  # noqa: E402
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Party,
    Person,
    Role,
    User,
)

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PAGE_SIZE = 50
FLOOR_PATH = "/floor"
# Seconds of timed requests per page; a page slower than that gets MIN_REPEAT requests.
PAGE_BUDGET = 60
MIN_REPEAT = 5
USERNAME = "bench.viewer"
# A viewer cleared at the lowest level: sees the tenth of the synthetic agreements there.
TENTH_USERNAME = "bench.tenth"
TOP = max(synth.LEVEL_BY_LAST_DIGIT)
EDITOR = "bench.editor"  # the edit forms' rows
FLOOR_SQL = (
    "SELECT id, title, short_name, status FROM agreement "
    "WHERE archived_at IS NULL ORDER BY title, id LIMIT 50"
)
FORM_FLOOR_TEMPLATE = """<!doctype html><title>Floor</title><form method="post">
{% for choices in lists %}<select name="s{{ loop.index }}">
{% for value, label in choices %}<option value="{{ value }}">{{ label }}</option>
{% endfor %}</select>{% endfor %}<button>Save</button></form>"""
FLOOR_TEMPLATE = """<!doctype html><title>Floor</title><table>
{% for id, title, short_name, status in rows %}<tr>
<td><a href="/agreements/{{ id }}">{{ title }}</a> ({{ short_name }})</td><td>{{ status }}</td>
</tr>{% endfor %}</table>"""
# A topic of the synthetic vocabulary: its words are in one title and one meeting title
# in 32, so it matches tens of thousands of agreements. The narrow search is a code name.
SEARCH_BROAD = "jet engine"
UNDER_NEGOTIATION = "status = 'under_negotiation'"
API = "/api/v1"
DEEP_ROW = 50_000  # the API's deep page starts after this many rows, reached by its cursors


@dataclass
class Page:
    name: str
    path: str
    # "list", "form", "agreement", "report", "pdf", "other", "csv", "api", "text" and
    # "docx" (a negotiating text's pages and its Word file), or "tenth": a page requested
    # by a viewer who may see a tenth of the agreements (issue 14: ≤ 5× floor)
    kind: str
    repeat: int | None = None
    # Raw SQL statements, each alone giving this page's rows; the floor runs the fastest.
    floor: tuple[str, ...] = ()
    # A form's floor: raw SQL statements of (value, label) rows and lists of such rows made
    # in Python (time zones), each drawn as one select by a plain template.
    form_floor: tuple[tuple[str, ...], tuple[list, ...]] | None = None
    # A row's own bound on median ÷ floor instead of its kind's (issue 16: the plain list
    # and the status filter in activity order within 3×, the forms other than the
    # agreement's and the meeting's within the 5× of every other row).
    within: float | None = None


# The list's orders as SQL, as the app orders them.
ORDERS = {
    "title": "title, id",
    "status": "status, title, id",
    "activity": "last_activity_on DESC, title, id",
}


def list_floor(
    where: str = "",
    sort: str = "title",
    page: int = 1,
    among: str = "",
    test: str = "",
) -> tuple[str, ...]:
    """The floor's statements for a page of the list: ``where`` a condition on the row,
    ``among`` a select of the ids of a set (a party's agreements, a search's matches),
    applied by fetching its rows or by testing each row against it, and ``test`` the same
    set as a condition on each row (a search's matches, source by source), if there is one.
    """
    conditions = ["archived_at IS NULL"] + ([where] if where else [])
    tail = f"ORDER BY {ORDERS[sort]} LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}"
    head = "SELECT id, title, short_name, status FROM agreement WHERE "
    if not among:
        return (f"{head}{' AND '.join(conditions)} {tail}",)
    return tuple(
        f"{head}{' AND '.join([*conditions, condition])} {tail}"
        for condition in (
            f"id IN ({among})",
            f"id + 0 IN ({among})",  # "+ 0": SQLite tests rows instead of fetching by id
            *([f"({test})"] if test else []),
        )
    )


@dataclass
class Result:
    page: Page
    timings: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0
    note: str = ""
    peak_mb: float | None = None
    floor: list[float] = field(default_factory=list)  # the floor, timed alongside

    @property
    def ratio(self) -> float:
        return statistics.median(self.timings) / statistics.median(self.floor)

    @property
    def p50(self) -> float:
        return statistics.median(self.timings) * 1000

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        metavar="REGEX",
        help="time only the pages whose name matches (case-insensitive); prints, "
        "leaves the doc as it is",
    )
    parser.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="time only the pages of this kind (list, form, agreement, report, pdf, csv, "
        "api, tenth, text, docx, other; may be given again: --kind text --kind docx for "
        "the negotiating text's rows); prints, leaves the doc as it is",
    )
    parser.add_argument("--agreements", type=int, default=250_000)
    parser.add_argument("--parties", type=int, default=200)
    parser.add_argument("--meetings", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database",
        default=str(ROOT / "instance" / "bench.sqlite"),
        help="SQLite file to build or reuse (default: instance/bench.sqlite)",
    )
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the doc")
    parser.add_argument(
        "--prepare-only", action="store_true", help="build or upgrade the data; time nothing"
    )
    parser.add_argument("--csv-child", help=argparse.SUPPRESS)  # internal: memory of the CSV
    return parser.parse_args(argv)


def _url(path: str) -> str:
    return f"sqlite:///{path}"


def make_app(database: str) -> Flask:
    return create_app(
        {
            "DATABASE_URL": _url(database),
            "PAGE_SIZE": PAGE_SIZE,
            "SECRET_KEY": "bench-" + secrets.token_hex(8),
            "RATELIMIT_ENABLED": False,
        }
    )


def _history() -> list[str]:
    """Revision ids of the migrations, newest first (the history is linear)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]


def _reusable(database: Path, stamp: Path, params: dict) -> bool:
    """Whether the database holds data of these parameters, built by migrations that are
    all still in the history (new ones after them are applied by upgrading)."""
    if not (database.exists() and stamp.exists()):
        return False
    recorded = json.loads(stamp.read_text())
    history = _history()
    built_with = recorded.get("migrations", [])
    return (
        recorded.get("params") == params
        and bool(built_with)
        and built_with[0] in history
        and history[history.index(built_with[0]) :] == built_with
    )


def prepare(args: argparse.Namespace) -> dict:
    """The benchmark database, built or reused; returns what its stamp records."""
    from flask_migrate import upgrade

    params = {
        "agreements": args.agreements,
        "parties": args.parties,
        "meetings": args.meetings,
        "seed": args.seed,
    }
    database = Path(args.database)
    stamp = database.with_suffix(".json")
    reuse = not args.rebuild and _reusable(database, stamp, params)
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        stamp.unlink(missing_ok=True)
        database.parent.mkdir(parents=True, exist_ok=True)
    app = make_app(str(database))
    with app.app_context():
        upgrade()  # migrations added since the data was built apply to it too
        if not reuse:
            print(f"Generating synthetic data {params} into {database} …", flush=True)
            started = time.perf_counter()
            with db.engine.begin() as connection:
                synth.generate(connection, synth.SynthParams(**params), progress=print)
            synth.tidy(db.engine)
            seconds = time.perf_counter() - started
            recorded = {"params": params, "seconds": round(seconds, 1)}
            print(f"Generated in {seconds:.0f} s.", flush=True)
        else:
            recorded = json.loads(stamp.read_text())
        if not synth.is_marked(db.session.connection()):  # built before markings existed
            print("Marking the synthetic data …", flush=True)
            synth.mark(db.session.connection())
            db.session.commit()
        if prepare_text():
            db.session.commit()
        recorded["migrations"] = _history()
        stamp.write_text(json.dumps(recorded))
        db.engine.dispose()
    return recorded


def api_client(app: Flask):
    """A test client calling the API with a token of the bench viewer, made for this run."""
    from tracker.accounts import tokens

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == USERNAME))
        _token, secret = tokens.create_token(user, f"bench {secrets.token_hex(4)}")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def deep_cursor_path(client) -> str:
    """The list's page after row DEEP_ROW, reached as a program would: following ``next``."""
    path, rows = f"{API}/agreements/?limit=200", 0
    while rows < DEEP_ROW:
        body = client.get(path).get_json()
        rows += len(body["items"])
        if body["next"] is None:
            raise SystemExit(f"The API list ended after {rows} rows, before row {DEEP_ROW}.")
        path = f"{API}/agreements/?limit=200&cursor={body['next']}"
    return path.replace("limit=200", f"limit={PAGE_SIZE}")


def log_in(
    app: Flask,
    password: str,
    username: str = USERNAME,
    role: Role = Role.VIEWER,
    clearance: int = TOP,
):
    """A test client logged in as a bench user (CSRF on, as in production): by default
    cleared for everything; ``TENTH_USERNAME`` at the lowest level sees a tenth."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=f"Benchmark {role}", role=role)
            db.session.add(user)
        user.set_password(password)
        user.clearance = clearance
        db.session.commit()
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )
    if response.status_code != 302:
        raise SystemExit(f"Could not log in the benchmark user ({response.status_code}).")
    return client


TEXT_TITLE = "Benchmark text (60 articles, 200 brackets, 15 revisions)"


def prepare_text() -> bool:
    """The large negotiating text of issue 15 on the busy agreement, stored through the
    app's own services from scripts/bench_texts.py's revisions; False if it is there."""
    import bench_texts

    from tracker.texts import importing, services

    busy = db.session.scalar(
        sa.select(Agreement).where(Agreement.short_name == synth.BUSY_SHORT_NAME)
    )
    exists = db.session.scalar(
        sa.select(NegotiatingText.id).where(
            NegotiatingText.agreement_id == busy.id, NegotiatingText.title == TEXT_TITLE
        )
    )
    if exists is not None:
        return False
    print("Storing the large negotiating text …", flush=True)
    started = time.perf_counter()
    text = services.create_text(busy, title=TEXT_TITLE, first_label="(empty)")
    services.delete_draft(text.revisions[0])
    keys: dict[int, int] = {}
    proposals: dict[int, int] = {}
    for number, document in enumerate(bench_texts.revisions(), start=1):
        revision = importing.store(
            text, document, label=document.label or f"Rev.{number}", keys=keys, proposals=proposals
        )
        issued_on = document.issued_on or datetime(2025, 1, 1, tzinfo=UTC).date()
        services.issue(revision, services.Issue(issued_on=issued_on))
    print(f"Stored in {time.perf_counter() - started:.0f} s.", flush=True)
    return True


def known_ids(app: Flask) -> dict:
    """The busy agreement and a typical party, found in the data, not assumed."""
    with app.app_context():
        busy = db.session.scalar(
            sa.select(Agreement.id).where(Agreement.short_name == synth.BUSY_SHORT_NAME)
        )
        counts = db.session.execute(
            sa.select(AgreementParty.party_id, sa.func.count())
            .group_by(AgreementParty.party_id)
            .order_by(sa.func.count(), AgreementParty.party_id)
        ).all()
        party = counts[len(counts) // 2][0]  # the median party by number of agreements
        party_name = db.session.get(Party, party).name
        lead = db.session.scalar(  # the busiest lead
            sa.select(Agreement.lead_id)
            .where(Agreement.lead_id.is_not(None))
            .group_by(Agreement.lead_id)
            .order_by(sa.func.count().desc(), Agreement.lead_id)
            .limit(1)
        )
        # A code name, as in "Corvar: …": rare words, as a search for a project's name is.
        summary = db.session.scalar(
            sa.select(Agreement.summary).where(Agreement.id > busy).order_by(Agreement.id).limit(1)
        )
        narrow = summary.split(":")[0]
        five = db.session.scalar(
            sa.select(AgreementParty.agreement_id)
            .group_by(AgreementParty.agreement_id)
            .having(sa.func.count() == 5)
            .order_by(AgreementParty.agreement_id)
            .limit(1)
        )
        eight = db.session.scalar(
            sa.select(AgendaItem.meeting_id)
            .group_by(AgendaItem.meeting_id)
            .having(sa.func.count() == 8)
            .order_by(AgendaItem.meeting_id)
            .limit(1)
        )
        meeting = db.session.get(Meeting, eight)
        window = timedelta(days=app.config["PARENT_WINDOW_DAYS"])
        gatherings = sa.select(Meeting.id, Meeting.title).where(
            Meeting.archived_at.is_(None),
            Meeting.starts_at.between(meeting.starts_at - window, meeting.starts_at + window),
        )
        gatherings = gatherings.order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        gatherings = str(gatherings.compile(db.engine, compile_kwargs={"literal_binds": True}))
        # The floor's form of each search: the app's own statement of the matching ids.
        matches = {
            text: str(
                search.matching_agreement_ids(text).compile(
                    db.engine, compile_kwargs={"literal_binds": True}
                )
            )
            for text in (narrow, SEARCH_BROAD)
        }
        # The same matches tested on each row, source by source, as the app can: for a
        # broad search, the fastest of the floor's statements.
        tests = {
            text: str(
                search.agreement_matches(text).compile(
                    db.engine, compile_kwargs={"literal_binds": True}
                )
            )
            for text in (narrow, SEARCH_BROAD)
        }
        tenth, tenth_tests = tenth_condition(tests)
        records = record_ids(busy)
        texts = text_ids()
    return {
        "busy": busy,
        "party": party,
        "party_name": party_name,
        "party_count": counts,
        "lead": lead,
        "narrow": narrow,
        "matches": matches,
        "tests": tests,
        "tenth": tenth,
        "tenth_tests": tenth_tests,
        "five_parties": five,
        "eight_items": eight,
        "gatherings": gatherings,
        **records,
        **texts,
    }


def record_ids(busy: int) -> dict:
    """The first point of an everyday agreement and of the busy one, the first action item,
    person and party: the other edit forms' records."""

    def first(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.min(model.id)).where(*where))

    def sides(agreement: int) -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).where(AgreementParty.agreement_id == agreement)
        )

    point = first(NegotiationPoint, NegotiationPoint.agreement_id != busy)
    agreement = db.session.get(NegotiationPoint, point).agreement_id
    return {
        "point": point,
        "point_agreement": agreement,
        "point_sides": sides(agreement),
        "busy_sides": sides(busy),
        "busy_point": first(NegotiationPoint, NegotiationPoint.agreement_id == busy),
        "action": first(ActionItem),
        "action_agreement": db.session.get(ActionItem, first(ActionItem)).agreement_id,
        "person": first(Person),
    }


def tenth_condition(tests: dict[str, str]) -> tuple[str, dict[str, str]]:
    """What ``TENTH_USERNAME`` sees, for the floors of that reader's pages: the agreements
    (their markings, need-to-know only where they are listed) as a condition on the row,
    and each search's ``tests`` as the app runs them for that reader (its rule on the
    meetings and points that match), parameters written in."""
    user = db.session.scalar(sa.select(User).where(User.username == TENTH_USERNAME))
    seen = access.for_user(db.session, user)
    markings = ", ".join(str(marking_id) for marking_id in sorted(seen.markings)) or "NULL"
    listed = ", ".join(str(agreement_id) for agreement_id in sorted(seen.agreements))
    need_to_know = f"(need_to_know = 0 OR id IN ({listed}))" if listed else "need_to_know = 0"
    run: list[tuple[str, tuple]] = []

    def capture(_connection, _cursor, statement, parameters, _context, _many) -> None:
        run.append((statement, parameters))

    access.use(db.session, seen)
    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for text in tests:
            db.session.execute(
                sa.select(Agreement.id).where(search.agreement_matches(text)).limit(1)
            ).all()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
        db.session.remove()
    found = {}
    for text, (statement, parameters) in zip(tests, run[-len(tests) :], strict=True):
        *pieces, last = statement.split("?")
        literals = [
            "'" + value.replace("'", "''") + "'" if isinstance(value, str) else str(int(value))
            for value in parameters
        ]
        written = "".join(piece + literal for piece, literal in zip(pieces, literals, strict=True))
        whole = " ".join((written + last).split())
        found[text] = whole.split(" WHERE ", 1)[1].rsplit(" LIMIT ", 1)[0]
    return f"marking_id IN ({markings}) AND {need_to_know}", found


def text_ids() -> dict:
    """The large text's id and its revisions' (prepare_text made them)."""
    text = db.session.scalar(sa.select(NegotiatingText).where(NegotiatingText.title == TEXT_TITLE))
    revisions = [r.id for r in text.revisions]
    return {"text": text.id, "revisions": revisions}


def form_rows(ids: dict) -> list[Page]:
    """The edit forms of the main records, each against a plain template drawing the same
    choices from raw queries."""
    agreement, meeting = ids["five_parties"], ids["eight_items"]
    agreement_form = (
        (
            f"SELECT id, title FROM agreement WHERE id = {agreement}",  # noqa: S608
            f"SELECT party_id, role FROM agreement_party WHERE agreement_id = {agreement}",  # noqa: S608
            "SELECT id, name FROM party WHERE archived_at IS NULL ORDER BY kind, name",
            "SELECT id, display_name FROM user WHERE active ORDER BY display_name",
        ),
        (),
    )
    meeting_form = (
        (
            f"SELECT id, title FROM meeting WHERE id = {meeting}",  # noqa: S608
            f"SELECT agreement_id, outcome FROM agenda_item WHERE meeting_id = {meeting}",  # noqa: S608
            ids["gatherings"],
            "SELECT person.id, person.name FROM person JOIN party ON party.id = person.party_id "
            "WHERE person.archived_at IS NULL ORDER BY party.name, person.name, person.id",
        ),
        ([(name, name.replace("_", " ")) for name in sorted(available_timezones())],),
    )
    parties = "SELECT id, name FROM party WHERE archived_at IS NULL ORDER BY kind, name"
    people = (
        "SELECT person.id, person.name FROM person JOIN party ON party.id = person.party_id "
        "WHERE person.archived_at IS NULL ORDER BY party.name, person.name, person.id"
    )
    # A marking's level and "downgrade to" selects, made in Python as the form makes them.
    levels, downgrades = [(n, f"Level {n}") for n in range(5)], [(n, "") for n in range(6)]

    def meetings_of(agreement: int) -> str:
        return (
            "SELECT id, title FROM meeting WHERE archived_at IS NULL AND id IN "  # noqa: S608
            f"(SELECT meeting_id FROM agenda_item WHERE agreement_id = {agreement}) "
            "ORDER BY starts_at DESC, id DESC"
        )

    def point_form(point: int, agreement: int, sides: int) -> tuple:
        """A point's form: its status, the agreement's meetings three times (raised, settled,
        positions stated at), its provisions, and a marking for it and each party's position."""
        return (
            (
                f"SELECT id, subject FROM negotiation_point WHERE id = {point}",  # noqa: S608
                f"SELECT party_id, position FROM party_position WHERE point_id = {point}",  # noqa: S608
                *[meetings_of(agreement)] * 3,
                f"SELECT id, kind FROM provision WHERE agreement_id = {agreement}",  # noqa: S608
                *[parties] * (1 + sides),
            ),
            ([(n, "") for n in range(4)], *[levels, downgrades] * (1 + sides)),
        )

    action = ids["action"]
    return [
        Page(
            "Edit form: agreement with 5 parties",
            f"/agreements/{agreement}/edit",
            "form",
            form_floor=agreement_form,
        ),
        Page(
            "Edit form: meeting with 8 agenda rows",
            f"/meetings/{meeting}/edit",
            "form",
            form_floor=meeting_form,
        ),
        Page(
            "Edit form: point (its parties' positions)",
            f"/points/{ids['point']}/edit",
            "form",
            within=5,
            form_floor=point_form(ids["point"], ids["point_agreement"], ids["point_sides"]),
        ),
        Page(
            "Edit form: point of the agreement with 500 meetings",
            f"/points/{ids['busy_point']}/edit",
            "form",
            within=5,
            form_floor=point_form(ids["busy_point"], ids["busy"], ids["busy_sides"]),
        ),
        Page(
            "Edit form: action item",
            f"/actions/{action}/edit",
            "form",
            within=5,
            form_floor=(
                (
                    f"SELECT id, description FROM action_item WHERE id = {action}",  # noqa: S608
                    people,
                    meetings_of(ids["action_agreement"]),
                    parties,
                ),
                (levels, downgrades),
            ),
        ),
        Page(
            "Edit form: person",
            f"/people/{ids['person']}/edit",
            "form",
            within=5,
            form_floor=(
                (f"SELECT id, name FROM person WHERE id = {ids['person']}", parties),  # noqa: S608
                (),
            ),
        ),
        Page(
            "Edit form: party",
            f"/parties/{ids['party']}/edit",
            "form",
            within=5,
            form_floor=(
                (f"SELECT id, name FROM party WHERE id = {ids['party']}",),  # noqa: S608
                ([(n, "") for n in range(3)],),
            ),
        ),
    ]


def party_set(party: int) -> str:
    """The floor's select of a party's agreements."""
    return f"SELECT agreement_id FROM agreement_party WHERE party_id = {int(party)}"  # noqa: S608


def _searched(ids: dict, text: str, tests: str = "tests") -> dict:
    """``list_floor``'s arguments for a search's matches (``tests``: "tenth_tests" for
    that reader's)."""
    return {"among": ids["matches"][text], "test": ids[tests][text]}


def list_grid(ids: dict) -> list[Page]:
    """Every filter of the list with every order, on page 3 (as a user paging on would
    reach it), and deep pages; each with its floor."""
    party_ids = party_set(ids["party"])
    narrow, broad = ids["narrow"], SEARCH_BROAD
    filters = [
        ("status", "status=under_negotiation", {"where": "status = 'under_negotiation'"}),
        ("party", f"party={ids['party']}", {"among": party_ids}),
        ("category", "category=technology", {"where": "category = 'technology'"}),
        ("lead", f"lead={ids['lead']}", {"where": f"lead_id = {ids['lead']}"}),
        ("search, narrow", f"q={narrow}", _searched(ids, narrow)),
        ("search, broad", f"q={broad.replace(' ', '+')}", _searched(ids, broad)),
    ]
    grid = [
        Page(
            f"… {name} × {sort}, page 3",
            f"/agreements/?{args}&sort={sort}&page=3",
            "list",
            floor=list_floor(sort=sort, page=3, **where),
            # The page the side-by-side measurement found slowest (issue 16).
            within=3 if (name, sort) == ("status", "activity") else None,
        )
        for name, args, where in filters
        for sort in ORDERS
    ]
    deep = [
        Page(
            f"… page 1,000 × {sort}",
            f"/agreements/?sort={sort}&page=1000",
            "list",
            floor=list_floor(sort=sort, page=1000),
        )
        for sort in ("status", "activity")
    ]
    deep += [
        Page(
            f"… {name} × activity, page {number}",
            f"/agreements/?{args}&sort=activity&page={number}",
            "list",
            floor=list_floor(sort="activity", page=number, **where),
        )
        for (name, args, where), number in ((filters[0], 500), (filters[3], 150))
    ]
    return grid + deep


def pages(ids: dict) -> list[Page]:
    busy, party = ids["busy"], ids["party"]
    party_ids = party_set(party)
    return [
        Page("Agreement list", "/agreements/", "list", floor=list_floor(), within=3),
        Page(
            "… filtered by status",
            "/agreements/?status=under_negotiation",
            "list",
            floor=list_floor(UNDER_NEGOTIATION),
        ),
        Page(
            "… filtered by party",
            f"/agreements/?party={party}",
            "list",
            floor=list_floor(among=party_ids),
        ),
        Page(
            "… filtered by status and party",
            f"/agreements/?status=under_negotiation&party={party}",
            "list",
            floor=list_floor(UNDER_NEGOTIATION, among=party_ids),
        ),
        Page(
            "… text search, narrow",
            f"/agreements/?q={ids['narrow']}",
            "list",
            floor=list_floor(**_searched(ids, ids["narrow"])),
        ),
        Page(
            "… text search, broad",
            f"/agreements/?q={SEARCH_BROAD.replace(' ', '+')}",
            "list",
            floor=list_floor(**_searched(ids, SEARCH_BROAD)),
        ),
        Page("… page 1,000", "/agreements/?page=1000", "list", floor=list_floor(page=1000)),
        Page(
            "… sorted by activity",
            "/agreements/?sort=activity",
            "list",
            floor=list_floor(sort="activity"),
        ),
        *list_grid(ids),
        *form_rows(ids),
        Page("Agreement with 500 meetings", f"/agreements/{busy}", "agreement"),
        Page("… its HTML report", f"/agreements/{busy}/report", "report"),
        Page("… its PDF report", f"/agreements/{busy}/report.pdf", "pdf"),
        Page("Portfolio", "/portfolio/", "other"),
        Page("Portfolio CSV (full)", "/portfolio.csv", "csv", repeat=3),
        Page("API: agreement list, first page", f"{API}/agreements/?limit={PAGE_SIZE}", "api"),
        Page(
            f"API: … a deep cursor page (after row {DEEP_ROW:,})",
            ids["deep_cursor_path"],
            "api",
        ),
        Page(
            "API: … filtered by status and party",
            f"{API}/agreements/?status=under_negotiation&party={party}&limit={PAGE_SIZE}",
            "api",
            floor=list_floor(UNDER_NEGOTIATION, among=party_ids),
        ),
        Page(
            "API: … text search",
            f"{API}/agreements/?q={ids['narrow']}&limit={PAGE_SIZE}",
            "api",
            floor=list_floor(**_searched(ids, ids["narrow"])),
        ),
        Page("API: one agreement (500 meetings)", f"{API}/agreements/{busy}", "api"),
        Page(
            "Seeing a tenth: agreement list",
            "/agreements/",
            "tenth",
            floor=list_floor(ids["tenth"]),
        ),
        Page(
            "Seeing a tenth: sorted by activity",
            "/agreements/?sort=activity",
            "tenth",
            floor=list_floor(ids["tenth"], sort="activity"),
        ),
        Page(
            "Seeing a tenth: text search, narrow",
            f"/agreements/?q={ids['narrow']}",
            "tenth",
            floor=list_floor(ids["tenth"], **_searched(ids, ids["narrow"], "tenth_tests")),
        ),
        Page(
            "Seeing a tenth: text search, broad",
            f"/agreements/?q={SEARCH_BROAD.replace(' ', '+')}",
            "tenth",
            floor=list_floor(ids["tenth"], **_searched(ids, SEARCH_BROAD, "tenth_tests")),
        ),
        Page("Seeing a tenth: portfolio", "/portfolio/", "tenth"),
        *text_rows(ids),
    ]


def text_rows(ids: dict) -> list[Page]:
    """Issue 15: a 60-article text with 200 brackets over 15 revisions."""
    text, revisions = ids["text"], ids["revisions"]
    at = len(revisions) // 2
    before, middle = revisions[at - 1], revisions[at]
    return [
        Page("Text: consolidated view of a revision", f"/texts/revisions/{middle}", "text"),
        Page(
            "Text: … compare two revisions",
            f"/texts/{text}/compare?from={before}&to={middle}",
            "text",
        ),
        Page(
            "Text: … the first with the last", f"/texts/{text}/compare?from={revisions[0]}", "text"
        ),
        Page("Text: … as a Word file", f"/texts/revisions/{middle}/text.docx", "docx", repeat=10),
        Page("Text: … its revisions and burn-down", f"/texts/{text}", "text"),
    ]


def available(app: Flask, path: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.split("?")[0], method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    return True


class QueryCounter:
    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self):
        self.count = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, *args) -> None:
        self.count += 1


def measure(client, engine, page: Page, repeat: int, floor_client, floor: list[float]) -> Result:
    """Time ``page``, each request right after one of its floor's, so both see the same load;
    ``floor`` collects the times of the common floor (pages without one of their own)."""
    result = Result(page)
    floor_path = floor_client.application.floor_path(page.floor, page.form_floor)
    for _ in range(3):  # warm caches: templates, statements, the database's pages
        if time_request(client, page.path) > 1:
            break  # a slow page is warm after one request
    with QueryCounter(engine) as counter:
        started = time.perf_counter()
        response = client.get(page.path)
        response.get_data()
        once = time.perf_counter() - started
    result.queries, result.status = counter.count, response.status_code
    if response.status_code != 200:
        result.note = f"HTTP {response.status_code}"
        return result
    times = page.repeat or repeat
    if once * times > PAGE_BUDGET:  # a slow page: fewer requests, at least a few
        times = max(MIN_REPEAT, int(PAGE_BUDGET / once))
        result.note = f"{times} timed requests"
    for _ in range(times):
        result.floor.append(time_request(floor_client, floor_path))
        if floor_path == FLOOR_PATH:
            floor.append(result.floor[-1])
        result.timings.append(time_request(client, page.path))
    return result


def time_request(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    elapsed = time.perf_counter() - started
    response.close()
    return elapsed


def floor_app(engine) -> Flask:
    """A bare Flask app: one route, one raw query, a minimal template. ``floor_path(sqls)``
    gives the path of a floor for other statements: the fastest of them, timed warm."""
    app = Flask("floor")
    statements = [FLOOR_SQL]

    def fetch(sql: str) -> list:
        with engine.connect() as connection:
            return connection.exec_driver_sql(sql).all()

    forms: list[tuple[tuple[str, ...], tuple[list, ...]]] = []

    @app.route(FLOOR_PATH)
    @app.route(f"{FLOOR_PATH}/<int:number>")
    def floor(number: int = 0):
        return render_template_string(FLOOR_TEMPLATE, rows=fetch(statements[number]))

    @app.route(f"{FLOOR_PATH}/form/<int:number>")
    def form_floor(number: int):
        sqls, made = forms[number]
        with engine.connect() as connection:
            lists = [connection.exec_driver_sql(sql).all() for sql in sqls]
        return render_template_string(FORM_FLOOR_TEMPLATE, lists=[*lists, *made])

    def floor_path(sqls: tuple[str, ...], form=None) -> str:
        if form is not None:
            forms.append(form)
            return f"{FLOOR_PATH}/form/{len(forms) - 1}"
        if not sqls:
            return FLOOR_PATH

        def cost(sql: str) -> float:
            fetch(sql)
            started = time.perf_counter()
            for _ in range(3):
                fetch(sql)
            return time.perf_counter() - started

        statements.append(min(sqls, key=cost))
        return f"{FLOOR_PATH}/{len(statements) - 1}"

    app.floor_path = floor_path
    return app


def csv_peak_memory(database: str, password: str) -> tuple[float, float, int]:
    """Resident memory (MB) of a process before it streams the full CSV, its peak while
    streaming, and the bytes streamed."""
    output = subprocess.run(  # noqa: S603  (this script, this interpreter)
        [sys.executable, __file__, "--database", database, "--csv-child", password],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    before, peak, size = output.split()
    return float(before), float(peak), int(size)


def _rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def csv_child(database: str, password: str) -> None:
    """Stream the full CSV; print resident memory before, its peak during the export, and
    the size. Sampled every few milliseconds during the export, since the process's own
    high-water mark also counts what logging in (Argon2) briefly used."""
    import threading

    app = make_app(database)
    client = log_in(app, password)
    client.get("/agreements/")  # load what any request loads, so 'before' is a fair base
    before = _rss_mb()
    peak, done = [before], threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak.append(max(peak[-1], _rss_mb()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    response = client.get("/portfolio.csv", buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    done.set()
    sampler.join()
    print(f"{before:.1f} {max(peak[-1], _rss_mb()):.1f} {size}")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import sqlite3

    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


TARGETS = {
    "list": "median ≤ 5× floor and p95 ≤ 25 ms",
    "agreement": "p95 ≤ 50 ms",
    "report": "p95 ≤ 100 ms",
    "pdf": "p95 ≤ 300 ms",
    "csv": "median ≤ 10 s and peak memory ≤ 200 MB",
    "other": "",
    "api": "median ≤ 3× floor",
    "tenth": "median ≤ 5× floor",
    "form": "median ≤ 3× floor",
    "text": "median ≤ 100 ms",
    "docx": "median ≤ 1 s",
}
# The API's 6 of issue 13, and one query for the reader's access (issue 14).
# A negotiating text's pages read a fixed number of queries whatever its length.
MAX_QUERIES = {"api": 7, "text": 30, "docx": 30}  # other pages: 10


def verdict(result: Result) -> str:
    page = result.page
    misses = []
    max_queries = MAX_QUERIES.get(page.kind, 10)
    if result.queries > max_queries:
        misses.append(f"{result.queries} queries > {max_queries}")
    if page.kind in ("api", "form") and result.ratio > (page.within or 3):
        misses.append(f"median {result.ratio:.1f}× floor")
    if page.kind == "tenth" and result.ratio > 5:
        misses.append(f"median {result.ratio:.1f}× floor")
    if page.kind == "list":
        if result.ratio > (page.within or 5):
            misses.append(f"median {result.ratio:.1f}× floor")
        if result.p95 > 25:
            misses.append(f"p95 {result.p95:.1f} ms > 25")
    if page.kind == "text" and result.p50 > 100:
        misses.append(f"median {result.p50:.0f} ms > 100")
    if page.kind == "docx" and result.p50 > 1000:
        misses.append(f"median {result.p50:.0f} ms > 1000")
    limits = {"agreement": 50, "report": 100, "pdf": 300}
    if page.kind in limits and result.p95 > limits[page.kind]:
        misses.append(f"p95 {result.p95:.0f} ms > {limits[page.kind]}")
    if page.kind == "csv" and result.p50 > 10_000:
        misses.append(f"median {result.p50 / 1000:.1f} s > 10")
    if page.kind == "csv" and result.peak_mb is not None and result.peak_mb > 200:
        misses.append(f"peak {result.peak_mb:.0f} MB > 200")
    return "MISS: " + "; ".join(misses) if misses else "ok"


def table(results: list[Result], floor: Result, unavailable: list[Page]) -> str:
    lines = [
        "| page | p50 ms | p95 ms | its floor, p50 ms | median ÷ floor | SQL queries | target "
        "| result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        f"| Floor: bare Flask, 1 raw query, 50 rows | {floor.p50:.2f} | {floor.p95:.2f} | | "
        f"1.0× | 1 | | |",
    ]
    for result in results:
        page = result.page
        if not result.timings:
            lines.append(f"| {page.name} | | | | | {result.queries} | | {result.note} |")
            continue
        queries = f"≤ {MAX_QUERIES.get(page.kind, 10)} queries"
        target = TARGETS[page.kind] + ("; " if TARGETS[page.kind] else "") + queries
        if page.within:
            target = re.sub(r"≤ \d+× floor", f"≤ {page.within:g}× floor", target)
        notes = [f"peak {result.peak_mb:.0f} MB resident"] if result.peak_mb is not None else []
        notes += [result.note] if result.note else []
        extra = f" ({'; '.join(notes)})" if notes else ""
        lines.append(
            f"| {page.name}{extra} | {result.p50:.1f} | {result.p95:.1f} | "
            f"{statistics.median(result.floor) * 1000:.2f} | "
            f"{result.ratio:.1f}× | {result.queries} | {target} | {verdict(result)} |"
        )
    for page in unavailable:
        lines.append(f"| {page.name} | | | | | | | not available in this version |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    current = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in current:
        current += f"\n{START}\n{END}\n"
    head, rest = current.split(START, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(f"{head}{START}\n{text}\n{END}{tail}")


def main() -> None:
    args = parse_args()
    if args.csv_child:
        csv_child(args.database, args.csv_child)
        return
    stamp = prepare(args)
    if args.prepare_only:
        return
    password = secrets.token_urlsafe(16)
    app = make_app(args.database)
    client = log_in(app, password)
    tenth = log_in(app, password, TENTH_USERNAME, clearance=0)
    editor = log_in(app, password, EDITOR, Role.EDITOR)
    api = api_client(app)
    ids = known_ids(app)
    wanted = (
        available(app, f"{API}/agreements/")
        and (not args.only or re.search(args.only, "API: … a deep cursor page", re.IGNORECASE))
        and (not args.kind or "api" in args.kind)
    )
    ids["deep_cursor_path"] = deep_cursor_path(api) if wanted else f"{API}/agreements/"
    load_before = os.getloadavg()
    # What each gunicorn worker does once it has loaded the app: a full garbage collection
    # then skips the app's long-lived objects (about 10 ms a collection instead of 100).
    post_worker_init(None)

    with app.app_context():
        engine = db.engine
    # Each request in an app context of its own, as a server runs it: inside one of ours,
    # Flask would reuse it, and with it what the request before loaded (the user).
    floor_client = floor_app(engine).test_client()
    floor_times: list[float] = []
    for _ in range(10):
        time_request(floor_client, FLOOR_PATH)
    results, unavailable = [], []
    chosen = pages(ids)
    if args.only:
        chosen = [page for page in chosen if re.search(args.only, page.name, re.IGNORECASE)]
    if args.kind:
        chosen = [page for page in chosen if page.kind in args.kind]
    for page in chosen:
        if not available(app, page.path):
            unavailable.append(page)
            print(f"{page.name:<40} not available in this version", flush=True)
            continue
        caller = {"api": api, "tenth": tenth, "form": editor}.get(page.kind, client)
        result = measure(caller, engine, page, args.repeat, floor_client, floor_times)
        if page.kind == "csv" and result.status == 200:
            before, result.peak_mb, size = csv_peak_memory(args.database, password)
            result.note = f"{size / 1e6:.0f} MB of CSV; {before:.0f} MB resident before"
        results.append(result)
        timing = f"p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms" if result.timings else ""
        queries = f"{result.queries:2d} queries"
        print(f"{page.name:<40} {timing}  {queries} {result.note}", flush=True)

    if not floor_times:  # every page timed had a floor of its own
        floor_times = [time_request(floor_client, FLOOR_PATH) for _ in range(args.repeat)]
    floor = Result(Page("floor", FLOOR_PATH, "floor"), timings=floor_times, floor=floor_times)
    load_after = os.getloadavg()
    now = datetime.now(UTC)
    report = "\n".join(
        [
            f"Run on {now:%d %B %Y %H:%M} UTC by `make bench` (scripts/bench.py).",
            "",
            f"- Machine: {machine()}; load average {load_before[0]:.1f} at the start, "
            f"{load_after[0]:.1f} at the end (other work shares the cores).",
            f"- Data: `tracker synth-data` with {stamp['params']}, SQLite file "
            f"(generated in {stamp.get('seconds', '?')} s); a party with "
            f"{dict(ids['party_count'])[ids['party']]} agreements for the party filter; "
            f"searches for “{ids['narrow']}” (a code name) and “{SEARCH_BROAD}” (a topic).",
            f"- Method: Flask test client in one process, logged in as a viewer (the API rows: "
            "with a token of that viewer; the deep page reached by following `next`); "
            f"{PAGE_SIZE} rows per list page; 3 warm-up requests, then {args.repeat} timed "
            "requests per page "
            f"(CSV 3, a page slower than {PAGE_BUDGET} s in all {MIN_REPEAT}), each "
            "right after a floor request; SQL statements counted per request; CSV memory = "
            "the highest resident memory of a separate process, sampled every 5 ms while it "
            "streams the whole export (its resident memory before is in the row's note).",
            "",
            table(results, floor, unavailable),
        ]
    )
    print()
    print(table(results, floor, unavailable))
    if not (args.no_write or args.only or args.kind):
        write_doc(report)
        print(f"\nWritten to {DOC.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
