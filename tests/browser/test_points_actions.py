"""A member of staff records a negotiation point and an action item in a real browser."""

from datetime import UTC, date, datetime

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tracker.extensions import db
from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    MeetingLevel,
    Party,
    PartyKind,
    Person,
)


def seed(live_app) -> dict:
    """RPSS between India and Japan, discussed at one meeting; the live database starts empty."""
    with live_app.app_context():
        india = Party(name="India", code="IND", kind=PartyKind.STATE)
        japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
        rajesh = Person(name="Rajesh Kumar", position="Joint Secretary", party=india)
        rpss = Agreement(
            title="Reciprocal Provision of Supplies and Services Agreement",
            short_name="RPSS",
            category="logistics",
            status_on=date(2024, 11, 1),
        )
        rpss.party_links = [AgreementParty(party=india), AgreementParty(party=japan)]
        meeting = Meeting(
            title="Defence Policy Dialogue",
            starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
            timezone="Asia/Kolkata",
            level=MeetingLevel.SENIOR_OFFICIALS,
        )
        db.session.add_all([india, japan, rajesh, rpss, meeting])
        db.session.add(AgendaItem(meeting=meeting, agreement=rpss))
        db.session.commit()
        ids = {
            "rpss": rpss.id,
            "india": india.id,
            "japan": japan.id,
            "rajesh": rajesh.id,
            "meeting": meeting.id,
        }
        db.session.remove()
    return ids


def test_add_a_point_and_an_action_then_mark_it_done(page, staff_user, live_app):
    ids = seed(live_app)
    log_in(page, *staff_user)
    page.goto(f"/agreements/{ids['rpss']}")

    page.get_by_role("link", name="Add a point").click()
    page.get_by_label("Subject").fill("Scope of services")
    page.get_by_label("Details").fill("Which supplies the agreement covers.")
    page.get_by_label("Status").select_option("converging")
    page.get_by_label("Raised at").select_option(str(ids["meeting"]))
    page.get_by_label("India", exact=True).fill("Fuel, rations and transport only.")
    page.get_by_label("Japan", exact=True).fill("All services, ammunition excluded.")
    page.get_by_role("button", name="Add point").click()

    expect(page.get_by_role("status")).to_contain_text("Point “Scope of services” added.")
    points = page.locator("#points-heading").locator("xpath=ancestor::section")
    expect(points).to_contain_text("Scope of services")
    expect(points).to_contain_text("Fuel, rations and transport only.")
    expect(points).to_contain_text("All services, ammunition excluded.")
    expect(points).to_contain_text("Raised at Defence Policy Dialogue")

    page.get_by_role("link", name="Add an action item").click()
    page.get_by_label("What has to be done").fill("Send the revised draft to Tokyo")
    page.get_by_label("Owner").select_option(str(ids["rajesh"]))
    page.get_by_label("Due").fill("2030-01-15")
    page.get_by_label("Agreed at meeting").select_option(str(ids["meeting"]))
    page.get_by_role("button", name="Add action item").click()

    expect(page.get_by_role("status")).to_contain_text("Action item added.")
    actions = page.locator("#actions-heading").locator("xpath=ancestor::section")
    expect(actions).to_contain_text("Send the revised draft to Tokyo")
    expect(actions).to_contain_text("Rajesh Kumar")
    expect(actions).to_contain_text("due 15 Jan 2030")

    actions.get_by_role("button", name="Done").click()
    expect(page.get_by_role("status")).to_contain_text("Action item marked done.")
    actions = page.locator("#actions-heading").locator("xpath=ancestor::section")
    expect(actions.get_by_role("button", name="Reopen")).to_be_visible()
    expect(actions).to_contain_text(f"Done {date.today():%-d %b %Y}")
    screenshot(page, "agreement-points-actions")
