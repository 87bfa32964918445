"""Security headers, request size cap, error pages, request ids and the log of refusals."""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.exceptions import abort

from tests.helpers import extra_app, log_in
from tracker.extensions import db
from tracker.models import Party, Role
from tracker.web.security import ERROR_CODES

EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    assert re.fullmatch(r"[0-9a-f]{12}", response.headers["X-Request-ID"])


def test_headers_on_a_page_for_a_logged_in_user(logged_in):
    response = logged_in.get("/agreements/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_headers_on_the_login_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)


def test_headers_on_a_404(logged_in):
    response = logged_in.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_missing_static_file_is_an_error_page_no_cache_keeps(logged_in):
    """The 404 page shows who is logged in; only static files themselves may be cached."""
    response = logged_in.get("/static/no-such-file.css")
    assert response.status_code == 404
    assert "Desk.Officer" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/static/tracker.css", "/bootstrap/static/css/bootstrap.min.css"])
def test_headers_on_static_files_which_may_be_cached(client, url):
    with client.get(url) as response:
        assert response.status_code == 200
        assert_security_headers(response)
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_each_request_has_its_own_id(client):
    first, second = client.get("/login"), client.get("/login")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_body_over_the_cap_is_refused_with_a_clear_page(logged_in, app):
    cap = app.config["MAX_CONTENT_LENGTH"]
    assert cap == 2 * 1024 * 1024
    response = logged_in.post("/agreements/new", data={"title": "x" * (cap + 1)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page and "2.0 MiB" in page
    assert 'id="main"' in page
    assert_security_headers(response)


def test_a_body_under_the_cap_is_read(logged_in):
    # One field of 1 MiB: there is no smaller limit per field than the request's.
    response = logged_in.post("/agreements/new", data={"summary": "x" * 1024 * 1024})
    assert response.status_code == 200


def test_the_cap_is_configurable(monkeypatch, database_url, make_user):
    from tests.conftest import IsolatedClient
    from tests.helpers import extra_app

    monkeypatch.setenv("TRACKER_MAX_CONTENT_LENGTH", "4096")
    with extra_app(database_url) as app:  # closes its connections afterwards
        assert app.config["MAX_CONTENT_LENGTH"] == 4096
        app.test_client_class = IsolatedClient
        with app.app_context():
            make_user("capped", role=Role.EDITOR)
        client = app.test_client()
        assert log_in(client, "capped").status_code == 302
        assert client.post("/parties/new", data={"name": "x" * 5000}).status_code == 413
        assert client.post("/parties/new", data={"name": ""}).status_code == 200


@pytest.fixture
def failing_app(app):
    """The app with test-only routes: one aborting with any code, one raising."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail_with(code: int):
        abort(code)

    def crash():
        raise RuntimeError("secret detail that must not reach the page")

    def failed_write():
        # Two parties of one name: the flush fails and leaves the session unusable.
        db.session.add_all(
            [Party(name="Twin", kind="grouping"), Party(name="Twin", kind="grouping")]
        )
        db.session.flush()

    app.add_url_rule("/test-only/abort/<int:code>", "test_abort", fail_with)
    app.add_url_rule("/test-only/crash", "test_crash", crash)
    app.add_url_rule("/test-only/failed-write", "test_failed_write", failed_write)
    return app


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_has_a_page_in_the_layout(failing_app, logged_in, code):
    response = logged_in.get(f"/test-only/abort/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert 'id="main"' in page and "Agreement tracker" in page  # the app's layout
    assert f'<h1 class="h3">{code} · ' in page
    assert "Traceback" not in page and "werkzeug" not in page.lower()
    assert_security_headers(response)


def test_an_unexpected_exception_gives_a_500_page_with_the_logged_request_id(
    failing_app, logged_in, caplog
):
    with caplog.at_level(logging.ERROR, logger="tracker"):
        response = logged_in.get("/test-only/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert request_id in page
    assert "Traceback" not in page and "secret detail" not in page
    assert 'id="main"' in page

    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "tracker"
    assert request_id in record.getMessage()
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_a_failed_database_write_still_gets_the_500_page_with_its_request_id(
    failing_app, logged_in, db, caplog
):
    with caplog.at_level(logging.ERROR, logger="tracker"):
        response = logged_in.get("/test-only/failed-write")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] in page
    assert 'id="main"' in page and "Desk.Officer" in page  # the layout, with who is logged in
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 0


def test_a_refusal_is_logged_without_secrets(client, make_user, caplog):
    make_user("reader", role=Role.VIEWER)
    assert log_in(client, "reader").status_code == 302
    with caplog.at_level(logging.WARNING, logger="tracker.security"):
        response = client.post(
            "/agreements/new", data={"title": "x", "csrf_token": "token-value-123"}
        )
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "tracker.security"]
    message = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "user=reader" in message
    assert "endpoint=agreements.create" in message
    assert "method=POST" in message
    assert "remote_addr=127.0.0.1" in message
    assert re.search(r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", message)
    assert response.headers["X-Request-ID"] in message
    assert "token-value-123" not in message and "correct horse" not in message


def test_a_request_that_is_allowed_logs_no_refusal(logged_in, caplog):
    with caplog.at_level(logging.WARNING, logger="tracker.security"):
        assert logged_in.get("/agreements/new").status_code == 200
    assert not [r for r in caplog.records if r.name == "tracker.security"]


# --- file modes ------------------------------------------------------------------------------


DATABASE_FILES = ("tracker.sqlite", "tracker.sqlite-wal", "tracker.sqlite-shm")


def _modes(folder) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}


def test_a_new_sqlite_database_and_its_wal_files_are_readable_by_their_owner_only(tmp_path):
    """They hold password hashes: 0600 like the secret key, whatever the umask."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    previous = os.umask(0o022)
    try:
        with extra_app(f"sqlite:///{folder / 'tracker.sqlite'}") as app, app.app_context():
            upgrade()
            db.session.add(Party(name="Private", kind="grouping"))
            db.session.commit()
            modes = _modes(folder)  # while a connection is open: with its -wal and -shm
    finally:
        os.umask(previous)
    assert modes == dict.fromkeys(DATABASE_FILES, 0o600)


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_an_existing_databases_mode_is_left_as_it_is(sqlite_template, tmp_path, mode):
    folder = tmp_path / "existing"
    folder.mkdir()
    path = folder / "tracker.sqlite"
    shutil.copy(sqlite_template, path)
    path.chmod(mode)
    with extra_app(f"sqlite:///{path}") as app, app.app_context():
        db.session.add(Party(name="Existing", kind="grouping"))
        db.session.commit()
        modes = _modes(folder)
    assert modes == dict.fromkeys(DATABASE_FILES, mode)
