"""The Content-Security-Policy holds in a real browser: the main pages break none of it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.helpers import PASSWORD


def test_main_pages_cause_no_content_security_policy_violation(page, demo):
    ids = demo
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))

    page.goto("/login")
    log_in(page, "admin", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    for url in (
        "/",
        "/agreements/",
        f"/agreements/{ids['agreement']}",
        f"/meetings/{ids['meeting']}",
        f"/meetings/{ids['meeting']}/outcomes",
        "/agreements/new",
        "/meetings/new",
        "/agreements/999999",
    ):
        response = page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    violations = [m for m in messages if "Content Security Policy" in m]
    assert not violations, "\n".join(violations)

    # The listener does catch a violation: an inline style is refused and reported.
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<p style="color: red">inline</p>')"""
    )
    expect(page.get_by_text("inline", exact=True)).to_be_attached()
    page.wait_for_timeout(200)
    assert [m for m in messages if "Content Security Policy" in m], messages
