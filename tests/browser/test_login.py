"""A member of staff logs in and out in a real browser."""

import re
import threading

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot, submit_login


def test_log_in_and_out(page, staff_user):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    screenshot(page, "login")

    log_in(page, *staff_user)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome, Desk Officer.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have been logged out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_keeps_the_username(page, staff_user):
    submit_login(page, staff_user[0], "not the password")
    expect(page.get_by_text("Unknown username or wrong password.")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(staff_user[0])
    expect(page.get_by_label("Password")).to_have_value("")


def test_a_late_answer_to_a_request_sent_before_logging_in_does_not_undo_the_login(
    page, staff_user, live_app
):
    """A response carries the session as its request found it, and the browser keeps the last
    cookie it receives. A request sent before logging in (the login page's favicon.ico,
    another tab) that changed nothing and was answered after the login must not put the
    anonymous session back: on a loaded machine the login page's favicon.ico was once
    answered that late, and the next page was the login page again."""
    late, favicons, arrived = threading.Event(), threading.Event(), threading.Event()
    app = live_app.wsgi_app

    def hold(environ, start_response):
        # favicon.ico waits too, so that no other answer lands between the late one and
        # the next page; an anonymous one would also mark the session the late request holds.
        if environ["PATH_INFO"] == "/late":
            arrived.set()
            late.wait(10)
        elif environ["PATH_INFO"] == "/favicon.ico":
            favicons.wait(10)
        return app(environ, start_response)

    live_app.wsgi_app = hold
    try:
        other_tab = page.context.new_page()
        other_tab.goto("/login")
        other_tab.evaluate("() => { window.late = fetch('/late').then(r => r.status); }")
        assert arrived.wait(10), "the other tab's request did not reach the server"

        log_in(page, *staff_user)
        page.wait_for_load_state("load")  # its stylesheets answered too
        late.set()
        assert other_tab.evaluate("() => window.late") == 404

        page.goto("/agreements/new")
        expect(page.get_by_role("heading", level=1)).to_have_text("New agreement")
    finally:
        favicons.set()
