"""A desk officer's day in a real browser: from a new agreement to its recorded outcomes."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tracker.extensions import db
from tracker.models import Party, PartyKind, Person

TITLE = "Reciprocal Provision of Supplies and Services Agreement"


def seed(live_app) -> dict:
    """Parties and people exist already; the officer records everything else."""
    with live_app.app_context():
        india = Party(name="India", code="IND", kind=PartyKind.STATE)
        japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
        france = Party(name="France", code="FRA", kind=PartyKind.STATE)
        singh = Person(name="Rajnath Singh", position="Defence Minister", party=india)
        nakatani = Person(name="Gen Nakatani", position="Minister of Defense", party=japan)
        db.session.add_all([india, japan, france, singh, nakatani])
        db.session.commit()
        ids = {
            "india": india.id,
            "japan": japan.id,
            "france": france.id,
            "singh": singh.id,
            "nakatani": nakatani.id,
        }
        db.session.remove()
    return ids


def test_agreement_meeting_status_point_and_action(page, staff_user, live_app):
    ids = seed(live_app)
    log_in(page, *staff_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    screenshot(page, "dashboard-empty")

    # A new agreement with two parties.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    page.get_by_role("link", name="New agreement").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Short name").fill("RPSS")
    page.get_by_label("Category").select_option("logistics")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Summary").fill("Use of each other's bases for maintenance and resupply.")
    page.get_by_label("Status now").select_option("proposed")
    page.get_by_label("Status since").fill("2024-11-01")
    page.locator("#parties-0-party").select_option(str(ids["india"]))
    page.locator("#parties-1-party").select_option(str(ids["japan"]))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(f"Agreement “{TITLE}” created.")
    agreement_url = page.url

    # A meeting that discussed it, with the outcome for this agreement.
    page.goto("/meetings/new")
    page.get_by_label("Title").fill("Singh–Nakatani bilateral")
    page.locator("#start_date").fill("2024-11-20")
    page.locator("#start_time").fill("15:00")
    page.get_by_label("Timezone").select_option("Asia/Vientiane")
    page.get_by_label("City").fill("Vientiane")
    page.get_by_label("Country").fill("Laos")
    page.get_by_label("Level").select_option("ministerial")
    page.get_by_label("Participants").select_option([str(ids["singh"]), str(ids["nakatani"])])
    page.locator("#agenda-0-agreement_id").select_option(label=f"{TITLE} (RPSS)")
    page.locator("#agenda-0-outcome").fill("Talks on the logistics agreement initiated.")
    page.get_by_role("button", name="Record meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Singh–Nakatani bilateral")

    # From the meeting's page: status change, a new point and an action item in one pass.
    page.get_by_role("link", name="Record outcomes").click()
    page.locator("#agreements-0-status").select_option("under_negotiation")
    page.locator("#agreements-0-status_note").fill("Ministers launched negotiations")
    page.locator("#agreements-0-point_subject").fill("Reimbursement mechanism")
    page.locator("#agreements-0-actions-0-task").fill("Exchange a first draft of the text")
    page.locator("#agreements-0-actions-0-owner").select_option(str(ids["singh"]))
    page.locator("#agreements-0-actions-0-due_on").fill("2025-07-31")
    screenshot(page, "meeting-outcomes-form")
    page.get_by_role("button", name="Record outcomes").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded 3 changes")

    # Everything is on the agreement page.
    page.goto(agreement_url)
    main = page.get_by_role("main")
    expect(main.get_by_text("Under negotiation").first).to_be_visible()
    expect(main.get_by_text("Decided at: Singh–Nakatani bilateral")).to_be_visible()
    expect(main.get_by_text("Outcome: Talks on the logistics agreement initiated.")).to_be_visible()
    expect(main.get_by_role("heading", name="Reimbursement mechanism")).to_be_visible()
    expect(main.get_by_text("Exchange a first draft of the text").first).to_be_visible()
    expect(main.get_by_text("Overdue")).to_be_visible()
    expect(main.get_by_text("20 Nov 2024 15:00 UTC+07")).to_be_visible()
    screenshot(page, "agreement-detail")

    # And in the list filtered by status and party, but not by another party.
    page.goto("/agreements/")
    page.get_by_label("Status").select_option("under_negotiation")
    page.get_by_label("Party").select_option(str(ids["japan"]))
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"status=under_negotiation.*party=\d+"))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    screenshot(page, "agreements-filtered")
    page.get_by_label("Party").select_option(str(ids["france"]))
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No agreements match.")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    screenshot(page, "dashboard")


def test_bad_date_shows_the_error_and_keeps_the_input(page, staff_user, live_app):
    ids = seed(live_app)
    log_in(page, *staff_user)
    page.goto("/agreements/new")
    page.get_by_label("Title").fill("Defence industrial cooperation")
    page.get_by_label("Negotiations opened").fill("2025-05-05")
    page.get_by_label("Signed").fill("2025-01-01")
    page.locator("#parties-0-party").select_option(str(ids["india"]))
    page.get_by_role("button", name="Save").click()

    expect(
        page.get_by_text("The signature date cannot be before negotiations opened.")
    ).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Defence industrial cooperation")
    expect(page.get_by_label("Signed")).to_have_value("2025-01-01")
    expect(page.locator("#parties-0-party")).to_have_value(str(ids["india"]))
    expect(page.get_by_label("Signed")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "agreement-form-error")
