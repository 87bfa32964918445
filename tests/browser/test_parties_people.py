"""A member of staff records a party and one of its people in a real browser."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot


def test_create_party_and_person(page, staff_user):
    log_in(page, *staff_user)
    expect(page.get_by_role("status")).to_contain_text("Welcome, Desk Officer.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Parties").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parties")
    page.get_by_role("link", name="New party").click()
    page.get_by_label("Name").fill("Japan")
    page.get_by_label("Kind").select_option(label="State")
    page.get_by_label("Code").fill("jpn")
    page.get_by_role("button", name="Create party").click()
    expect(page.get_by_role("status")).to_contain_text("Party “Japan” created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Japan")
    expect(page.get_by_text("JPN", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name").fill("Kenji Sato")
    page.get_by_label("Position").fill("Director-General, Defence Policy")
    expect(page.get_by_label("Party")).to_have_value(re.compile(r"^\d+$"))
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status")).to_contain_text("Kenji Sato added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kenji Sato")
    screenshot(page, "person-detail")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Parties").click()
    expect(page.get_by_role("link", name="Japan")).to_be_visible()
    screenshot(page, "parties-list")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    row = page.get_by_role("row").filter(has_text="Kenji Sato")
    expect(row).to_contain_text("Director-General, Defence Policy")
    expect(row).to_contain_text("Japan")

    page.get_by_label("Search name or position").fill("nobody")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No people match this search.")).to_be_visible()
