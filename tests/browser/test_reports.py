"""A reader opens an agreement's status report in a real browser and downloads the PDF."""

from __future__ import annotations

import io

import pypdf
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.helpers import PASSWORD


def pdf_words(path) -> str:
    with open(path, "rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_open_the_report_as_of_a_day_and_download_the_pdf(page, demo, tmp_path):
    log_in(page, "admin", PASSWORD)
    page.goto(f"/agreements/{demo['agreement']}")
    page.get_by_role("link", name="Status report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("(RPSS)")
    expect(page.get_by_text("Status report as of today")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()
    screenshot(page, "report-today")

    # As it stood before the New Delhi talks of 5 May 2025.
    page.get_by_label("As of").fill("2025-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Status report as of 31 Jan 2025")).to_be_visible()
    meetings = page.get_by_role("region", name="Meetings")
    expect(meetings).to_contain_text("Singh–Nakatani bilateral meeting")
    expect(meetings).not_to_contain_text("Defence Ministers' talks")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "rpss-status-2025-01-31.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    text = pdf_words(path)
    assert "Reciprocal Provision of Supplies and Services Agreement (RPSS)" in text
    assert "Status report as of 31 Jan 2025" in text
    assert "Status: Under negotiation since 20 Nov 2024" in text
    assert "Singh–Nakatani bilateral meeting" in text
    assert "Defence Ministers' talks" not in text


def test_printing_leaves_out_navigation_and_buttons(page, demo):
    log_in(page, "admin", PASSWORD)
    page.goto(f"/agreements/{demo['agreement']}/report")
    page.emulate_media(media="print")

    expect(page.get_by_role("link", name="Download PDF")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
