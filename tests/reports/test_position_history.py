"""The status report as of a past day shows each party's position as it stood then, in
every format, and only what the reader may see."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.helpers import log_in
from tests.reports.test_formats import pdf_text, url
from tracker.data import markings
from tracker.models import MarkingValue, PartyPosition, PositionChange, Role
from tracker.reports.queries import agreement_report

SECRET = 3


@pytest.fixture
def stated(db, negotiation):
    """India held "Sixty-forty." from the first round and "Equal shares." from Jan 2023;
    Japan "By capability." from the first round, withdrawn in 2022, restated in 2023."""
    work_share = next(p for p in negotiation.agreement.points if p.subject == "Work share")
    india, japan = (link.party for link in negotiation.agreement.party_links)
    first = negotiation.first_round
    work_share.position_changes = [
        PositionChange(
            party=india, position="Sixty-forty.", stated_on=date(2021, 3, 1), meeting=first
        ),
        PositionChange(
            party=japan, position="By capability.", stated_on=date(2021, 3, 1), meeting=first
        ),
        PositionChange(party=japan, position="", stated_on=date(2022, 1, 10)),
        PositionChange(party=india, position="Equal shares.", stated_on=date(2023, 1, 10)),
        PositionChange(party=japan, position="By capability.", stated_on=date(2023, 1, 10)),
    ]
    db.session.commit()
    return work_share


def positions(report) -> dict[str, str]:
    [line] = [p for p in report.open_points if p.subject == "Work share"]
    return {position.party: position.position for position in line.positions}


def test_positions_are_read_as_they_stood_on_the_day(negotiation, stated):
    def on(day: date) -> dict[str, str]:
        return positions(agreement_report(negotiation.agreement.id, as_of=day))

    assert on(date(2021, 6, 1)) == {"India": "Sixty-forty.", "Japan": "By capability."}
    # Japan had withdrawn its position by then.
    assert on(date(2022, 6, 1)) == {"India": "Sixty-forty."}
    assert on(date(2023, 6, 1)) == {"India": "Equal shares.", "Japan": "By capability."}


def test_a_party_with_no_recorded_history_keeps_its_current_position(negotiation):
    """Positions entered by a script, with no history, are shown as recorded."""
    report = agreement_report(negotiation.agreement.id, as_of=date(2022, 6, 1))
    assert positions(report) == {"India": "Equal shares.", "Japan": "By capability."}


def test_every_format_shows_the_old_positions_and_no_longer_says_it_cannot(
    client, make_user, negotiation, stated
):
    log_in(client, make_user("minister.office", role=Role.VIEWER).username)
    day = {"as_of": "2022-06-01"}
    page = client.get(url(negotiation, **day)).get_data(as_text=True)
    markdown = client.get(url(negotiation, ".md", **day)).get_data(as_text=True)
    html = client.get(url(negotiation, ".html", **day)).get_data(as_text=True)
    pdf = pdf_text(client.get(url(negotiation, ".pdf", **day)).data)
    data = json.loads(client.get(url(negotiation, ".json", **day)).get_data(as_text=True))
    for text in (page, markdown, html, pdf):
        assert "Sixty-forty." in text and "Equal shares." not in text
        assert "By capability." not in text
        assert "currently recorded" not in text
        assert "as they stood on 1 Jun 2022" in text
    [point] = [p for p in data["open_points"] if p["subject"] == "Work share"]
    assert point["positions"] == [{"party": "India", "position": "Sixty-forty."}]
    assert data["notes"] == [
        "Party positions are shown as they stood on 1 Jun 2022: the last each party stated by then."
    ]


def test_a_step_the_reader_may_not_see_is_not_shown_nor_used(
    db, client, make_user, negotiation, stated
):
    """A step marked above the reader leaves the party without that position, rather than
    falling back on anything they may not see."""
    india_step = next(c for c in stated.position_changes if c.position == "Sixty-forty.")
    india_step.marking_id = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.commit()
    log_in(client, make_user("reader", role=Role.VIEWER).username)
    page = client.get(url(negotiation, as_of="2022-06-01")).get_data(as_text=True)
    assert "Sixty-forty." not in page
    data = client.get(url(negotiation, ".json", as_of="2022-06-01")).get_json()
    [point] = [p for p in data["open_points"] if p["subject"] == "Work share"]
    assert point["positions"] == []
    assert data["marking"] == "UNCLASSIFIED"


def test_a_point_the_reader_may_not_see_shows_no_positions(
    db, client, make_user, negotiation, stated
):
    stated.marking_id = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.commit()
    log_in(client, make_user("reader", role=Role.VIEWER).username)
    for suffix in ("", ".md", ".json"):
        text = client.get(url(negotiation, suffix, as_of="2022-06-01")).get_data(as_text=True)
        assert "Work share" not in text and "Sixty-forty." not in text
    assert db.session.query(PartyPosition).count() == 2
