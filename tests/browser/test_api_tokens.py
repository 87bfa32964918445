"""A member of staff makes an API token in a real browser, a program uses it, and revoking it
stops the program at once; the API's reference page reads without any other site."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot


def test_a_token_made_on_its_page_works_once_copied_and_stops_when_revoked(page, staff_user):
    log_in(page, *staff_user)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("Briefing tool")
    page.get_by_role("button", name="Create token").click()

    secret_box = page.get_by_label("Secret")
    expect(secret_box).to_be_visible()
    expect(secret_box).to_have_value(re.compile(r"^trk_[A-Za-z0-9_-]{40,}$"))
    secret = secret_box.input_value()
    screenshot(page, "api-tokens-new")
    bearer = {"Authorization": f"Bearer {secret}"}

    # The browser's own session cookie goes along with these calls: it counts for nothing.
    assert page.request.get("/api/v1/parties/").status == 401
    made = page.request.post(
        "/api/v1/parties/", data={"name": "India", "kind": "state", "code": "IND"}, headers=bearer
    )
    assert made.status == 201, made.text()
    assert page.request.get("/api/v1/parties/", headers=bearer).json()["items"][0]["name"] == (
        "India"
    )

    # Shown once: the list names the token and when it was used, never its secret again.
    page.goto("/account/tokens")
    expect(page.get_by_label("Secret")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Briefing tool")
    expect(row).to_be_visible()
    # Made and last used: two times (an unused token says "never" for its last use).
    expect(row).to_contain_text(re.compile(r"UTC.*UTC", re.DOTALL))
    assert secret not in page.content()
    screenshot(page, "api-tokens")

    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_role("row").filter(has_text="Briefing tool")).to_have_count(0)
    assert page.request.get("/api/v1/parties/", headers=bearer).status == 401


def test_the_api_reference_page_shows_the_operations_using_nothing_from_elsewhere(
    page, live_server
):
    requested, failed = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("/api/v1/agreements/{agreement_id}/status").first).to_be_visible()
    screenshot(page, "api-reference", full_page=False)
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    # Its own stylesheets load (the browser's guess at a favicon.ico aside).
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
