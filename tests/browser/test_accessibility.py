"""WCAG 2.1 AA: axe-core finds no violations on the main pages, and the keyboard alone works."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.helpers import PASSWORD

# WCAG 2.0/2.1 A and AA, plus axe's best practices: heading order, one main landmark,
# every part of the page inside a landmark, one h1.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def axe_report(name: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def test_main_pages_have_no_axe_violations(page, demo):
    axe = Axe()
    reports = []

    def check(name: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            reports.append(axe_report(name, violations))

    page.goto("/login")
    check("login")
    log_in(page, "admin", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    check("dashboard")

    pages = {
        "agreements list": "/agreements/",
        "agreement page": f"/agreements/{demo['agreement']}",
        "portfolio": "/portfolio/",
        "meetings list": "/meetings/",
        "meeting page": f"/meetings/{demo['meeting']}",
        "parties list": "/parties/",
        "party page": f"/parties/{demo['party']}",
        "people list": "/people/",
        "person page": f"/people/{demo['person']}",
        "404 page": "/agreements/999999",
        "meeting form": "/meetings/new",
        "meeting outcomes form": f"/meetings/{demo['meeting']}/outcomes",
        "API tokens": "/account/tokens",
        "API reference": "/api/v1/docs",
    }
    for name, url in pages.items():
        page.goto(url)
        check(name)

    page.goto("/agreements/new")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    check("agreement form with errors")

    assert not reports, "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(reports)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, demo):
    log_in(page, "admin", PASSWORD)
    page.goto("/agreements/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="New agreement")).to_be_focused()


# Tags each focusable control of the agreement form with its DOM position.
TAG_FORM_CONTROLS = """() => {
  const form = document.querySelector("main form[method=post]");
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";
  const controls = [...form.querySelectorAll(selector)].filter(
    (el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0
  );
  controls.forEach((el, i) => { el.dataset.formIndex = i; });
  return controls.length;
}"""

# What the keyboard user sees of the element that has focus.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 120),
    formIndex: el.dataset.formIndex === undefined ? null : Number(el.dataset.formIndex),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    top: rect.top + window.scrollY,
    left: rect.left + window.scrollX,
  };
}"""


def test_agreement_form_is_usable_by_keyboard_in_visual_order(page, demo):
    log_in(page, "admin", PASSWORD)
    page.goto("/agreements/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New agreement")
    count = page.evaluate(TAG_FORM_CONTROLS)
    assert count > 10

    stops = []
    for _ in range(count + 40):
        page.keyboard.press("Tab")
        focused = page.evaluate(DESCRIBE_FOCUS)
        if focused is None or (stops and focused["html"] == stops[0]["html"]):
            break
        stops.append(focused)

    without_outline = [stop["html"] for stop in stops if not stop["outline"]]
    assert not without_outline, f"no visible focus outline on: {without_outline}"

    # A date input takes several Tab presses, one for each part of the date.
    in_form = [
        stop
        for previous, stop in zip([None, *stops], stops, strict=False)
        if stop["formIndex"] is not None
        and (previous is None or previous["formIndex"] != stop["formIndex"])
    ]
    assert [stop["formIndex"] for stop in in_form] == list(range(count)), (
        "Tab does not reach every control of the form once, in document order"
    )
    for before, after in zip(in_form, in_form[1:], strict=False):
        same_row = abs(after["top"] - before["top"]) < 8
        assert after["top"] > before["top"] or (same_row and after["left"] > before["left"]), (
            f"Tab goes back up or left: {before['html']} then {after['html']}"
        )


def test_agreements_list_fits_a_tablet(page, demo):
    log_in(page, "admin", PASSWORD)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto("/agreements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements")
    screenshot(page, "agreements-tablet")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll on a tablet: {widths}"
    sticking_out = page.evaluate(
        """() => {
          const edge = document.querySelector("main").getBoundingClientRect().right;
          return [...document.querySelectorAll("main form :is(input, select, button)")]
            .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
            .map((el) => el.outerHTML.slice(0, 80));
        }"""
    )
    assert not sticking_out, f"filter controls stick out of the page: {sticking_out}"
