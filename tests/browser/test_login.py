"""A member of staff logs in and out in a real browser."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot


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
    log_in(page, staff_user[0], "not the password")
    expect(page.get_by_text("Unknown username or wrong password.")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(staff_user[0])
    expect(page.get_by_label("Password")).to_have_value("")
