"""The agreement page's timeline fills the page's width and stays legible on a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.helpers import PASSWORD


def test_timeline_fills_the_width_and_scrolls_sideways_on_a_phone(page, demo):
    log_in(page, "admin", PASSWORD)
    page.goto(f"/agreements/{demo['agreement']}")
    picture = page.get_by_role("img", name="Timeline of RPSS")
    expect(picture).to_be_visible()
    screenshot(page, "agreement-timeline")
    sizes = page.evaluate(
        """() => {
          const box = document.querySelector(".timeline-scroll");
          const svg = box.querySelector("svg").getBoundingClientRect();
          return {box: box.clientWidth, svg: svg.width, height: svg.height};
        }"""
    )
    assert abs(sizes["svg"] - sizes["box"]) < 1, sizes
    assert sizes["height"] > 100, sizes  # scaled with its width, not squashed

    page.set_viewport_size({"width": 390, "height": 844})
    expect(picture).to_be_visible()
    screenshot(page, "agreement-timeline-phone")
    widths = page.evaluate(
        """() => {
          const box = document.querySelector(".timeline-scroll");
          return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                  content: box.scrollWidth, visible: box.clientWidth};
        }"""
    )
    assert widths["page"] <= widths["window"], f"the page scrolls sideways: {widths}"
    assert widths["content"] > widths["visible"], f"the picture shrank to specks: {widths}"
