"""Two editors in two browsers save the same agreement: the second sees what the first changed
and keeps what they typed, then saves again on purpose."""

from datetime import date

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, axe_report
from tests.helpers import PASSWORD
from tracker.extensions import db
from tracker.models import Agreement, AgreementParty, Party, PartyKind, Role, User


def seed(live_app) -> int:
    """The RPSS between India and Japan, and a second editor; the agreement's id."""
    with live_app.app_context():
        india = Party(name="India", code="IND", kind=PartyKind.STATE)
        japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
        rpss = Agreement(
            title="Reciprocal Provision of Supplies and Services Agreement",
            short_name="RPSS",
            category="logistics",
            summary="Use of each other's bases for resupply.",
            status_on=date(2024, 11, 1),
        )
        rpss.party_links = [AgreementParty(party=india), AgreementParty(party=japan)]
        analyst = User(username="analyst", display_name="Anita Analyst", role=Role.EDITOR)
        analyst.set_password(PASSWORD)
        db.session.add_all([rpss, analyst])
        db.session.commit()
        agreement_id = rpss.id
        db.session.remove()
    return agreement_id


def test_the_second_save_shows_the_first_and_keeps_the_input(
    browser, live_server, live_app, staff_user
):
    agreement_id = seed(live_app)
    contexts = [
        browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        for _ in range(2)
    ]
    try:
        officer, analyst = (context.new_page() for context in contexts)
        for page, (username, password) in zip(
            (officer, analyst), (staff_user, ("analyst", PASSWORD)), strict=True
        ):
            page.set_default_timeout(10_000)
            log_in(page, username, password)
            expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
            page.goto(f"/agreements/{agreement_id}/edit")

        officer.get_by_label("Summary").fill("Bases, fuel and spare parts.")
        officer.get_by_role("button", name="Save").click()
        expect(officer.get_by_role("status")).to_contain_text("Agreement saved.")

        analyst.get_by_label("Summary").fill("Bases and fuel; spare parts later.")
        analyst.get_by_label("Priority").select_option("high")
        analyst.get_by_role("button", name="Save").click()

        notice = analyst.locator("#conflict")
        expect(notice).to_contain_text("Desk Officer changed this agreement at")
        expect(notice).to_contain_text("while you were editing; here is what they changed")
        expect(notice).to_contain_text("Your changes are below and not saved yet")
        row = notice.get_by_role("row").filter(has_text="summary")
        expect(row).to_contain_text("Use of each other's bases for resupply.")
        expect(row).to_contain_text("Bases, fuel and spare parts.")
        expect(row).to_contain_text("Desk Officer")
        expect(analyst.get_by_label("Summary")).to_have_value("Bases and fuel; spare parts later.")
        expect(analyst.get_by_label("Priority")).to_have_value("high")
        violations = Axe().run(analyst, options=AXE_OPTIONS).response["violations"]
        assert not violations, axe_report("agreement edit conflict", violations)
        screenshot(analyst, "agreement-edit-conflict")

        analyst.get_by_role("button", name="Save").click()
        expect(analyst.get_by_role("status")).to_contain_text("Agreement saved.")
        expect(analyst.get_by_role("main")).to_contain_text("Bases and fuel; spare parts later.")
    finally:
        for context in contexts:
            context.close()

    with live_app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        assert (agreement.summary, agreement.priority) == (
            "Bases and fuel; spare parts later.",
            "high",
        )
        db.session.remove()
