"""Browser tests: the real app served on 127.0.0.1, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import REQUIRE_ALL
from tests.helpers import PASSWORD, make_test_app
from tracker.extensions import db
from tracker.models import Agreement, Meeting, Party, Person, Role, User

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    message = f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if REQUIRE_ALL:
        raise pytest.UsageError(message)
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=message))


def pytest_collection_finish(session):
    for item in session.items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class LiveServer:
    """The app in a thread on a free loopback port."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    path = tmp_path / "browser.sqlite"
    shutil.copy(sqlite_template, path)
    app = make_test_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def staff_user(live_app):
    """An editor account in the live app's database: (username, password)."""
    with live_app.app_context():
        user = User(username="desk.officer", display_name="Desk Officer", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return "desk.officer", PASSWORD


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot (of the whole page, or what the window shows) for reviewers under
    test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def submit_login(page, username: str, password: str) -> None:
    """Fill in the login form and send it."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page, username: str, password: str) -> None:
    """Log in through the form; return once the browser holds the logged-in session."""
    submit_login(page, username, password)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # The page shown says who logged in; the cookie jar must agree, or the next page opens
    # on the login form (a late answer to an earlier request once overwrote the cookie).
    response = page.request.get("/", max_redirects=0)
    assert response.status == 200, (
        f"{username} logged in, but the browser's next request was not: {response.status} "
        f"{response.headers.get('location', '')}"
    )


@pytest.fixture
def demo(live_app):
    """Load the demo world and an admin (password ``PASSWORD``) into the live app; the ids of
    an agreement, a meeting, a party and a person to visit."""
    with live_app.app_context():
        result = live_app.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        admin = User(username="admin", display_name="Admin", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        ids = {
            "agreement": db.session.scalar(
                sa.select(Agreement.id).where(Agreement.short_name == "RPSS")
            ),
            "meeting": db.session.scalar(
                sa.select(Meeting.id).where(Meeting.title == "India–Japan Defence Ministers' talks")
            ),
            "party": db.session.scalar(sa.select(Party.id).where(Party.name == "Japan")),
            "person": db.session.scalar(sa.select(Person.id).where(Person.name == "Gen Nakatani")),
        }
        db.session.remove()
    assert all(ids.values()), ids
    return ids
