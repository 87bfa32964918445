"""A member of staff records a meeting in a real browser."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tracker.extensions import db
from tracker.models import Agreement, AgreementParty, Party, PartyKind, Person


def seed(live_app) -> dict:
    """The parties, people and agreement the form offers; the live database starts empty."""
    with live_app.app_context():
        india = Party(name="India", code="IND", kind=PartyKind.STATE)
        japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
        rajnath = Person(name="Rajnath Singh", position="Defence Minister", party=india)
        kihara = Person(name="Minoru Kihara", position="Minister of Defense", party=japan)
        rpss = Agreement(
            title="Reciprocal Provision of Supplies and Services Agreement",
            short_name="RPSS",
            category="logistics",
            status_on=date(2024, 11, 1),
        )
        rpss.party_links = [AgreementParty(party=india), AgreementParty(party=japan)]
        db.session.add_all([india, japan, rajnath, kihara, rpss])
        db.session.commit()
        ids = {"rpss": rpss.id, "rajnath": rajnath.id, "kihara": kihara.id}
        db.session.remove()
    return ids


def fill_meeting(page, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.locator("#start_date").fill("2024-08-20")
    page.locator("#start_time").fill("10:00")
    page.get_by_label("Timezone").select_option("Asia/Kolkata")
    page.get_by_label("City").fill("New Delhi")
    page.get_by_label("Country").fill("India")
    page.get_by_label("Level").select_option("ministerial")


def test_record_a_meeting_with_an_outcome(page, staff_user, live_app):
    ids = seed(live_app)
    log_in(page, *staff_user)
    page.goto("/meetings/")
    page.get_by_role("link", name="New meeting").click()

    fill_meeting(page, "India–Japan Defence Ministers' Meeting")
    page.locator("#end_time").fill("17:30")
    page.get_by_label("Participants").select_option([str(ids["rajnath"]), str(ids["kihara"])])
    page.locator("#agenda-0-agreement_id").select_option(str(ids["rpss"]))
    page.locator("#agenda-0-outcome").fill("Both sides agreed to finalise the text by December.")
    page.get_by_role("button", name="Record meeting").click()

    expect(page.get_by_role("status")).to_contain_text("recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "India–Japan Defence Ministers' Meeting"
    )
    expect(page.get_by_text("20 Aug 2024 10:00 IST")).to_be_visible()
    expect(page.get_by_text("Both sides agreed to finalise the text by December.")).to_be_visible()
    expect(page.get_by_text("Minoru Kihara, Minister of Defense")).to_be_visible()
    screenshot(page, "meeting-detail")


def test_end_before_start_is_refused_and_the_title_kept(page, staff_user, live_app):
    seed(live_app)
    log_in(page, *staff_user)
    page.goto("/meetings/new")

    fill_meeting(page, "Senior officials' talks")
    page.locator("#end_date").fill("2024-08-19")
    page.locator("#end_time").fill("18:00")
    page.get_by_role("button", name="Record meeting").click()

    expect(page.get_by_text("The meeting cannot end before it starts.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Senior officials' talks")
    expect(page.locator("#end_date")).to_have_value("2024-08-19")


def test_in_a_large_collection_an_agenda_row_takes_the_short_name(page, staff_user, live_app):
    """Beyond CHOICE_LIMIT agreements the row is a text box: typing a wrong name shows why
    and keeps the rest of the form; the short name, in any case, records the meeting."""
    seed(live_app)
    live_app.config["CHOICE_LIMIT"] = 0
    log_in(page, *staff_user)
    page.goto("/meetings/new")

    fill_meeting(page, "Official-level round")
    row = page.get_by_label("Agreement").first
    expect(row).to_have_attribute("type", "text")
    row.fill("RPS")
    page.locator("#agenda-0-outcome").fill("Text agreed ad referendum.")
    page.get_by_role("button", name="Record meeting").click()
    expect(
        page.get_by_text("No agreement to choose has the short name or number “RPS”")
    ).to_be_visible()
    expect(page.locator("#agenda-0-outcome")).to_have_value("Text agreed ad referendum.")

    page.locator("#agenda-0-agreement_id").fill("rpss")
    page.get_by_role("button", name="Record meeting").click()
    expect(page.get_by_role("status")).to_contain_text("recorded")
    expect(page.get_by_text("Text agreed ad referendum.")).to_be_visible()
    expect(
        page.get_by_role("link", name="Reciprocal Provision of Supplies and Services Agreement")
    ).to_be_visible()
