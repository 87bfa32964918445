"""Editing a provision of a negotiating text and cleaning a bracket, with the keyboard only."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tracker.extensions import db
from tracker.models import Agreement, AgreementParty, Party, PartyKind
from tracker.models import text_document as doc
from tracker.texts import queries, services


def seed(live_app) -> dict:
    with live_app.app_context():
        india = Party(name="India", code="IND", kind=PartyKind.STATE)
        japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
        rpss = Agreement(
            title="Reciprocal Provision of Supplies and Services Agreement",
            short_name="RPSS",
            category="logistics",
            status_on=date(2024, 11, 1),
        )
        rpss.party_links = [AgreementParty(party=india), AgreementParty(party=japan)]
        db.session.add_all([india, japan, rpss])
        db.session.flush()
        text = services.create_text(rpss, title="Main text", first_label="Japan's draft")
        row = services.add_provision(
            text.revisions[0],
            doc.Provision(
                label="Article 1",
                heading="Purpose",
                segments=(
                    doc.Segment(text="The Parties shall provide supplies "),
                    doc.Segment(
                        alternatives=(doc.Alternative("and services", proposed_by=("JPN",)),)
                    ),
                    doc.Segment(text="."),
                ),
            ),
        )
        db.session.commit()
        ids = {"revision": text.revisions[0].id, "row": row.id}
        db.session.remove()
    return ids


def test_edit_a_provision_and_clean_its_bracket_with_the_keyboard(page, staff_user, live_app):
    ids = seed(live_app)
    log_in(page, *staff_user)
    page.goto(f"/texts/revisions/{ids['revision']}")
    expect(page.get_by_text("Status legend")).to_be_visible()

    # To the provision's edit page by keyboard: focus the link, press Enter.
    page.get_by_role("link", name="Edit Article 1").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Edit Article 1")).to_be_visible()

    # Add an alternative to the bracket (part 2): the page is drawn again with a new row.
    page.get_by_role("button", name="Add an alternative to part 2").focus()
    page.keyboard.press("Enter")
    wording = page.locator("#segments-1-alternatives-1-wording")
    expect(wording).to_be_visible()
    wording.focus()
    page.keyboard.type("and logistic support")
    page.locator("#segments-1-alternatives-1-proposed_by").focus()
    page.keyboard.press("ArrowDown")  # the first party: IND
    page.keyboard.press("Home")
    page.get_by_label("Heading").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Purpose and scope")
    screenshot(page, "texts-edit-provision")
    page.keyboard.press("Enter")  # implicit submission: the first button, Save
    expect(page.get_by_text("Article 1 saved.")).to_be_visible()
    expect(page.get_by_text("and logistic support")).to_be_visible()

    # Clean the bracket: choose the second alternative with the arrow keys.
    page.get_by_role("link", name="Clean this bracket in Article 1").focus()
    page.keyboard.press("Enter")
    first = page.get_by_role("radio").first
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio").nth(1)).to_be_checked()
    page.get_by_role("button", name="Clean the bracket").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Bracket in Article 1 cleaned.")).to_be_visible()
    screenshot(page, "texts-bracket-cleaned")

    with live_app.app_context():
        from tracker.models import Revision

        value = queries.document(db.session.get(Revision, ids["revision"])).provisions[0]
        assert value.heading == "Purpose and scope"
        assert value.plain_text == "The Parties shall provide supplies and logistic support."
        db.session.remove()
