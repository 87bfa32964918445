"""The API against its own OpenAPI description: schemathesis generates input for every
operation in /api/v1/openapi.json (valid and invalid), sends it to the app in-process as an
admin, and runs all its checks on every answer: no 5xx, every status and content type
documented, bodies and headers as described, valid input accepted and invalid refused.

Operations are found in the description, so a resource added to the API is tested without
being listed here. The run is derandomised (the same cases every time, so it never flakes)
and small (``MAX_EXAMPLES`` generated cases per operation, beside schemathesis' own
examples and boundary cases) to stay within about a minute per database on 2 cores.
"""

from __future__ import annotations

import contextvars
from html.parser import HTMLParser

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.helpers import make_test_app
from tracker.models import PartyKind, Role, clock
from tracker.models import text_document as doc
from tracker.texts import services as text_services
from tracker.web import security

# Generated cases per operation (the fuzzing phase). A bug in one operation shows within the
# first few; raise it locally to search harder (e.g. 200), never in CI (the time budget).
MAX_EXAMPLES = 30

CONFIG = {
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        # The test sends an admin's token with every case (and schemathesis' ignored_auth
        # check sends none); a generated Authorization header would only be replaced.
        "with-security-parameters": False,
        # Unknown query arguments and JSON fields are refused (422): generated cases try
        # them too, and must see them refused.
        "allow-extra-parameters": True,
    },
    "checks": {
        # Input valid by the description that the rules refuse is still refused: a duplicate
        # name, a code that is no ISO state (422), a stale or forged If-Match (412, 428), a
        # cursor no list gave out (400: any string fits an opaque cursor's schema).
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "422"]
            + ["428", "429"]
        },
        # A change without If-Match is 428 Precondition Required (RFC 6585), not a 400.
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "415", "422", "428"]
        },
    },
}


class TheApp:
    """The WSGI app schemathesis calls: the running test's app, on its database, with each
    request in a context of its own, apart from the test's app context and session (as
    tests/conftest.py's IsolatedClient), its body read there.

    schemathesis keeps one app per schema, made when the tests are collected (a schema from
    a fixture, schemathesis.pytest.from_fixture, does not run under pytest 9.2), while each
    test has its own app and database: the test puts its app here."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        def run():
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                getattr(body, "close", lambda: None)()

        return contextvars.Context().run(run)


THE_APP = TheApp()


def _load_schema():
    """The description as the app serves it, the same on every database: read once, from an
    app on an empty in-memory database."""
    THE_APP.app = make_test_app("sqlite://")
    try:
        return schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", THE_APP, config=schemathesis.Config.from_dict(CONFIG)
        )
    finally:
        THE_APP.app = None


schema = _load_schema()


@pytest.fixture
def admin_token(api_as):
    return api_as(Role.ADMIN, username="conformance.admin").secret


@pytest.fixture
def world(db, make_party, make_agreement):
    """A few records for the generated ids and names to run into."""
    agreement = make_agreement()
    make_party("Atlantis", None, PartyKind.ORGANISATION).archived_at = clock.utcnow()
    # A text whose ids (1) the generated ones run into, with a bracket to clean.
    text = text_services.create_text(agreement, title="Main text")
    bracket = doc.Segment(alternatives=(doc.Alternative("and services", proposed_by=("JPN",)),))
    text_services.add_provision(text.revisions[0], doc.Provision("Article 1", segments=(bracket,)))
    db.session.commit()


@pytest.fixture
def served(app, world):
    """This test's app is the one schemathesis calls."""
    THE_APP.app = app
    yield
    THE_APP.app = None


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_description(case, served, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"})


class _Page(HTMLParser):
    """What a page loads and how: the addresses of its resources, its inline scripts and
    styles."""

    def __init__(self):
        super().__init__()
        self.resources: list[str] = []
        self.scripts = self.styles = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):  # inline (the app's own files are fine)
            self.scripts += 1
        if tag == "style" or "style" in attrs:
            self.styles += 1
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            if attrs.get(name) and (tag != "a" or name != "href"):
                self.resources.append(attrs[name])

    def handle_data(self, data):
        self.text.append(data)


def test_the_reference_page_shows_every_operation_from_the_app_alone(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY
    page = _Page()
    page.feed(response.get_data(as_text=True))
    text = " ".join(" ".join(page.text).split())
    operations = [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in ("get", "post", "put", "patch", "delete")
        if method in item
    ]
    assert operations
    for method, path in operations:
        assert f"{method} {path}" in text, f"{method} {path} is not on the reference page"
    for name in spec["components"]["schemas"]:
        assert name in text
    # Nothing from another site, no script and no inline style: the strict CSP holds.
    assert page.resources and all(
        url.startswith("/") and not url.startswith("//") for url in page.resources
    ), page.resources
    assert page.scripts == 0 and page.styles == 0
    # The descriptions' `code spans` are set as code (escaped), not shown with backticks.
    html = response.get_data(as_text=True)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in html
    assert "`" not in text
